/**
 * SiLU / swish (Elfwing et al. 2018; Ramachandran et al. 2017), PyTorch `F.silu`:
 *   (1) y = x sigma(x)
 *   (2) y' = sigma(x) (1 + x sigma(-x))   = sigma(x) (1 + x (1 - sigma(x))), with sigma(-x) computed
 *                                         directly rather than as the cancelling 1 - sigma(x)
 * Backward, g = dL/dy: dx = g y'.
 */
import { noAttrs } from '../core/attrs.ts'
import { pointwise } from './elementwise.ts'
import { sigmoid } from './sigmoid.ts'

export const op = pointwise({
  name: 'silu',
  attrs: noAttrs,
  f: (x) => x * sigmoid(x), // (1)
  df: (x) => sigmoid(x) * (1 + x * sigmoid(-x)), // (2)
})
