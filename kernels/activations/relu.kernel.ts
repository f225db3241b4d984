/**
 * Float32 mirror of src/activations/relu.ts:
 *   (1) y = max(0, x)
 *   (2) y' = 1 for x > 0, 0 for x <= 0     relu'(0) = 0, PyTorch's choice
 * Written as src writes it (NaN <= 0 is false, so NaN passes), not as
 * Math.max: gpu.js cpu mode then keeps NaN as src/ and PyTorch do; on webgpu
 * NaN handling is undefined (fast-math, gpujs §5.4; traps.spec.ts records
 * what this driver does).
 */
import * as Relu from '../../src/activations/relu.ts'
import type { KernelThis } from '../runtime.ts'
import { pointwise } from './pointwise.ts'

export const op = pointwise({
  name: 'relu',
  parseAttrs: Relu.op.parseAttrs,
  scalars: () => [0, 0],
  f: function (this: KernelThis, x: number[], s0: number, s1: number): number {
    const v = x[this.thread.x]
    return v <= 0 ? 0 : v // (1), NaN <= 0 is false: NaN passes through where the backend keeps NaN
  },
  df: function (this: KernelThis, x: number[], y: number[], g: number[], s0: number, s1: number): number {
    return x[this.thread.x] > 0 ? g[this.thread.x] : 0 // (2)
  },
})
