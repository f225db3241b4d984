/**
 * Softsign, PyTorch `F.softsign`:
 *   (1) y = x / (1 + |x|)
 *   (2) y' = 1 / (1 + |x|)^2       continuous at 0 (value 1); y'' jumps there
 * Backward, g = dL/dy: dx = g y'. At +-inf the value is inf/inf = NaN, and so
 * is the derivative, as in PyTorch's composite softsign (whose derivative
 * there is 0 - inf/inf); (2) alone would give the limit 0.
 */
import { noAttrs } from '../core/attrs.ts'
import { pointwise } from './elementwise.ts'

export const op = pointwise({
  name: 'softsign',
  attrs: noAttrs,
  f: (x) => x / (1 + Math.abs(x)), // (1)
  df: (x, y) => {
    const d = 1 + Math.abs(x)
    // d * d overflows past |x| ~ 1.3e154, where (2) is still a subnormal: divide twice there
    return Number.isNaN(y) ? NaN : d > 1e150 ? 1 / d / d : 1 / (d * d) // (2)
  },
})
