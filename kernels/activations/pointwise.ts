/**
 * The float32 mirror of src/activations/elementwise.ts: y_i = f(x_i), and the
 * VJP dx_i = g_i f'(x_i) given x and the already computed y. Each activation
 * supplies two gpu.js kernel functions over a flat 1-D output, reading
 * element this.thread.x inline (exact past 2^24, gpujs §3):
 *   f : function (x, s0, s1)       -> y_i
 *   df: function (x, y, g, s0, s1) -> dx_i
 * s0, s1 are the op's numeric attributes as f32 scalars (unused ones are 0).
 * `resident` runs the same two kernels on device tensors (../device-tensor.ts);
 * its backward reads y from the forward's output, which the caller keeps
 * alive until then.
 * NaN: the webgpu path behaves as if built with fast-math (gpujs §5.4), so
 * NaN propagation is undefined there; src/ is the reference for NaN.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { RawAttrs } from '../../src/core/attrs.ts'
import type { OpError } from '../../src/core/errors.ts'
import type { KernelError } from '../runtime.ts'
import { checkInputs } from '../../src/core/op.ts'
import type { Shape } from '../../src/core/tensor.ts'
import { type DeviceTensor, bind, release, reshape } from '../device-tensor.ts'
import { type KernelOp, type ResidentOp, download, keep, upload } from '../op.ts'
import { type F32, type KernelSpec, ran, run, runResident } from '../runtime.ts'

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
  /** A flat [n] result as a tensor of `shape` (a view). */
  const shaped = (r: E.Either<KernelError, DeviceTensor>, shape: Shape): E.Either<KernelError, DeviceTensor> => {
    if (E.isLeft(r)) return r
    const v = reshape(r.right, shape)
    release(r.right)
    return v
  }
  // the same kernels on device tensors (issue 18); the cache is x (the caller's) and y (the caller's output)
  const resident: ResidentOp<A, { readonly x: DeviceTensor; readonly y: DeviceTensor }> = {
    forward: async (dev, a, { x }) => {
      if (x === undefined) return E.left({ _tag: 'Invalid', op: p.name, arg: 'inputs.x', expected: 'a tensor', received: 'nothing' })
      const [s0, s1] = p.scalars(a)
      const y = shaped(await runResident(dev, fwd, [x.size], [bind(x, [x.size]), s0, s1]), x.shape)
      return E.map((t: DeviceTensor) => ({ outputs: { y: t }, cache: { x, y: t } }))(y)
    },
    backward: async (dev, a, { x, y }, { y: g }) => {
      const [s0, s1] = p.scalars(a)
      const dx = shaped(await runResident(dev, bwd, [x.size], [bind(x, [x.size]), bind(y, [x.size]), bind(g, [x.size]), s0, s1]), x.shape)
      return E.map((t: DeviceTensor) => ({ x: t }))(dx)
    },
    dispose: () => undefined,
  }
  return {
    name: p.name,
    parseAttrs: p.parseAttrs,
    resident,
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
