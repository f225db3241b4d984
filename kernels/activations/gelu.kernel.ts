/**
 * Float32 mirror of src/activations/gelu.ts, s0 = 1 for approximate "tanh", 2 for "sigmoid", 0 for "none":
 *   (1) y = x Phi(x) = x/2 erfc(-x / sqrt 2)
 *   (2) y' = Phi(x) + x phi(x),   phi(x) = exp(-x^2 / 2) / sqrt(2 pi)
 *   (3) u = sqrt(2/pi) (x + 0.044715 x^3),   u' = sqrt(2/pi) (1 + 3 * 0.044715 x^2)
 *   (4) y = x sigma(2u)
 *   (5) y' = sigma(2u) + 2 x sigma(2u) sigma(-2u) u'
 *   (6) y = x sigma(1.702 x)
 *   (7) y' = sigma(1.702 x) + 1.702 x sigma(1.702 x) sigma(-1.702 x)
 * erfc is ./erf.kernel.ts (Numerical Recipes' erfcc), not Cody's float64 fit.
 */
import * as Gelu from '../../src/activations/gelu.ts'
import type { KernelThis } from '../runtime.ts'
import { erfc32 } from './erf.kernel.ts'
import { pointwise } from './pointwise.ts'
import { sigmoid32 } from './sigmoid.kernel.ts'

export const op = pointwise<Gelu.Attrs>({
  name: 'gelu',
  parseAttrs: Gelu.op.parseAttrs,
  scalars: (a) => [a.approximate === 'tanh' ? 1 : a.approximate === 'sigmoid' ? 2 : 0, 0],
  functions: [erfc32, sigmoid32],
  f: function (this: KernelThis, x: number[], s0: number, s1: number): number {
    const v = x[this.thread.x]
    if (s0 > 1.5) return v * sigmoid32(1.702 * v) // (6)
    if (s0 > 0.5) {
      const u = 0.7978845608028654 * (v + 0.044715 * v * v * v) // (3)
      return v * sigmoid32(2 * u) // (4)
    }
    return v * (0.5 * erfc32(-v * 0.7071067811865476)) // (1)
  },
  df: function (this: KernelThis, x: number[], y: number[], g: number[], s0: number, s1: number): number {
    const v = x[this.thread.x]
    if (s0 > 1.5) {
      const sp = sigmoid32(1.702 * v)
      // (7) as sp + 1.702 v sp sm: the product, not 1 - sp, keeps the tail's relative accuracy
      return g[this.thread.x] * (sp + 1.702 * v * (sp * sigmoid32(-1.702 * v))) // (7)
    }
    if (s0 > 0.5) {
      const u = 0.7978845608028654 * (v + 0.044715 * v * v * v) // (3)
      const du = 0.7978845608028654 * (1 + 3 * 0.044715 * v * v) // (3)
      const sp = sigmoid32(2 * u)
      const sm = sigmoid32(-2 * u)
      const prod = sp * sm
      // |v| > ~7e12 overflows u' while sp sm underflows to 0: the product's limit is 0, not NaN
      return g[this.thread.x] * (sp + (prod === 0 ? 0 : 2 * v * prod * du)) // (5)
    }
    return g[this.thread.x] * (0.5 * erfc32(-v * 0.7071067811865476) + v * 0.3989422804014327 * Math.exp(-0.5 * v * v)) // (2)
  },
})
