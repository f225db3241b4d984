/**
 * Mish (Misra 2019), PyTorch `F.mish`:
 *   (1) s = softplus(x) = log(1 + e^x)    no threshold: PyTorch's mish kernel uses log1p(exp(x)) as is
 *   (2) y = x tanh(s)
 *   (3) y' = tanh(s) + x sigma(x) sech^2(s)    since s' = sigma(x)
 * Backward, g = dL/dy: dx = g y'. sech^2(s) = 1 / cosh^2(s) rather than
 * 1 - tanh^2(s), which cancels for large x.
 */
import { noAttrs } from '../core/attrs.ts'
import { pointwise } from './elementwise.ts'
import { sigmoid } from './sigmoid.ts'
import { log1pExp } from './softplus.ts'
import { sech2 } from './tanh.ts'

export const op = pointwise({
  name: 'mish',
  attrs: noAttrs,
  f: (x) => x * Math.tanh(log1pExp(x)), // (1), (2)
  df: (x) => {
    const s = log1pExp(x) // (1)
    return Math.tanh(s) + x * sigmoid(x) * sech2(s) // (3)
  },
})
