/**
 * Elastic-net penalty (Zou & Hastie 2005), beta weighing the squares against
 * the absolute values (case format: `sum beta*w^2 + |w|`):
 *   (1) loss = sum_i beta w_i^2 + |w_i|
 *   (2) dw_i = g (2 beta w_i + sign(w_i)),  sign(0) = 0 as for l1_penalty
 */
import { number, schema } from '../core/attrs.ts'
import { penalty, sign } from './penalty.ts'

export interface Attrs { readonly beta: number }

export const op = penalty<Attrs>({
  name: 'elastic_net_penalty',
  attrs: schema<Attrs>({ beta: number(1) }),
  f: (w, { beta }) => beta * w * w + Math.abs(w), // (1)
  df: (w, { beta }) => 2 * beta * w + sign(w), // (2)
})
