/**
 * L2 (ridge) penalty, the plain sum of squares (no 1/2 factor):
 *   (1) loss = sum_i w_i^2
 *   (2) dw_i = 2 g w_i
 */
import { noAttrs } from '../core/attrs.ts'
import { penalty } from './penalty.ts'

export const op = penalty({
  name: 'l2_penalty',
  attrs: noAttrs,
  f: (w) => w * w, // (1)
  df: (w) => 2 * w, // (2)
})
