/**
 * Hyperbolic tangent, PyTorch `torch.tanh`:
 *   (1) y = tanh(x)
 *   (2) y' = sech^2(x) = 1 / cosh^2(x)   = 1 - y^2, but keeping relative accuracy where y rounds to
 *                                        +-1 (|x| > 19); cosh overflowing gives the right limit 0
 * Backward, g = dL/dy: dx = g y'.
 */
import { noAttrs } from '../core/attrs.ts'
import { pointwise } from './elementwise.ts'

/** sech^2(x), also used by mish. */
// #region op
export const sech2 = (x: number): number => {
  const c = Math.cosh(x)
  return 1 / (c * c)
}

export const op = pointwise({
  name: 'tanh',
  attrs: noAttrs,
  f: Math.tanh, // (1)
  df: sech2, // (2)
})
// #endregion op
