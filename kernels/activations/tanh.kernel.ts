/**
 * Float32 mirror of src/activations/tanh.ts:
 *   (1) y = tanh(x) = -sign(x) e / (2 + e),  e = expm1(-2|x|) in (-1, 0]
 *   (2) y' = sech^2(x) = 1 / cosh^2(x)     cosh overflowing (|x| > 89 in f32) gives the limit 0
 * Why not Math.tanh: WGSL only promises "the worse of 1e-5 absolute error and
 * sinh(x)/cosh(x)" for tanh (WGSL §15.7.4), and lavapipe's is accurate only in
 * absolute terms near 0 (tanh(1e-7) = 1.19e-7, gpujs §5.3). (1) with our
 * series expm1 (../math/expm1.ts) keeps relative accuracy everywhere: e has a
 * relative error of a few u, and 2 + e >= 1 adds no cancellation.
 */
import * as Tanh from '../../src/activations/tanh.ts'
import { expm1_32 } from '../math/expm1.ts'
import type { KernelThis } from '../runtime.ts'
import { pointwise } from './pointwise.ts'

/** tanh(v) by (1). */
export function tanh32(v: number): number {
  const e = expm1_32(-2 * Math.abs(v))
  const t = -e / (2 + e) // (1)
  return v < 0 ? -t : t // (1)
}

export const op = pointwise({
  name: 'tanh',
  parseAttrs: Tanh.op.parseAttrs,
  scalars: () => [0, 0],
  functions: [expm1_32, tanh32],
  f: function (this: KernelThis, x: number[], s0: number, s1: number): number {
    return tanh32(x[this.thread.x]) // (1)
  },
  df: function (this: KernelThis, x: number[], y: number[], g: number[], s0: number, s1: number): number {
    const c = Math.cosh(x[this.thread.x])
    return g[this.thread.x] * (1 / (c * c)) // (2)
  },
})
