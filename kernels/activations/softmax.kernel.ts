/**
 * Float32 mirror of src/activations/softmax.ts, per lane x of n elements
 * (./lanes.kernel.ts):
 *   (1) m = max_k x_k
 *   (2) e_k = exp(x_k - m),  s = sum_k e_k
 *   (3) y_k = e_k / s
 * Backward, g = dL/dy:
 *   (4) dx = y * (g - sum_k g_k y_k)
 * Three launches forward (m, s, y), two backward (the lane dot, dx).
 * Subscripts [o][k][i] are spelled with the `rows` ternaries of the lane
 * layout (./lanes.kernel.ts, `grid`): thread (z, y, x), or (y, x, z) when inner = 1.
 */
import * as E from 'fp-ts/lib/Either.js'
import { lanesOf } from '../../src/activations/lanes.ts'
import * as Softmax from '../../src/activations/softmax.ts'
import { checkInputs } from '../../src/core/op.ts'
import type { Shape } from '../../src/core/tensor.ts'
import { type KernelOp, download, keep, upload } from '../op.ts'
import { type F32, type KernelSpec, type KernelThis, ran, run } from '../runtime.ts'
import { grid, laneDot, laneMax, laneSumExp } from './lanes.kernel.ts'

export interface Cache { readonly shape: Shape; readonly y: F32 }

const probabilities: KernelSpec = {
  name: 'softmax.y',
  args: { x: 'Input', m: 'Input', s: 'Input', rows: 'Integer' },
  fn: function (this: KernelThis, x: number[][][], m: number[][], s: number[][], rows: number): number {
    const e = Math.exp(x[rows === 1 ? this.thread.y : this.thread.z][rows === 1 ? this.thread.x : this.thread.y][rows === 1 ? this.thread.z : this.thread.x] - m[rows === 1 ? this.thread.y : this.thread.z][rows === 1 ? this.thread.z : this.thread.x]) // (2)
    return e / s[rows === 1 ? this.thread.y : this.thread.z][rows === 1 ? this.thread.z : this.thread.x] // (3)
  },
}

const vjp: KernelSpec = {
  name: 'softmax.dx',
  args: { y: 'Input', g: 'Input', gy: 'Input', rows: 'Integer' },
  fn: function (this: KernelThis, y: number[][][], g: number[][][], gy: number[][], rows: number): number {
    return y[rows === 1 ? this.thread.y : this.thread.z][rows === 1 ? this.thread.x : this.thread.y][rows === 1 ? this.thread.z : this.thread.x] * (g[rows === 1 ? this.thread.y : this.thread.z][rows === 1 ? this.thread.x : this.thread.y][rows === 1 ? this.thread.z : this.thread.x] - gy[rows === 1 ? this.thread.y : this.thread.z][rows === 1 ? this.thread.z : this.thread.x]) // (4)
  },
}

export const op: KernelOp<Softmax.Attrs, Cache> = {
  name: 'softmax',
  parseAttrs: Softmax.op.parseAttrs,
  forward: async (dev, { dim }, inputs) => {
    const checked = checkInputs('softmax', Softmax.op.inputs, inputs)
    if (E.isLeft(checked)) return checked
    const t = inputs.x!
    const lanes = lanesOf('softmax', t.shape, dim)
    if (E.isLeft(lanes)) return lanes
    const { outer, n, inner } = lanes.right
    const dims = [outer, n, inner]
    const gr = grid(outer, n, inner)
    const x = upload(t, dims)
    const m = await run(dev, laneMax, gr.lanes, [x, n, gr.rows]) // (1)
    if (E.isLeft(m)) return m
    const s = await run(dev, laneSumExp, gr.lanes, [x, keep(m.right, [outer, inner]), n, gr.rows]) // (2)
    if (E.isLeft(s)) return s
    const y = await run(dev, probabilities, gr.elements, [x, keep(m.right, [outer, inner]), keep(s.right, [outer, inner]), gr.rows]) // (3)
    if (E.isLeft(y)) return y
    return E.right(ran(dev, { outputs: { y: download(t.shape, y.right) }, cache: { shape: t.shape, y: keep(y.right, dims) } }))
  },
  backward: async (dev, _a, { shape, y }, { y: gt }) => {
    const [outer, n, inner] = y.dims
    const gr = grid(outer, n, inner)
    const g = upload(gt, y.dims)
    const gy = await run(dev, laneDot, gr.lanes, [g, y, n, gr.rows]) // (4)
    if (E.isLeft(gy)) return gy
    const dx = await run(dev, vjp, gr.elements, [y, g, keep(gy.right, [outer, inner]), gr.rows]) // (4)
    if (E.isLeft(dx)) return dx
    return E.right(ran(dev, { x: download(shape, dx.right) }))
  },
}
