/**
 * Occlusion saliency (Zeiler & Fergus 2014; cs231n lecture 13,
 * "visualizing and understanding"): slide a square patch of constant value
 * over the input image and record how much the probability of the true class
 * drops. For an image x of class k, patch p, stride s, fill f:
 *   (1) x^(r,c) = x with rows r s .. r s + p - 1 and columns c s .. c s + p - 1 set to f
 *   (2) P(k | x) = softmax(logits(x))_k
 *   (3) map[r][c] = P(k | x) - P(k | x^(r,c))        large where the evidence for k is
 * for r = 0 .. floor((H - p) / s), and the same for c. The network runs in
 * evaluation mode; the fill is in the network's input space (0 after
 * centering is the mean training pixel).
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail } from '../core/errors.ts'
import type { Tensors } from '../core/op.ts'
import { type Tensor, make } from '../core/tensor.ts'
import { type Compiled, type Network, forward } from '../graph/index.ts'

export interface OcclusionOptions {
  readonly patch: number
  readonly stride: number
  readonly fill: number
}

export interface OcclusionMap {
  readonly label: number
  readonly predicted: number
  /** (2) for the unoccluded image */
  readonly probability: number
  readonly rows: number
  readonly cols: number
  /** (3), row-major [rows, cols] */
  readonly map: Float64Array
}

/** Softmax probabilities of logits [N, C], max-shifted. */
const softmaxRows = (l: Tensor): Float64Array => {
  const [n, c] = l.shape
  const out = new Float64Array(n * c)
  for (let i = 0; i < n; i++) {
    let m = -Infinity
    for (let j = 0; j < c; j++) m = Math.max(m, l.data[i * c + j])
    let s = 0
    for (let j = 0; j < c; j++) { out[i * c + j] = Math.exp(l.data[i * c + j] - m); s += out[i * c + j] }
    for (let j = 0; j < c; j++) out[i * c + j] /= s
  }
  return out
}

/**
 * (1)-(3) for one image [C, H, W] of class `label`; `compiled` is the
 * evaluation-mode graph of `net`, `values` its parameters and buffers.
 */
export const occlusionMap = (compiled: Compiled, net: Network, values: Tensors, image: Tensor, label: number, o: OcclusionOptions): E.Either<OpError, OcclusionMap> => {
  if (image.shape.length !== 3) return fail('occlusion', 'image', 'one image [C, H, W]', `[${image.shape.join(', ')}]`)
  const [ch, h, w] = image.shape
  if (!(Number.isSafeInteger(o.patch) && o.patch >= 1 && o.patch <= Math.min(h, w))) return fail('occlusion', 'patch', `an integer in 1..${Math.min(h, w)}`, String(o.patch))
  if (!(Number.isSafeInteger(o.stride) && o.stride >= 1)) return fail('occlusion', 'stride', 'a positive integer', String(o.stride))
  const rows = Math.floor((h - o.patch) / o.stride) + 1, cols = Math.floor((w - o.patch) / o.stride) + 1
  const m = 1 + rows * cols
  const size = ch * h * w
  const batch = new Float64Array(m * size)
  batch.set(image.data, 0)
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const at = (1 + r * cols + c) * size
      batch.set(image.data, at)
      for (let k = 0; k < ch; k++) {
        for (let i = r * o.stride; i < r * o.stride + o.patch; i++) {
          for (let j = c * o.stride; j < c * o.stride + o.patch; j++) batch[at + (k * h + i) * w + j] = o.fill // (1)
        }
      }
    }
  }
  const run = forward(compiled, { ...values, [net.input]: make([m, ch, h, w], batch), [net.target]: make([m], new Float64Array(m), 'int64') })
  if (E.isLeft(run)) return run
  const logits = run.right.values[net.logits]
  const classes = logits.shape[1]
  if (!(Number.isInteger(label) && label >= 0 && label < classes)) return fail('occlusion', 'label', `a class in 0..${classes - 1}`, String(label))
  const p = softmaxRows(logits) // (2)
  let predicted = 0
  for (let j = 1; j < classes; j++) if (logits.data[j] > logits.data[predicted]) predicted = j
  const map = new Float64Array(rows * cols)
  for (let q = 0; q < rows * cols; q++) map[q] = p[label] - p[(1 + q) * classes + label] // (3)
  return E.right({ label, predicted, probability: p[label], rows, cols, map })
}
