/**
 * Input makers for golden vectors: every number comes from a key, so a seed
 * fixes a vectors file byte for byte.
 */
import { type Key, normalArray, split, uniformArray } from '../core/random.ts'
import { type Shape, type Tensor, make, sizeOf } from '../core/tensor.ts'

export interface Gen {
  /** N(0, scale^2) entries */
  readonly normal: (shape: Shape, scale?: number) => Tensor
  /** uniform in [lo, hi) */
  readonly uniform: (shape: Shape, lo: number, hi: number) => Tensor
  /** int64 labels in [0, classes) */
  readonly labels: (shape: Shape, classes: number) => Tensor
  /** probabilities along axis 1 of [N, C, ...] */
  readonly probs: (shape: Shape) => Tensor
  /** float 0/1 mask keeping each entry with probability keep */
  readonly mask: (shape: Shape, keep: number) => Tensor
  /** entries well separated (no ties): a shuffled grid k * spacing, centred */
  readonly distinct: (shape: Shape, spacing?: number) => Tensor
  readonly constant: (shape: Shape, v: number) => Tensor
}

export const makeGen = (key: Key): Gen => {
  let k = key
  const next = (): Key => { const [a, b] = split(k); k = a; return b }
  return {
    normal: (shape, scale = 1) => make(shape, normalArray(next(), sizeOf(shape)).map((v) => v * scale)),
    uniform: (shape, lo, hi) => make(shape, uniformArray(next(), sizeOf(shape)).map((u) => lo + (hi - lo) * u)),
    labels: (shape, classes) => make(shape, uniformArray(next(), sizeOf(shape)).map((u) => Math.min(classes - 1, Math.floor(u * classes))), 'int64'),
    probs: (shape) => {
      const u = uniformArray(next(), sizeOf(shape)).map((v) => 0.05 + v)
      const [n, c] = [shape[0], shape[1]], inner = sizeOf(shape.slice(2))
      for (let a = 0; a < n; a++) for (let i = 0; i < inner; i++) {
        let s = 0
        for (let j = 0; j < c; j++) s += u[(a * c + j) * inner + i]
        for (let j = 0; j < c; j++) u[(a * c + j) * inner + i] /= s
      }
      return make(shape, u)
    },
    mask: (shape, keep) => make(shape, uniformArray(next(), sizeOf(shape)).map((u) => (u < keep ? 1 : 0))),
    distinct: (shape, spacing = 0.25) => {
      const n = sizeOf(shape)
      const u = uniformArray(next(), n)
      const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => u[a] - u[b])
      const out = new Float64Array(n)
      order.forEach((pos, rank) => { out[pos] = (rank - (n - 1) / 2) * spacing })
      return make(shape, out)
    },
    constant: (shape, v) => make(shape, new Float64Array(sizeOf(shape)).fill(v)),
  }
}
