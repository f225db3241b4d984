/**
 * Float32 mirror of src/activations/sigmoid.ts:
 *   (1) y = 1 / (1 + exp(-x)) for x >= 0, exp(x) / (1 + exp(x)) for x < 0   exp never overflows
 *   (2) y' = sigma(x) sigma(-x)                                            no 1 - y cancellation
 */
import * as Sigmoid from '../../src/activations/sigmoid.ts'
import type { KernelThis } from '../runtime.ts'
import { pointwise } from './pointwise.ts'

/** sigma(v) in f32, (1); a gpu.js helper (a plain function declaration). */
export function sigmoid32(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v)) // (1)
  const e = Math.exp(v)
  return e / (1 + e) // (1)
}

export const op = pointwise({
  name: 'sigmoid',
  parseAttrs: Sigmoid.op.parseAttrs,
  scalars: () => [0, 0],
  functions: [sigmoid32],
  f: function (this: KernelThis, x: number[], s0: number, s1: number): number {
    return sigmoid32(x[this.thread.x]) // (1)
  },
  df: function (this: KernelThis, x: number[], y: number[], g: number[], s0: number, s1: number): number {
    return g[this.thread.x] * (y[this.thread.x] * sigmoid32(-x[this.thread.x])) // (2)
  },
})
