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
 * Fused (issue 18), on device tensors (../device-tensor.ts) end to end:
 *   forward  1. m_i and s_i = sum_c exp(x_ic - m_i) in one launch (`laneStats`,
 *               ../activations/lanes.kernel.ts)
 *            2. l_i of (2) and the terms w_{y_i} of (3) in one launch ([2, positions])
 *            3. sum_i l_i and D of (3) together, two passes (blocks of
 *               B = ceil(sqrt(positions)), then the block sums)
 *            4. the reduction: none copies l, sum takes the total, mean divides
 *               it by D (one f32 division on the device)
 *   backward 5. dx of (6) in one launch, d_i read on the device (g_i, g, or g / D)
 * so a training step reads nothing back until the caller asks. The host path
 * uploads x, the classes and the weights once, runs the same kernels, reads
 * the loss back and keeps the float32 statistics for the backward.
 * Subscripts [o][k][i] are spelled with the `rows` ternaries of the lane
 * layout (../activations/lanes.kernel.ts, `grid`): thread (z, y, x), or (y, x, z) when K = 1.
 * Label smoothing and probability targets are not mirrored yet: those
 * requests are `Unsupported` error values.
 */
import * as E from 'fp-ts/lib/Either.js'
import { fail, unsupported } from '../../src/core/errors.ts'
import { checkInputs } from '../../src/core/op.ts'
import { checkBatched, checkWeight, classesOf } from '../../src/losses/class-target.ts'
import * as CrossEntropy from '../../src/losses/cross-entropy.ts'
import { type Shape, type Tensor, sizeOf } from '../../src/core/tensor.ts'
import { grid, laneStats } from '../activations/lanes.kernel.ts'
import { type DeviceTensor, bind, fromF32, release, reshape, scoped, toF32, toHost } from '../device-tensor.ts'
import { type KernelOp, type ResidentOp, takeRow } from '../op.ts'
import { type Device, type KernelSpec, type KernelThis, ran, runResident } from '../runtime.ts'

/** Host-path cache: the float32 values the backward uploads again. */
export interface Cache {
  readonly inputShape: Shape
  readonly dims: readonly [number, number, number]
  readonly x: Float32Array
  /** [2, n, k]: m, then s */
  readonly stats: Float32Array
  readonly cls: Float32Array
  readonly w: Float32Array
  /** [2]: sum_i l_i and D of (3), as the device summed them */
  readonly totals: Float32Array
}

/** Resident cache: input, classes and weights are the caller's; stats and totals the cache's own. */
export interface ResidentCache {
  readonly inputShape: Shape
  readonly dims: readonly [number, number, number]
  readonly x: DeviceTensor
  readonly cls: DeviceTensor
  readonly w: DeviceTensor
  readonly stats: DeviceTensor
  readonly totals: DeviceTensor
}

/** (2) and (3)'s terms for lane (o, i), output [2, n, k] (rows layout [2, 1, n]): which = thread.z. */
const lossTerms: KernelSpec = {
  name: 'cross_entropy.terms',
  args: { x: 'Input', st: 'Input', cls: 'Input', w: 'Input', rows: 'Integer' },
  fn: function (this: KernelThis, x: number[][][], st: number[][][], cls: number[][], w: number[], rows: number): number {
    const y = cls[rows === 1 ? this.thread.x : this.thread.y][rows === 1 ? this.thread.y : this.thread.x]
    if (y < 0) return 0 // (2), (3): ignored
    if (this.thread.z === 1) return w[y] // (3)
    const logp = x[rows === 1 ? this.thread.x : this.thread.y][y][rows === 1 ? this.thread.y : this.thread.x] - st[0][rows === 1 ? this.thread.x : this.thread.y][rows === 1 ? this.thread.y : this.thread.x] - Math.log(st[1][rows === 1 ? this.thread.x : this.thread.y][rows === 1 ? this.thread.y : this.thread.x]) // (1)
    return w[y] * -logp // (2)
  },
}

/** Both rows of a [2, P] tensor summed by blocks of `block`: output [2, blocks] (Higham 4.2: a sum of sums). */
const blockSums: KernelSpec = {
  name: 'cross_entropy.blockSums',
  args: { v: 'Input', p: 'Integer', block: 'Integer' },
  fn: function (this: KernelThis, v: number[][], p: number, block: number): number {
    let s = 0
    for (let j = 0; j < block; j++) {
      if (this.thread.x * block + j < p) s += v[this.thread.y][this.thread.x * block + j] // (2), (3)
    }
    return s
  },
}

