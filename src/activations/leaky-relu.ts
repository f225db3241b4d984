/**
 * Leaky ReLU (Maas, Hannun & Ng 2013), PyTorch `F.leaky_relu(x, negative_slope = 0.01)`:
 *   (1) y = x for x > 0, negative_slope x for x <= 0     NaN propagates
 *   (2) y' = 1 for x > 0, negative_slope for x <= 0      leaky_relu'(0) = negative_slope, PyTorch's
 *                                                        choice (case format, Conventions); JAX takes 1
 * Backward, g = dL/dy: dx = g y'.
 */
import { number, schema } from '../core/attrs.ts'
import { pointwise } from './elementwise.ts'

export interface Attrs { readonly negative_slope: number }

export const op = pointwise<Attrs>({
  name: 'leaky_relu',
  attrs: schema<Attrs>({ negative_slope: number(0.01) }),
  f: (x, a) => (x > 0 ? x : a.negative_slope * x), // (1)
  df: (x, _y, a) => (x > 0 ? 1 : a.negative_slope), // (2)
})
