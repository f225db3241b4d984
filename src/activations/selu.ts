/**
 * SELU (Klambauer et al. 2017), PyTorch `F.selu`, a scaled ELU with fixed constants:
 *   (1) y = scale x for x > 0, scale alpha (exp(x) - 1) for x <= 0
 *   (2) y' = scale for x > 0, scale alpha exp(x) for x <= 0      at 0 the x <= 0 branch, as elu'(0)
 * Backward, g = dL/dy: dx = g y'. The constants are PyTorch's (its SELU_ALPHA
 * and SELU_SCALE, the paper's closed-form values), rounded to float64; ONNX
 * uses their float32 roundings, which differ in the 8th digit.
 */
import { noAttrs } from '../core/attrs.ts'
import { pointwise } from './elementwise.ts'

export const ALPHA = 1.6732632423543772848170429916717
export const SCALE = 1.0507009873554804934193349852946
/** PyTorch multiplies by the rounded product alpha * scale (its negcoef). */
const NEG = ALPHA * SCALE

export const op = pointwise({
  name: 'selu',
  attrs: noAttrs,
  f: (x) => (x > 0 ? SCALE * x : NEG * Math.expm1(x)), // (1)
  df: (x) => (x <= 0 ? NEG * Math.exp(x) : SCALE), // (2); x <= 0 as in PyTorch's elu_backward: NaN gets SCALE
})
