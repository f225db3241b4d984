/**
 * The float32 mirror of src/activations/elementwise.ts: y_i = f(x_i), and the
 * VJP dx_i = g_i f'(x_i) given x and the already computed y. Each activation
 * supplies two gpu.js kernel functions over a flat 1-D output, reading
 * element this.thread.x inline (exact past 2^24, gpujs §3):
 *   f : function (x, s0, s1)       -> y_i
 *   df: function (x, y, g, s0, s1) -> dx_i
 * s0, s1 are the op's numeric attributes as f32 scalars (unused ones are 0).
 * NaN: the webgpu path behaves as if built with fast-math (gpujs §5.4), so
 * NaN propagation is undefined there; src/ is the reference for NaN.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { RawAttrs } from '../../src/core/attrs.ts'
import type { OpError } from '../../src/core/errors.ts'
import { checkInputs } from '../../src/core/op.ts'
import type { Shape } from '../../src/core/tensor.ts'
import { type KernelOp, download, keep, upload } from '../op.ts'
import { type F32, type KernelSpec, ran, run } from '../runtime.ts'

export interface Cache { readonly shape: Shape; readonly x: F32; readonly y: F32 }

export interface PointwiseKernel<A> {
  readonly name: string
  readonly parseAttrs: (raw: RawAttrs | undefined) => E.Either<OpError, A>
  /** the attributes the kernels read, as two f32 scalars */
  readonly scalars: (a: A) => readonly [number, number]
  readonly f: Function
  readonly df: Function
  /** helper functions the kernels call */
  readonly functions?: readonly Function[]
}

export const pointwise = <A>(p: PointwiseKernel<A>): KernelOp<A, Cache> => {
  const fwd: KernelSpec = { name: `${p.name}.f`, fn: p.f, args: { x: 'Input', s0: 'Float', s1: 'Float' }, functions: p.functions }
  const bwd: KernelSpec = { name: `${p.name}.df`, fn: p.df, args: { x: 'Input', y: 'Input', g: 'Input', s0: 'Float', s1: 'Float' }, functions: p.functions }
  return {
    name: p.name,
    parseAttrs: p.parseAttrs,
    forward: async (dev, a, inputs) => {
      const checked = checkInputs(p.name, [{ name: 'x' }], inputs)
      if (E.isLeft(checked)) return checked
      const t = inputs.x!
      const n = t.data.length
      const x = upload(t, [n])
      const [s0, s1] = p.scalars(a)
      const y = await run(dev, fwd, [n], [x, s0, s1])
      if (E.isLeft(y)) return y
      return E.right(ran(dev, { outputs: { y: download(t.shape, y.right) }, cache: { shape: t.shape, x, y: keep(y.right, [n]) } }))
    },
    backward: async (dev, a, { shape, x, y }, { y: g }) => {
      const [s0, s1] = p.scalars(a)
      const dx = await run(dev, bwd, [x.data.length], [x, y, upload(g, [x.data.length]), s0, s1])
      if (E.isLeft(dx)) return dx
      return E.right(ran(dev, { x: download(shape, dx.right) }))
    },
  }
}
