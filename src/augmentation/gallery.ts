/**
 * A figure of augmentations: one row per pipeline spec (./pipeline.ts), the
 * same images in every row, each row drawn with its own key, as an SVG with
 * no dependencies. For the docs (augmentation on real digits): grey images
 * [N, 1, H, W] in [0, 1], drawn dark on white. Each image is a few paths, one
 * per quantized grey level (8 levels) made of horizontal runs, so that a
 * 28 x 28 digit costs about 2 KB rather than 784 rectangles.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail } from '../core/errors.ts'
import { type Key, foldIn } from '../core/random.ts'
import { type Tensor, make } from '../core/tensor.ts'
import { type Batch, type Pipeline, parsePipeline } from './pipeline.ts'

export interface GalleryRow { readonly label: string; readonly spec: string }

const LEVELS = 8
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** Paths of one image at (ox, oy), `scale` px per pixel. */
const imagePaths = (x: Tensor, n: number, ox: number, oy: number, scale: number): string => {
  const [, , h, w] = x.shape, base = n * h * w
  const runs: string[][] = Array.from({ length: LEVELS }, () => [])
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w;) {
      const level = Math.min(LEVELS - 1, Math.floor(Math.min(Math.max(x.data[base + i * w + j], 0), 1) * LEVELS))
      let k = j + 1
      while (k < w && Math.min(LEVELS - 1, Math.floor(Math.min(Math.max(x.data[base + i * w + k], 0), 1) * LEVELS)) === level) k++
      if (level > 0) runs[level].push(`M${ox + j * scale} ${oy + i * scale}h${(k - j) * scale}v${scale}h${-(k - j) * scale}z`)
      j = k
    }
  }
  return runs.map((r, level) => (r.length === 0 ? '' : `<path fill="rgb(${Array(3).fill(Math.round(255 * (1 - (level + 0.5) / LEVELS))).join(',')})" d="${r.join('')}"/>`)).join('')
}

export const gallery = (x: Tensor, rows: readonly GalleryRow[], key: Key, title = 'Augmentations'): E.Either<OpError, string> => {
  if (x.shape.length !== 4 || x.shape[1] !== 1) return fail('gallery', 'x', 'grey images [N, 1, H, W]', `shape [${x.shape}]`)
  const [n, , h, w] = x.shape, scale = 2, gap = 6, labelW = 150, top = 28
  const cellW = w * scale + gap, cellH = h * scale + gap
  const width = labelW + n * cellW, height = top + rows.length * cellH
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">${esc(title)}</text>`,
  ]
  const targets = make([n, n], Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0))) // for mixup and CutMix rows
  for (let r = 0; r < rows.length; r++) {
    const img = rows[r].spec.trim() === '' ? E.right<OpError, Tensor>(x)
      : E.chain((p: Pipeline) => E.map((b: Batch) => b.x)(p.apply(foldIn(key, r), { x, target: targets })))(parsePipeline(rows[r].spec))
    if (E.isLeft(img)) return img
    const oy = top + r * cellH
    parts.push(`<text x="4" y="${oy + (h * scale) / 2 + 4}">${esc(rows[r].label)}</text>`)
    for (let k = 0; k < n; k++) parts.push(imagePaths(img.right, k, labelW + k * cellW, oy, scale))
  }
  parts.push('</svg>')
  return E.right(parts.join('\n'))
}
