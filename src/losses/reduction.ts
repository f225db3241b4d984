/**
 * The reductions every loss shares (case format, Conventions: `reduction` is
 * "mean", "sum" or "none", default "mean"). A loss computes one value l_i per
 * position i (an element, or a sample and its spatial position), then
 *   (1) none: L_i = l_i      (2) sum: L = sum_i l_i      (3) mean: L = sum_i l_i / D
 * The divisor D belongs to the loss: the number of positions for most, the
 * sum of the target classes' weights over non-ignored positions for the
 * class-index losses (PyTorch's nll_loss; ./class-target.ts). D = 0 gives
 * 0/0 = NaN, as PyTorch's mean of nothing does.
 * Backward, g = dL/dL (shape [] for (2), (3); the shape of l for (1)):
 *   (4) dl_i = g_i (none),  g (sum),  g / D (mean)
 */
import { oneOf } from '../core/attrs.ts'
import { type Shape, type Tensor, make } from '../core/tensor.ts'

export type Reduction = 'mean' | 'sum' | 'none'

/** The attribute parser, with the catalogue's default. */
export const reduction = oneOf<Reduction>(['mean', 'sum', 'none'], 'mean')

/** The loss output: per-position values l (shape `shape`) reduced by `r` with divisor D. */
export const reduce = (l: Float64Array, shape: Shape, r: Reduction, divisor: number): Tensor => {
  if (r === 'none') return make(shape, l) // (1)
  let s = 0
  for (let i = 0; i < l.length; i++) s += l[i] // (2)
  return make([], Float64Array.of(r === 'sum' ? s : s / divisor)) // (3)
}

/** dl_i for each of `n` positions from the cotangent g of the reduced loss. */
export const spread = (g: Tensor, n: number, r: Reduction, divisor: number): Float64Array => {
  if (r === 'none') return Float64Array.from(g.data) // (4)
  return new Float64Array(n).fill(r === 'sum' ? g.data[0] : g.data[0] / divisor) // (4)
}
