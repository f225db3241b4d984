/**
 * Float32 mirror of src/activations/silu.ts:
 *   (1) y = x sigma(x)
 *   (2) y' = sigma(x) (1 + x sigma(-x))    sigma(-x) directly, not the cancelling 1 - sigma(x)
 */
import * as Silu from '../../src/activations/silu.ts'
import type { KernelThis } from '../runtime.ts'
import { pointwise } from './pointwise.ts'
import { sigmoid32 } from './sigmoid.kernel.ts'

export const op = pointwise({
  name: 'silu',
  parseAttrs: Silu.op.parseAttrs,
  scalars: () => [0, 0],
  functions: [sigmoid32],
  f: function (this: KernelThis, x: number[], s0: number, s1: number): number {
    const v = x[this.thread.x]
    return v * sigmoid32(v) // (1)
  },
  df: function (this: KernelThis, x: number[], y: number[], g: number[], s0: number, s1: number): number {
    const v = x[this.thread.x]
    return g[this.thread.x] * (sigmoid32(v) * (1 + v * sigmoid32(-v))) // (2)
  },
})
