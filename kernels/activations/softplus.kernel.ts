/**
 * Float32 mirror of src/activations/softplus.ts, s0 = beta, s1 = threshold:
 *   (1) y = x                            where beta x > threshold (strictly)
 *   (2) y = log(1 + exp(beta x)) / beta  elsewhere, with z = beta x evaluated as
 *   (3) log(1 + e^z) = z + log1p(e^-z) for z > 0, log1p(e^z) otherwise
 *   (4) y' = 1 where beta x > threshold, sigma(beta x) elsewhere
 * log1p is our series helper (../math/log1p.ts), not gpu.js's naive one: for
 * z << 0 the naive log(1 + e^z) rounds to 0 and (2) would lose every digit.
 */
import * as Softplus from '../../src/activations/softplus.ts'
import { log1p32 } from '../math/log1p.ts'
import type { KernelThis } from '../runtime.ts'
import { pointwise } from './pointwise.ts'
import { sigmoid32 } from './sigmoid.kernel.ts'

/** log(1 + e^z), (3). */
export function log1pExp32(z: number): number {
  if (z > 0) return z + log1p32(Math.exp(-z)) // (3)
  return log1p32(Math.exp(z)) // (3)
}

export const op = pointwise<Softplus.Attrs>({
  name: 'softplus',
  parseAttrs: Softplus.op.parseAttrs,
  scalars: (a) => [a.beta, a.threshold],
  functions: [log1p32, log1pExp32, sigmoid32],
  f: function (this: KernelThis, x: number[], s0: number, s1: number): number {
    const v = x[this.thread.x]
    if (s0 * v > s1) return v // (1)
    return log1pExp32(s0 * v) / s0 // (2)
  },
  df: function (this: KernelThis, x: number[], y: number[], g: number[], s0: number, s1: number): number {
    const v = x[this.thread.x]
    if (s0 * v > s1) return g[this.thread.x] // (4)
    return g[this.thread.x] * sigmoid32(s0 * v) // (4)
  },
})
