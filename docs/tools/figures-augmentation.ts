/**
 * The augmentation chapter's figure: every training-time stage of
 * src/augmentation/pipeline.ts on the same eight real digits (the first
 * 0, 1, ..., 7 of the digits data set), drawn by src/augmentation/gallery.ts
 * with one fixed key, so the SVG is a pure function of the library.
 * The colour stages (jitter, PCA lighting) need RGB images [N, 3, H, W] and
 * are left out: digits are grey.
 */
import * as E from 'fp-ts/lib/Either.js'
import { formatError } from '../../src/core/errors.ts'
import { keyFromSeed } from '../../src/core/random.ts'
import { make } from '../../src/core/tensor.ts'
import { type GalleryRow, gallery } from '../../src/augmentation/gallery.ts'
import { loadDigits } from '../../src/data/digits.ts'

/** One row per stage: the label says the stage and its arguments as written in --augment. */
export const AUGMENTATION_ROWS: readonly GalleryRow[] = [
  { label: 'original', spec: '' },
  { label: 'hflip:1', spec: 'hflip:1' },
  { label: 'vflip:1', spec: 'vflip:1' },
  { label: 'crop:4 (pad 4)', spec: 'crop:4' },
  { label: 'rrc:0.3 (scale 0.3-1)', spec: 'rrc:0.3' },
  { label: 'affine:30:0.1:0.2:15', spec: 'affine:30:0.1:0.2:15' },
  { label: 'elastic:34:4', spec: 'elastic:34:4' },
  { label: 'randaugment:2:9', spec: 'randaugment:2:9' },
  { label: 'erase:1', spec: 'erase:1' },
  { label: 'mixup:1 (lam~Beta(1,1))', spec: 'mixup:1' },
  { label: 'cutmix:1', spec: 'cutmix:1' },
]

export const augmentationFigures = (): Record<string, string> => {
  const d = loadDigits()
  if (E.isLeft(d)) throw new Error(formatError(d.left))
  const { x, y } = d.right
  const per = x.shape[2] * x.shape[3]
  const picks = Array.from({ length: 8 }, (_, c) => y.data.indexOf(c))
  const data = new Float64Array(picks.length * per)
  picks.forEach((i, k) => data.set(x.data.subarray(i * per, (i + 1) * per), k * per))
  const svg = gallery(make([picks.length, 1, x.shape[2], x.shape[3]], data), AUGMENTATION_ROWS, keyFromSeed(15), 'Each augmentation on eight real digits')
  if (E.isLeft(svg)) throw new Error(formatError(svg.left))
  return { 'augmentation-digits.svg': svg.right }
}
