/**
 * Float32 mirror of src/losses/cross-entropy.ts for class targets without
 * label smoothing (e = 0). Input x [N, C, ...] as x[n][c][k] (K = the
 * product of the trailing dims), positions i = (n, k), class y_i, w_c =
 * weight[c] (1 with no weight):
 *   (1) logp_ic = x_ic - m_i - log sum_c exp(x_ic - m_i),  m_i = max_c x_ic
 *   (2) l_i = w_{y_i} (-logp_{i y_i}),  0 at ignored positions
 *   (3) D = sum over non-ignored i of w_{y_i}
 * reduced by ../../src/losses/reduction.ts: none l, sum sum_i l_i, mean sum_i l_i / D.
 * Backward, d_i = dL/dl_i (g_i, g, or g / D), p = exp(logp):
 *   (6) dx_ik = d_i w_{y_i} (p_ik - [k = y_i]),  0 at ignored positions
 * m_i and s_i = sum_c exp(x_ic - m_i) come from the lane kernels
 * (../activations/lanes.kernel.ts); sum_i l_i and D from ../reduce.ts. The
 * final mean division sum / D is one f32 division on the host.
 * Subscripts [o][k][i] are spelled with the `rows` ternaries of the lane
 * layout (../activations/lanes.kernel.ts, `grid`): thread (z, y, x), or (y, x, z) when K = 1.
 * Label smoothing and probability targets are not mirrored yet: those
 * requests are `Unsupported` error values.
 */
import * as E from 'fp-ts/lib/Either.js'
import { unsupported } from '../../src/core/errors.ts'
import { checkInputs } from '../../src/core/op.ts'
import { checkBatched, checkWeight, classesOf } from '../../src/losses/class-target.ts'
import * as CrossEntropy from '../../src/losses/cross-entropy.ts'
import { type Shape, type Tensor, make } from '../../src/core/tensor.ts'
import { grid, laneMax, laneSumExp } from '../activations/lanes.kernel.ts'
import { type KernelOp, download, keep, upload } from '../op.ts'
import { sumAll } from '../reduce.ts'
import { type F32, type KernelSpec, type KernelThis, f32, ran, run } from '../runtime.ts'

export interface Cache {
  readonly inputShape: Shape
  readonly positionShape: Shape
  readonly x: F32
  readonly m: F32
  readonly s: F32
  readonly cls: F32
  readonly w: F32
  /** D of (3), as the device summed it */
  readonly divisor: number
}

/** l_i of (2), with logp of (1). */
const classLoss: KernelSpec = {
  name: 'cross_entropy.l',
  args: { x: 'Input', m: 'Input', s: 'Input', cls: 'Input', w: 'Input', rows: 'Integer' },
  fn: function (this: KernelThis, x: number[][][], m: number[][], s: number[][], cls: number[][], w: number[], rows: number): number {
    const y = cls[rows === 1 ? this.thread.x : this.thread.y][rows === 1 ? this.thread.z : this.thread.x]
    if (y < 0) return 0 // (2), ignored
    const logp = x[rows === 1 ? this.thread.x : this.thread.y][y][rows === 1 ? this.thread.z : this.thread.x] - m[rows === 1 ? this.thread.x : this.thread.y][rows === 1 ? this.thread.z : this.thread.x] - Math.log(s[rows === 1 ? this.thread.x : this.thread.y][rows === 1 ? this.thread.z : this.thread.x]) // (1)
    return w[y] * -logp // (2)
  },
}

/** w_{y_i}, 0 at ignored positions: the terms of (3). */
const positionWeight: KernelSpec = {
  name: 'cross_entropy.w',
  args: { cls: 'Input', w: 'Input' },
  fn: function (this: KernelThis, cls: number[], w: number[]): number {
    const y = cls[this.thread.x]
    if (y < 0) return 0
    return w[y] // (3)
  },
}