/** The mean: sum_i l_i / D, one f32 division. */
const meanOf: KernelSpec = {
  name: 'cross_entropy.mean',
  args: { t: 'Input' },
  fn: function (this: KernelThis, t: number[]): number {
    return t[0] / t[1]
  },
}

/** (6); mode 0: d_i = g_i (reduction none), 1: d_i = g (sum), 2: d_i = g / D (mean). */
const gradInput: KernelSpec = {
  name: 'cross_entropy.dx',
  args: { x: 'Input', st: 'Input', cls: 'Input', w: 'Input', g: 'Input', tot: 'Input', rows: 'Integer', mode: 'Integer' },
  fn: function (this: KernelThis, x: number[][][], st: number[][][], cls: number[][], w: number[], g: number[][], tot: number[], rows: number, mode: number): number {
    const y = cls[rows === 1 ? this.thread.y : this.thread.z][rows === 1 ? this.thread.z : this.thread.x]
    if (y < 0) return 0 // (6), ignored
    const logp = x[rows === 1 ? this.thread.y : this.thread.z][rows === 1 ? this.thread.x : this.thread.y][rows === 1 ? this.thread.z : this.thread.x] - st[0][rows === 1 ? this.thread.y : this.thread.z][rows === 1 ? this.thread.z : this.thread.x] - Math.log(st[1][rows === 1 ? this.thread.y : this.thread.z][rows === 1 ? this.thread.z : this.thread.x]) // (1)
    const p = Math.exp(logp)
    const onehot = (rows === 1 ? this.thread.x : this.thread.y) === y ? 1 : 0
    let d = g[0][0] // (4) of reduction.ts: sum
    if (mode === 0) d = g[rows === 1 ? this.thread.y : this.thread.z][rows === 1 ? this.thread.z : this.thread.x] // none
    if (mode === 2) d = g[0][0] / tot[1] // mean
    return d * (w[y] * (p - onehot)) // (6)
  },
}

const modeOf = (r: CrossEntropy.Attrs['reduction']): number => (r === 'none' ? 0 : r === 'sum' ? 1 : 2)

/** The layout the kernels read: x as [n, c, k], positions [n, k]. */
const dimsOf = (shape: Shape): [number, number, number] => {
  const n = shape[0], c = shape[1], k = sizeOf(shape.slice(2))
  return [n, c, k]
}

/**
 * The resident op. Inputs: `input` [N, C, ...], `target` the class of each
 * position as float32 values (-1 marks an ignored position: the host op maps
 * ignore_index to -1 and checks ranges, `classes` below), `weight` [C]
 * (all ones when the caller has no class weights). Output `loss`.
 */
export const resident: ResidentOp<CrossEntropy.Attrs, ResidentCache> = {
  forward: async (dev, attrs, { input: x, target: cls, weight: w }) => {
    if (x === undefined || cls === undefined || w === undefined) return fail('cross_entropy', 'inputs', 'input, target (float32 classes) and weight on the device', 'a missing tensor')
    if (x.shape.length < 2) return fail('cross_entropy', 'inputs.input', '[N, C, ...]', `[${x.shape}]`)
    const [n, c, k] = dimsOf(x.shape)
    if (cls.size !== n * k || w.size !== c) return fail('cross_entropy', 'inputs.target', `${n * k} classes and ${c} weights`, `${cls.size} and ${w.size}`)
    const positionShape = [n, ...x.shape.slice(2)]
    const gr = grid(n, c, k)
    const x3 = bind(x, [n, c, k]), c2 = bind(cls, [n, k]), w1 = bind(w, [c])
    return scoped(async (s) => {
      const st = s.ok(await runResident(dev, laneStats, [2, ...gr.lanes], [x3, c, gr.rows])) // (1)
      let totals: DeviceTensor | undefined
      try {
        const stv = bind(st, [2, n, k])
        const terms = s.temp(s.ok(await runResident(dev, lossTerms, [2, ...gr.lanes], [x3, stv, c2, w1, gr.rows]))) // (2), (3)
        const p = n * k
        const block = Math.max(1, Math.ceil(Math.sqrt(p))), blocks = Math.max(1, Math.ceil(p / block))
        const partial = s.temp(s.ok(await runResident(dev, blockSums, [2, blocks], [bind(terms, [2, p]), p, block]))) // (2), (3)
        totals = s.ok(await runResident(dev, blockSums, [2, 1], [partial, blocks, blocks])) // (2), (3)
        let loss: DeviceTensor
        if (attrs.reduction === 'none') loss = s.ok(await takeRow(dev, terms, 2, 0, positionShape))
        else if (attrs.reduction === 'sum') loss = s.ok(await takeRow(dev, totals, 2, 0, []))
        else {
          const mean = s.temp(s.ok(await runResident(dev, meanOf, [1], [bind(totals, [2])])))
          loss = s.ok(reshape(mean, []))
        }
        return { outputs: { loss }, cache: { inputShape: x.shape, dims: [n, c, k] as const, x, cls, w, stats: st, totals } }
      } catch (e) {
        release(st, totals)
        throw e
      }
    })
  },
  backward: async (dev, attrs, { inputShape, dims: [n, c, k], x, cls, w, stats: st, totals }, { loss: g }) => {
    const gr = grid(n, c, k)
    const mode = modeOf(attrs.reduction)
    const r = await runResident(dev, gradInput, gr.elements, [bind(x, [n, c, k]), bind(st, [2, n, k]), bind(cls, [n, k]), bind(w, [c]),
      bind(g, mode === 0 ? [n, k] : [1, 1]), bind(totals, [2]), gr.rows, mode]) // (6)
    if (E.isLeft(r)) return r
    const dx = reshape(r.right, inputShape)
    release(r.right)
    return E.map((t: DeviceTensor) => ({ input: t }))(dx)
  },
  dispose: (c) => release(c.stats, c.totals),
}

