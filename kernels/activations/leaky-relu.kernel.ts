/**
 * Float32 mirror of src/activations/leaky-relu.ts, s0 = negative_slope:
 *   (1) y = x for x > 0, negative_slope x for x <= 0
 *   (2) y' = 1 for x > 0, negative_slope for x <= 0     leaky_relu'(0) = negative_slope
 */
import * as LeakyRelu from '../../src/activations/leaky-relu.ts'
import type { KernelThis } from '../runtime.ts'
import { pointwise } from './pointwise.ts'

export const op = pointwise<LeakyRelu.Attrs>({
  name: 'leaky_relu',
  parseAttrs: LeakyRelu.op.parseAttrs,
  scalars: (a) => [a.negative_slope, 0],
  f: function (this: KernelThis, x: number[], s0: number, s1: number): number {
    const v = x[this.thread.x]
    return v > 0 ? v : s0 * v // (1)
  },
  df: function (this: KernelThis, x: number[], y: number[], g: number[], s0: number, s1: number): number {
    return x[this.thread.x] > 0 ? g[this.thread.x] : s0 * g[this.thread.x] // (2)
  },
})
