/**
 * Float32 mirror of src/activations/log-softmax.ts, per lane x of n elements
 * (./lanes.kernel.ts):
 *   (1) m = max_k x_k
 *   (2) s = sum_k exp(x_k - m)
 *   (3) y_k = (x_k - m) - log s
 * Backward, g = dL/dy:
 *   (4) dx = g - exp(y) * sum_k g_k
 * Subscripts [o][k][i] are spelled with the `rows` ternaries of the lane
 * layout (./lanes.kernel.ts, `grid`): thread (z, y, x), or (y, x, z) when inner = 1.
 */
import * as E from 'fp-ts/lib/Either.js'
import { lanesOf } from '../../src/activations/lanes.ts'
import * as LogSoftmax from '../../src/activations/log-softmax.ts'
import { checkInputs } from '../../src/core/op.ts'
import type { Shape } from '../../src/core/tensor.ts'
import { type KernelOp, download, keep, upload } from '../op.ts'
import { type F32, type KernelSpec, type KernelThis, ran, run } from '../runtime.ts'
import { grid, laneMax, laneSum, laneSumExp } from './lanes.kernel.ts'

export interface Cache { readonly shape: Shape; readonly y: F32 }

const logProbabilities: KernelSpec = {
  name: 'log_softmax.y',
  args: { x: 'Input', m: 'Input', s: 'Input', rows: 'Integer' },
  fn: function (this: KernelThis, x: number[][][], m: number[][], s: number[][], rows: number): number {
    return (x[rows === 1 ? this.thread.y : this.thread.z][rows === 1 ? this.thread.x : this.thread.y][rows === 1 ? this.thread.z : this.thread.x] - m[rows === 1 ? this.thread.y : this.thread.z][rows === 1 ? this.thread.z : this.thread.x]) - Math.log(s[rows === 1 ? this.thread.y : this.thread.z][rows === 1 ? this.thread.z : this.thread.x]) // (3)
  },
}

const vjp: KernelSpec = {
  name: 'log_softmax.dx',
  args: { y: 'Input', g: 'Input', sg: 'Input', rows: 'Integer' },
  fn: function (this: KernelThis, y: number[][][], g: number[][][], sg: number[][], rows: number): number {
    return g[rows === 1 ? this.thread.y : this.thread.z][rows === 1 ? this.thread.x : this.thread.y][rows === 1 ? this.thread.z : this.thread.x] - Math.exp(y[rows === 1 ? this.thread.y : this.thread.z][rows === 1 ? this.thread.x : this.thread.y][rows === 1 ? this.thread.z : this.thread.x]) * sg[rows === 1 ? this.thread.y : this.thread.z][rows === 1 ? this.thread.z : this.thread.x] // (4)
  },
}

export const op: KernelOp<LogSoftmax.Attrs, Cache> = {
  name: 'log_softmax',
  parseAttrs: LogSoftmax.op.parseAttrs,
  forward: async (dev, { dim }, inputs) => {
    const checked = checkInputs('log_softmax', LogSoftmax.op.inputs, inputs)
    if (E.isLeft(checked)) return checked
    const t = inputs.x!
    const lanes = lanesOf('log_softmax', t.shape, dim)
    if (E.isLeft(lanes)) return lanes
    const { outer, n, inner } = lanes.right
    const dims = [outer, n, inner]
    const gr = grid(outer, n, inner)
    const x = upload(t, dims)
    const m = await run(dev, laneMax, gr.lanes, [x, n, gr.rows]) // (1)
    if (E.isLeft(m)) return m
    const s = await run(dev, laneSumExp, gr.lanes, [x, keep(m.right, [outer, inner]), n, gr.rows]) // (2)
    if (E.isLeft(s)) return s
    const y = await run(dev, logProbabilities, gr.elements, [x, keep(m.right, [outer, inner]), keep(s.right, [outer, inner]), gr.rows]) // (3)
    if (E.isLeft(y)) return y
    return E.right(ran(dev, { outputs: { y: download(t.shape, y.right) }, cache: { shape: t.shape, y: keep(y.right, dims) } }))
  },
  backward: async (dev, _a, { shape, y }, { y: gt }) => {
    const [outer, n, inner] = y.dims
    const gr = grid(outer, n, inner)
    const g = upload(gt, y.dims)
    const sg = await run(dev, laneSum, gr.lanes, [g, n, gr.rows]) // (4)
    if (E.isLeft(sg)) return sg
    const dx = await run(dev, vjp, gr.elements, [y, g, keep(sg.right, [outer, inner]), gr.rows]) // (4)
    if (E.isLeft(dx)) return dx
    return E.right(ran(dev, { x: download(shape, dx.right) }))
  },
}
