/**
 * ELU (Clevert, Unterthiner & Hochreiter 2016), PyTorch `F.elu(x, alpha = 1)`:
 *   (1) y = x for x > 0, alpha (exp(x) - 1) for x <= 0    expm1: no cancellation near 0
 *   (2) y' = 1 for x > 0, alpha exp(x) for x <= 0         elu'(0) = alpha, PyTorch's choice (case format)
 * Backward, g = dL/dy: dx = g y'. (2) is alpha exp(x), not y + alpha, which
 * cancels for x << 0.
 */
import { number, schema } from '../core/attrs.ts'
import { pointwise } from './elementwise.ts'

export interface Attrs { readonly alpha: number }

export const op = pointwise<Attrs>({
  name: 'elu',
  attrs: schema<Attrs>({ alpha: number(1) }),
  f: (x, { alpha }) => (x > 0 ? x : alpha * Math.expm1(x)), // (1)
  // tested as x <= 0, as PyTorch's elu_backward does, so that NaN takes the slope-1 branch as there
  df: (x, _y, { alpha }) => (x <= 0 ? alpha * Math.exp(x) : 1), // (2)
})
