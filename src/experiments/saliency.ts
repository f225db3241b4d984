/**
 * The lectures' occlusion experiment: train a small CNN on digits, then map,
 * for one test image of each of a few classes, where occluding the image hurts the true
 * class's probability most (./occlusion.ts).
 */
import * as E from 'fp-ts/lib/Either.js'
import type { OpError } from '../core/errors.ts'
import { make, sizeOf } from '../core/tensor.ts'
import { compile, withMode } from '../graph/index.ts'
import { text } from './chart-svg.ts'
import { type OcclusionMap, type OcclusionOptions, occlusionMap } from './occlusion.ts'
import { fmt } from './plot-terminal.ts'
import { type Experiment, base, pct } from './sweep.ts'
import { type TrainResult, prepareData, trainRun } from './training-run.ts'

export const OCCLUSION: OcclusionOptions = { patch: 6, stride: 2, fill: 0 }
/** The classes whose first test image is mapped. */
export const CLASSES = [0, 3, 6, 9] as const

export interface SaliencyResult {
  readonly train: TrainResult
  readonly options: OcclusionOptions
  readonly images: readonly { readonly pixels: Float64Array; readonly side: number; readonly occlusion: OcclusionMap }[]
}

export const runSaliency = (p: { seed: number; epochs: number; limit: number; data: string }): E.Either<OpError, SaliencyResult> => {
  const opts = { ...base(p), model: 'cnn' as const, conv: [8, 16], hidden: [32], lr: 0.05 }
  const t = trainRun(opts)
  if (E.isLeft(t)) return t
  const splits = prepareData(t.right.options)
  if (E.isLeft(splits)) return splits
  const c = compile(withMode(t.right.network.graph, false))
  if (E.isLeft(c)) return c
  const test = splits.right.test
  const sample = test.x.shape.slice(1)
  const size = sizeOf(sample)
  const images = []
  // one image per class of CLASSES (the test split is in class order, so "the first images" would all be zeros)
  const picks = CLASSES.map((c) => Array.from(test.y.data).indexOf(c)).filter((i) => i >= 0)
  for (const i of picks) {
    const img = make(sample, test.x.data.slice(i * size, (i + 1) * size))
    const m = occlusionMap(c.right, t.right.network, { ...t.right.params, ...t.right.buffers }, img, test.y.data[i], OCCLUSION)
    if (E.isLeft(m)) return m
    images.push({ pixels: img.data, side: sample[2], occlusion: m.right })
  }
  return E.right({ train: t.right, options: OCCLUSION, images })
}

const heat = (v: number, max: number): string => {
  const a = max > 0 ? Math.max(-1, Math.min(1, v / max)) : 0
  return a >= 0 ? `rgb(255,${Math.round(255 * (1 - a))},${Math.round(255 * (1 - a))})` : `rgb(${Math.round(255 * (1 + a))},${Math.round(255 * (1 + a))},255)`
}

export const saliency: Experiment<SaliencyResult> = {
  name: 'saliency',
  summary: 'occlusion saliency maps of a small trained CNN on test digits',
  defaults: { seed: 0, epochs: 4, limit: 2000, data: 'digits' },
  run: runSaliency,
  json: (r) => ({
    experiment: 'saliency', testAccuracy: r.train.test.accuracy, occlusion: r.options,
    images: r.images.map((im) => ({ label: im.occlusion.label, predicted: im.occlusion.predicted, probability: im.occlusion.probability, rows: im.occlusion.rows, cols: im.occlusion.cols, map: Array.from(im.occlusion.map) })),
  }),
  table: (r) => [`CNN test accuracy ${pct(r.train.test.accuracy)}; patch ${r.options.patch}, stride ${r.options.stride}, fill ${r.options.fill}`,
    'image  label  predicted  P(label)  max-drop  at(row,col)',
    ...r.images.map((im, i) => {
      const o = im.occlusion
      let best = 0
      for (let q = 1; q < o.map.length; q++) if (o.map[q] > o.map[best]) best = q
      return `${String(i).padEnd(6)} ${String(o.label).padEnd(6)} ${String(o.predicted).padEnd(10)} ${fmt(o.probability).padEnd(9)} ${fmt(o.map[best]).padEnd(9)} (${Math.floor(best / o.cols) * r.options.stride},${(best % o.cols) * r.options.stride})`
    })].join('\n'),
  svg: (r) => {
    const cell = 6, gap = 16, side = r.images[0]?.side ?? 28, W = side * cell
    const width = r.images.length * (W + gap) + gap, height = 2 * W + 90
    const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
      `<rect width="${width}" height="${height}" fill="white"/>`,
      text(width / 2, 18, `Occlusion saliency: drop in P(true class), patch ${r.options.patch}, stride ${r.options.stride}`, 'text-anchor="middle" font-size="14" font-weight="bold"'),
      text(width / 2, 33, `CNN conv 8,16 fc 32, test accuracy ${pct(r.train.test.accuracy)}; top: input (centred), bottom: red = occluding there lowers P(label)`, 'text-anchor="middle" fill="#444"')]
    r.images.forEach((im, i) => {
      const ox = gap + i * (W + gap), oy = 45
      let lo = Infinity, hi = -Infinity
      for (const v of im.pixels) { lo = Math.min(lo, v); hi = Math.max(hi, v) }
      for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) {
        const g = Math.round(255 * (1 - (im.pixels[y * side + x] - lo) / (hi - lo || 1)))
        parts.push(`<rect x="${ox + x * cell}" y="${oy + y * cell}" width="${cell}" height="${cell}" fill="rgb(${g},${g},${g})"/>`)
      }
      const o = im.occlusion
      const max = Math.max(...Array.from(o.map).map(Math.abs))
      const scale = W / side
      for (let rr = 0; rr < o.rows; rr++) for (let cc = 0; cc < o.cols; cc++) {
        // each cell drawn at the patch centre, stride wide
        const cx = (cc * r.options.stride + r.options.patch / 2 - r.options.stride / 2) * scale, cy = (rr * r.options.stride + r.options.patch / 2 - r.options.stride / 2) * scale
        parts.push(`<rect x="${(ox + cx).toFixed(1)}" y="${(oy + W + 10 + cy).toFixed(1)}" width="${(r.options.stride * scale).toFixed(1)}" height="${(r.options.stride * scale).toFixed(1)}" fill="${heat(o.map[rr * o.cols + cc], max)}"/>`)
      }
      parts.push(`<rect x="${ox}" y="${oy + W + 10}" width="${W}" height="${W}" fill="none" stroke="#999"/>`)
      parts.push(text(ox + W / 2, oy + 2 * W + 24, `label ${o.label}, predicted ${o.predicted}, P ${fmt(o.probability)}`, 'text-anchor="middle" font-size="10"'))
      parts.push(text(ox + W / 2, oy + 2 * W + 37, `largest drop ${fmt(max)}`, 'text-anchor="middle" font-size="10"'))
    })
    parts.push('</svg>')
    return parts.join('\n') + '\n'
  },
}

