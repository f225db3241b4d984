/**
 * Logistic sigmoid, PyTorch `torch.sigmoid`:
 *   (1) y = 1 / (1 + exp(-x))      for x >= 0
 *       y = exp(x) / (1 + exp(x))  for x < 0: the same value, written so that exp never overflows
 *   (2) y' = sigma(x) sigma(-x)     = y (1 - y), without the cancellation in 1 - y for large x
 *                                  (largest at x = 0, where it is exactly 1/4)
 * Backward, g = dL/dy: dx = g y'.
 */
import { noAttrs } from '../core/attrs.ts'
import { pointwise } from './elementwise.ts'

/** sigma(x) for any float64 x, NaN included (NaN fails x >= 0 and stays NaN below). */
// #region sigmoid
export const sigmoid = (x: number): number => {
  if (x >= 0) return 1 / (1 + Math.exp(-x)) // (1)
  const e = Math.exp(x)
  return e / (1 + e) // (1)
}

export const op = pointwise({
  name: 'sigmoid',
  attrs: noAttrs,
  f: sigmoid, // (1)
  df: (x, y) => y * sigmoid(-x), // (2)
})
// #endregion sigmoid
