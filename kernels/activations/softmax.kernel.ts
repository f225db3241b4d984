/**
 * Float32 mirror of src/activations/softmax.ts, per lane x of n elements
 * (./lanes.kernel.ts):
 *   (1) m = max_k x_k
 *   (2) e_k = exp(x_k - m),  s = sum_k e_k
 *   (3) y_k = e_k / s
 * Backward, g = dL/dy:
 *   (4) dx = y * (g - sum_k g_k y_k)
 * Two launches forward (m and s together, ./lanes.kernel.ts laneStats; then y),
 * two backward (the lane dot, dx), on device tensors (`resident`, issue 18);
 * the host path uploads x once, runs the same kernels and reads y back.
 * Subscripts [o][k][i] are spelled with the `rows` ternaries of the lane
 * layout (./lanes.kernel.ts, `grid`): thread (z, y, x), or (y, x, z) when inner = 1.
 */
import * as E from 'fp-ts/lib/Either.js'
import { lanesOf } from '../../src/activations/lanes.ts'
import * as Softmax from '../../src/activations/softmax.ts'
import { checkInputs } from '../../src/core/op.ts'
import type { Shape, Tensor } from '../../src/core/tensor.ts'
import { type DeviceTensor, bind, fromF32, release, reshape, scoped, toF32, toHost } from '../device-tensor.ts'
import { type KernelOp, type ResidentOp, download } from '../op.ts'
import { type KernelSpec, type KernelThis, ran, runResident } from '../runtime.ts'
import { grid, laneDot, laneStats } from './lanes.kernel.ts'

/** Host-path cache: y as float32, uploaded again by the backward. */
export interface Cache { readonly shape: Shape; readonly dims: readonly [number, number, number]; readonly y: Float32Array }
/** Resident cache: y is the forward's output, which the caller keeps alive until the backward. */
export interface ResidentCache { readonly shape: Shape; readonly dims: readonly [number, number, number]; readonly y: DeviceTensor }

const probabilities: KernelSpec = {
  name: 'softmax.y',
  args: { x: 'Input', st: 'Input', rows: 'Integer' },
  fn: function (this: KernelThis, x: number[][][], st: number[][][], rows: number): number {
    const e = Math.exp(x[rows === 1 ? this.thread.y : this.thread.z][rows === 1 ? this.thread.x : this.thread.y][rows === 1 ? this.thread.z : this.thread.x] - st[0][rows === 1 ? this.thread.y : this.thread.z][rows === 1 ? this.thread.z : this.thread.x]) // (2)
    return e / st[1][rows === 1 ? this.thread.y : this.thread.z][rows === 1 ? this.thread.z : this.thread.x] // (3)
  },
}

const vjp: KernelSpec = {
  name: 'softmax.dx',
  args: { y: 'Input', g: 'Input', gy: 'Input', rows: 'Integer' },
  fn: function (this: KernelThis, y: number[][][], g: number[][][], gy: number[][], rows: number): number {
    return y[rows === 1 ? this.thread.y : this.thread.z][rows === 1 ? this.thread.x : this.thread.y][rows === 1 ? this.thread.z : this.thread.x] * (g[rows === 1 ? this.thread.y : this.thread.z][rows === 1 ? this.thread.x : this.thread.y][rows === 1 ? this.thread.z : this.thread.x] - gy[rows === 1 ? this.thread.y : this.thread.z][rows === 1 ? this.thread.z : this.thread.x]) // (4)
  },
}

const shaped = (r: E.Either<import('../runtime.ts').KernelError, DeviceTensor>, shape: Shape) => {
  if (E.isLeft(r)) return r
  const v = reshape(r.right, shape)
  release(r.right)
  return v
}

export const resident: ResidentOp<Softmax.Attrs, ResidentCache> = {
  forward: async (dev, { dim }, { x }) => {
    if (x === undefined) return E.left({ _tag: 'Invalid', op: 'softmax', arg: 'inputs.x', expected: 'a tensor', received: 'nothing' })
    const lanes = lanesOf('softmax', x.shape, dim)
    if (E.isLeft(lanes)) return lanes
    const { outer, n, inner } = lanes.right
    const dims = [outer, n, inner] as const
    const gr = grid(outer, n, inner)
    return scoped(async (s) => {
      const x3 = bind(x, dims)
      const st = s.temp(s.ok(await runResident(dev, laneStats, [2, ...gr.lanes], [x3, n, gr.rows]))) // (1), (2)
      const y = s.ok(shaped(await runResident(dev, probabilities, gr.elements, [x3, bind(st, [2, outer, inner]), gr.rows]), x.shape)) // (3)
      return { outputs: { y }, cache: { shape: x.shape, dims, y } }
    })
  },
  backward: async (dev, _a, { shape, dims, y }, { y: g }) => {
    const [outer, n, inner] = dims
    const gr = grid(outer, n, inner)
    return scoped(async (s) => {
      const y3 = bind(y, dims), g3 = bind(g, dims)
      const gy = s.temp(s.ok(await runResident(dev, laneDot, gr.lanes, [g3, y3, n, gr.rows]))) // (4)
      const dx = s.ok(shaped(await runResident(dev, vjp, gr.elements, [y3, g3, bind(gy, [outer, inner]), gr.rows]), shape)) // (4)
      return { x: dx }
    })
  },
  dispose: () => undefined,
}

export const op: KernelOp<Softmax.Attrs, Cache> = {
  name: 'softmax',
  parseAttrs: Softmax.op.parseAttrs,
  resident,
  forward: async (dev, attrs, inputs) => {
    const checked = checkInputs('softmax', Softmax.op.inputs, inputs)
    if (E.isLeft(checked)) return checked
    const t = inputs.x!
    const r = await scoped(async (s) => {
      const x = s.temp(s.ok(fromF32(dev, Float32Array.from(t.data), t.shape)))
      const f = s.ok(await resident.forward(dev, attrs, { x }))
      s.temp(f.outputs.y)
      const y = s.ok(await toF32(f.outputs.y))
      return { outputs: { y: download(t.shape, y) }, cache: { shape: t.shape, dims: f.cache.dims, y } }
    })
    return E.map((v: { outputs: Record<string, Tensor>; cache: Cache }) => ran(dev, v))(r)
  },
  backward: async (dev, attrs, { shape, dims, y }, { y: gt }) => {
    const r = await scoped(async (s) => {
      const yd = s.temp(s.ok(fromF32(dev, y, shape)))
      const g = s.temp(s.ok(fromF32(dev, Float32Array.from(gt.data), shape)))
      const grads = s.ok(await resident.backward!(dev, attrs, { shape, dims, y: yd }, { y: g }))
      return { x: s.ok(await toHost(s.temp(grads.x))) }
    })
    return E.map((v: Record<string, Tensor>) => ran(dev, v))(r)
  },
}