const gradInput: KernelSpec = {
  name: 'cross_entropy.dx',
  args: { x: 'Input', m: 'Input', s: 'Input', cls: 'Input', w: 'Input', d: 'Input', rows: 'Integer' },
  fn: function (this: KernelThis, x: number[][][], m: number[][], s: number[][], cls: number[][], w: number[], d: number[][], rows: number): number {
    const y = cls[rows === 1 ? this.thread.y : this.thread.z][rows === 1 ? this.thread.z : this.thread.x]
    if (y < 0) return 0 // (6), ignored
    const logp = x[rows === 1 ? this.thread.y : this.thread.z][rows === 1 ? this.thread.x : this.thread.y][rows === 1 ? this.thread.z : this.thread.x] - m[rows === 1 ? this.thread.y : this.thread.z][rows === 1 ? this.thread.z : this.thread.x] - Math.log(s[rows === 1 ? this.thread.y : this.thread.z][rows === 1 ? this.thread.z : this.thread.x]) // (1)
    const p = Math.exp(logp)
    const onehot = (rows === 1 ? this.thread.x : this.thread.y) === y ? 1 : 0
    return d[rows === 1 ? this.thread.y : this.thread.z][rows === 1 ? this.thread.z : this.thread.x] * (w[y] * (p - onehot)) // (6)
  },
}

export const op: KernelOp<CrossEntropy.Attrs, Cache> = {
  name: 'cross_entropy',
  parseAttrs: CrossEntropy.op.parseAttrs,
  forward: async (dev, attrs, inputs) => {
    const checked = checkInputs('cross_entropy', CrossEntropy.op.inputs, inputs)
    if (E.isLeft(checked)) return checked
    const xt = inputs.input!, target = inputs.target!, weight = inputs.weight
    const lay = checkBatched('cross_entropy', xt)
    if (E.isLeft(lay)) return lay
    const w0 = checkWeight('cross_entropy', weight, lay.right.c)
    if (E.isLeft(w0)) return w0
    if (target.dtype !== 'int64') {
      return E.left(unsupported('cross_entropy', 'inputs.target', 'int64 class indices (the float32 kernel)', `${target.dtype} probabilities`, 'the float64 op in src/ handles probability targets'))
    }
    if (attrs.label_smoothing !== 0) {
      return E.left(unsupported('cross_entropy', 'attrs.label_smoothing', '0 (the float32 kernel)', String(attrs.label_smoothing), 'the float64 op in src/ handles label smoothing'))
    }
    const classes = classesOf('cross_entropy', lay.right, target, attrs.ignore_index)
    if (E.isLeft(classes)) return classes
    const { n, c, k, positionShape } = lay.right
    const x = upload(xt, [n, c, k])
    const cls = f32(classes.right, [n, k]) // -1 marks an ignored position
    const w = weight === undefined ? f32(new Float32Array(c).fill(1), [c]) : upload(weight, [c])
    const gr = grid(n, c, k)
    const m = await run(dev, laneMax, gr.lanes, [x, c, gr.rows]) // (1)
    if (E.isLeft(m)) return m
    const s = await run(dev, laneSumExp, gr.lanes, [x, keep(m.right, [n, k]), c, gr.rows]) // (1)
    if (E.isLeft(s)) return s
    const ms = { m: keep(m.right, [n, k]), s: keep(s.right, [n, k]) }
    const l = await run(dev, classLoss, gr.lanes, [x, ms.m, ms.s, cls, w, gr.rows]) // (2)
    if (E.isLeft(l)) return l
    const wi = await run(dev, positionWeight, [n * k], [f32(cls.data, [n * k]), w]) // (3), flat: one thread per position
    if (E.isLeft(wi)) return wi
    const divisor = await sumAll(dev, keep(wi.right, [n * k])) // (3)
    if (E.isLeft(divisor)) return divisor
    const cache: Cache = { inputShape: xt.shape, positionShape, x, ...ms, cls, w, divisor: divisor.right }
    if (attrs.reduction === 'none') return E.right(ran(dev, { outputs: { loss: download(positionShape, l.right) }, cache }))
    const total = await sumAll(dev, keep(l.right, [n * k]))
    if (E.isLeft(total)) return total
    const loss = attrs.reduction === 'sum' ? total.right : Math.fround(total.right / divisor.right)
    return E.right(ran(dev, { outputs: { loss: make([], Float64Array.of(loss), 'float32') }, cache }))
  },
  backward: async (dev, attrs, { inputShape, x, m, s, cls, w, divisor }, { loss: g }) => {
    const [n, c, k] = x.dims
    const d = new Float32Array(n * k)
    if (attrs.reduction === 'none') d.set(g.data)
    else d.fill(attrs.reduction === 'sum' ? g.data[0] : g.data[0] / divisor)
    const gr = grid(n, c, k)
    const dx = await run(dev, gradInput, gr.elements, [x, m, s, cls, w, f32(d, [n, k]), gr.rows]) // (6)
    if (E.isLeft(dx)) return dx
    return E.right(ran(dev, { input: download(inputShape, dx.right) as Tensor }))
  },
}
