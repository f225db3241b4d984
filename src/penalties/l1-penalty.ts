/**
 * L1 (lasso) penalty:
 *   (1) loss = sum_i |w_i|
 *   (2) dw_i = g sign(w_i),  sign(0) = 0 (the subgradient PyTorch's abs gives at the kink)
 */
import { noAttrs } from '../core/attrs.ts'
import { penalty, sign } from './penalty.ts'

export const op = penalty({
  name: 'l1_penalty',
  attrs: noAttrs,
  f: (w) => Math.abs(w), // (1)
  df: (w) => sign(w), // (2)
})
