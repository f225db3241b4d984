/**
 * GELU (Hendrycks & Gimpel 2016), PyTorch `F.gelu(x, approximate = "none")`.
 * approximate "none", Phi the standard normal CDF:
 *   (1) y = x Phi(x) = x/2 erfc(-x / sqrt 2)     = x/2 (1 + erf(x / sqrt 2)), without the
 *                                                cancellation of 1 + erf for x << 0
 *   (2) y' = Phi(x) + x phi(x),   phi(x) = exp(-x^2 / 2) / sqrt(2 pi)
 * approximate "tanh" (PyTorch's formula, with its constant 0.044715):
 *   (3) u = sqrt(2/pi) (x + 0.044715 x^3),   u' = sqrt(2/pi) (1 + 3 * 0.044715 x^2)
 *   (4) y = x/2 (1 + tanh u) = x sigma(2u)    1 + tanh u = 2 sigma(2u): no cancellation for u << 0
 *   (5) y' = sigma(2u) + 2 x sigma(2u) sigma(-2u) u'
 *                                            = PyTorch's 0.5(1 + tanh u) + 0.5 x (1 - tanh^2 u) u'
 * approximate "sigmoid" (case format v2; Hendrycks & Gimpel's second form, not in PyTorch 1.13):
 *   (6) y = x sigma(1.702 x)
 *   (7) y' = sigma(1.702 x) + 1.702 x sigma(1.702 x) sigma(-1.702 x)
 * Backward, g = dL/dy: dx = g y'.
 */
import { oneOf, schema } from '../core/attrs.ts'
import { pointwise } from './elementwise.ts'
import { erfc } from './erf.ts'
import { sigmoid } from './sigmoid.ts'

export interface Attrs { readonly approximate: 'none' | 'tanh' | 'sigmoid' }

const INV_SQRT2PI = 0.3989422804014327 // 1 / sqrt(2 pi)
const SQRT_2_OVER_PI = 0.7978845608028654 // sqrt(2 / pi)
const KAPPA = 0.044715

/** Phi(x), accurate in relative terms in the left tail. */
export const normalCdf = (x: number): number => 0.5 * erfc(-x * Math.SQRT1_2)

const exact = {
  f: (x: number): number => x * normalCdf(x), // (1)
  df: (x: number): number => normalCdf(x) + x * INV_SQRT2PI * Math.exp(-0.5 * x * x), // (2)
}

const tanhForm = {
  f: (x: number): number => x * sigmoid(2 * SQRT_2_OVER_PI * (x + KAPPA * x * x * x)), // (3), (4)
  df: (x: number): number => {
    const u = SQRT_2_OVER_PI * (x + KAPPA * x * x * x) // (3)
    const du = SQRT_2_OVER_PI * (1 + 3 * KAPPA * x * x) // (3)
    const sp = sigmoid(2 * u)
    // Beyond |x| ~ 1.3e154, du overflows while sp * sigma(-2u) is 0: NaN, as PyTorch's
    // (1 - tanh^2 u) * inf is there (and at +-inf); the limit would be 1 or 0.
    return sp + 2 * x * sp * sigmoid(-2 * u) * du // (5)
  },
}

const SIGMOID_K = 1.702

const sigmoidForm = {
  f: (x: number): number => x * sigmoid(SIGMOID_K * x), // (6)
  df: (x: number): number => sigmoid(SIGMOID_K * x) + SIGMOID_K * x * sigmoid(SIGMOID_K * x) * sigmoid(-SIGMOID_K * x), // (7)
}

const forms = { none: exact, tanh: tanhForm, sigmoid: sigmoidForm }

export const op = pointwise<Attrs>({
  name: 'gelu',
  attrs: schema<Attrs>({ approximate: oneOf(['none', 'tanh', 'sigmoid'] as const, 'none') }),
  f: (x, a) => forms[a.approximate].f(x), // (1), (4), (6)
  df: (x, _y, a) => forms[a.approximate].df(x), // (2), (5), (7)
})
