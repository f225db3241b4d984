/**
 * The groups each normalization standardizes over, written out here from the
 * definitions (PyTorch's docs), independently of src/normalization's
 * partitions, so that the laws check the ops' grouping rather than reuse it.
 * A group is the list of flat (row-major) positions of x it holds.
 */
import { type Shape, type Tensor, make, sizeOf } from '../../src/core/tensor.ts'

export type Groups = readonly (readonly number[])[]

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i)

/** Batch norm: channel c of x [N, C, ...] over every sample and spatial position. */
export const channelGroups = (shape: Shape): Groups => {
  const [n, c] = shape, s = sizeOf(shape.slice(2))
  return range(c).map((ci) => range(n).flatMap((ni) => range(s).map((si) => (ni * c + ci) * s + si)))
}

/** Layer norm: each row of the last k dimensions. */
export const rowGroups = (shape: Shape, k: number): Groups => {
  const d = sizeOf(shape.slice(shape.length - k))
  return range(d === 0 ? 0 : sizeOf(shape) / d).map((r) => range(d).map((j) => r * d + j))
}

/** Instance norm: each (sample, channel) plane. */
export const planeGroups = (shape: Shape): Groups => {
  const s = sizeOf(shape.slice(2))
  return range(shape[0] * shape[1]).map((p) => range(s).map((j) => p * s + j))
}

/** Group norm: for each sample, num_groups blocks of C/G consecutive channels with their spatial positions. */
export const blockGroups = (shape: Shape, numGroups: number): Groups => {
  const [n, c] = shape, s = sizeOf(shape.slice(2)), per = c / numGroups
  return range(n * numGroups).map((b) => {
    const ni = Math.floor(b / numGroups), gi = b % numGroups
    return range(per).flatMap((ci) => range(s).map((si) => (ni * c + gi * per + ci) * s + si))
  })
}

export interface GroupStats {
  readonly n: number
  readonly mean: number
  /** biased */
  readonly variance: number
  readonly maxAbs: number
}

export const statsOf = (x: ArrayLike<number>, group: readonly number[]): GroupStats => {
  const n = group.length
  let s = 0, maxAbs = 0
  for (const i of group) { s += x[i]; maxAbs = Math.max(maxAbs, Math.abs(x[i])) }
  const mean = s / n
  let v = 0
  for (const i of group) v += (x[i] - mean) ** 2
  return { n, mean, variance: v / n, maxAbs }
}

/**
 * x with every group of two or more values given a standard deviation of at
 * least `minStd`: a group spread too little is stretched about its mean, and
 * a constant one replaced by mean +- minStd-ish alternating values. Groups of
 * one value stay (their xhat is 0 whatever x, so no curvature to fear).
 */
export const withSpread = (x: Tensor, groups: Groups, minStd: number): Tensor => {
  const out = Float64Array.from(x.data)
  for (const g of groups) {
    if (g.length < 2) continue
    const { mean, variance } = statsOf(out, g)
    const std = Math.sqrt(variance)
    if (std >= minStd) continue
    if (std > 1e-100) {
      for (const i of g) out[i] = mean + (out[i] - mean) * (minStd / std) * 1.0000001
    } else {
      // alternating +1, -1 has standard deviation >= sqrt(8/9) > 0.94 for every length >= 2
      g.forEach((i, j) => { out[i] = mean + (j % 2 === 0 ? 1 : -1) * (minStd / 0.94) })
    }
  }
  return make(x.shape, out)
}
