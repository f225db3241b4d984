/**
 * Log-sigmoid, PyTorch `F.logsigmoid`:
 *   (1) y = log sigma(x) = -softplus(-x) = min(x, 0) - log1p(exp(-|x|))   never overflows, no cancellation
 *   (2) y' = sigma(-x)
 * Backward, g = dL/dy: dx = g y'. Unlike the softplus op there is no
 * threshold here: PyTorch's log_sigmoid is the exact function everywhere.
 */
import { noAttrs } from '../core/attrs.ts'
import { pointwise } from './elementwise.ts'
import { sigmoid } from './sigmoid.ts'

export const op = pointwise({
  name: 'log_sigmoid',
  attrs: noAttrs,
  f: (x) => Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x))), // (1); Math.min passes NaN on
  df: (x) => sigmoid(-x), // (2)
})