/** The src op's checks, then the classes as float32 (-1: ignored) and the weights (ones when absent). */
const classes = (attrs: CrossEntropy.Attrs, inputs: Record<string, Tensor | undefined>) => {
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
  const cls = classesOf('cross_entropy', lay.right, target, attrs.ignore_index)
  if (E.isLeft(cls)) return cls
  const w = weight === undefined ? new Float32Array(lay.right.c).fill(1) : Float32Array.from(weight.data)
  return E.right({ cls: Float32Array.from(cls.right), w })
}

/** Host tensors to the device classes and weights of `resident` (the checks and messages of the host op). */
export const deviceTargets = (dev: Device, attrs: CrossEntropy.Attrs, inputs: Record<string, Tensor | undefined>) => {
  const c = classes(attrs, inputs)
  if (E.isLeft(c)) return c
  const [n, , k] = dimsOf(inputs.input!.shape)
  const cls = fromF32(dev, c.right.cls, [n, k])
  if (E.isLeft(cls)) return cls
  const w = fromF32(dev, c.right.w, [c.right.w.length])
  if (E.isLeft(w)) { release(cls.right); return w }
  return E.right({ target: cls.right, weight: w.right })
}

export const op: KernelOp<CrossEntropy.Attrs, Cache> = {
  name: 'cross_entropy',
  parseAttrs: CrossEntropy.op.parseAttrs,
  resident,
  forward: async (dev, attrs, inputs) => {
    const c = classes(attrs, inputs)
    if (E.isLeft(c)) return c
    const xt = inputs.input!
    const dims = dimsOf(xt.shape)
    const xd = Float32Array.from(xt.data)
    const r = await scoped(async (s) => {
      const x = s.temp(s.ok(fromF32(dev, xd, xt.shape)))
      const cls = s.temp(s.ok(fromF32(dev, c.right.cls, [dims[0], dims[2]])))
      const w = s.temp(s.ok(fromF32(dev, c.right.w, [dims[1]])))
      const f = s.ok(await resident.forward(dev, attrs, { input: x, target: cls, weight: w }))
      try {
        const loss = s.ok(await toHost(s.temp(f.outputs.loss)))
        const cache: Cache = { inputShape: xt.shape, dims, x: xd, stats: s.ok(await toF32(f.cache.stats)), cls: c.right.cls, w: c.right.w, totals: s.ok(await toF32(f.cache.totals)) }
        return { outputs: { loss }, cache }
      } finally {
        resident.dispose(f.cache)
      }
    })
    return E.map((v: { outputs: Record<string, Tensor>; cache: Cache }) => ran(dev, v))(r)
  },
  backward: async (dev, attrs, c, { loss: gt }) => {
    const [n, cl, k] = c.dims
    const r = await scoped(async (s) => {
      const up = (d: Float32Array, shape: Shape) => s.temp(s.ok(fromF32(dev, d, shape)))
      const rc: ResidentCache = {
        inputShape: c.inputShape, dims: c.dims, x: up(c.x, c.inputShape), cls: up(c.cls, [n, k]), w: up(c.w, [cl]),
        stats: up(c.stats, [2, n, k]), totals: up(c.totals, [2]),
      }
      const g = up(Float32Array.from(gt.data), gt.shape)
      const grads = s.ok(await resident.backward!(dev, attrs, rc, { loss: g }))
      return { input: s.ok(await toHost(s.temp(grads.input))) }
    })
    return E.map((v: Record<string, Tensor>) => ran(dev, v))(r)
  },
}
