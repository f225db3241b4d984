/**
 * Float32 mirror of src/normalization/layer-norm.ts. x as rows [M, D], D the
 * product of the normalized shape:
 *   (1) mu, var = mean and biased variance of the row (two passes: the mean, then
 *       squared deviations from it, never E[x^2] - E[x]^2)
 *   (2) xhat = (x - mu) / sqrt(var + eps)
 *   (3) y = gamma_j xhat + beta_j
 * Backward, g = dL/dy:
 *   (4) dxhat = g gamma_j, dgamma_j = sum over rows of g xhat, dbeta_j = sum over rows of g
 *   (5) dx = r / D (D dxhat - sum_row dxhat - xhat sum_row(dxhat xhat)), r = 1 / sqrt(var + eps)
 * Fused (issue 18): the statistics are one launch (`stats`, output [2, M]:
 * row 0 mu, row 1 r; an r thread recomputes its row's mean with the same
 * instructions rather than wait for it, gpu.js having no barriers, gpujs
 * §7.4), the two row sums of (5) one launch, the two parameter gradients
 * one launch: 2 launches forward, 3 backward, each flat 1-D (thread.x < M
 * picks the first half; a flat launch keeps all 64 lanes of a workgroup busy).
 * Loop counters are distinct per kernel: gpu.js 2.24.1 declares them at
 * function scope in WGSL, so two `j` loops fail to compile.
 * The kernels keep mu and r per row (not xhat) and recompute xhat where
 * needed. The arithmetic of each value is unchanged from the unfused kernels.
 * Everything runs on device tensors (../device-tensor.ts, `resident`); the
 * host path uploads x once, runs the same kernels and reads back y (and the
 * 2M statistics for its cache): the two paths give the same numbers.
 */
import * as E from 'fp-ts/lib/Either.js'
import { fail, showShape } from '../../src/core/errors.ts'
import { checkInputs } from '../../src/core/op.ts'
import * as LayerNorm from '../../src/normalization/layer-norm.ts'
import { type Shape, type Tensor, make, sameShape, sizeOf } from '../../src/core/tensor.ts'
import { type DeviceTensor, bind, fromF32, release, reshape, scoped, toF32, toHost } from '../device-tensor.ts'
import { type KernelOp, type ResidentOp, takeRow } from '../op.ts'
import { type Device, type KernelSpec, type KernelThis, f32, ran, runResident } from '../runtime.ts'

/** Host-path cache: float32 copies, uploaded again by the backward. */
export interface Cache {
  readonly shape: Shape
  readonly normalized: Shape
  readonly x: Float32Array
  /** [2, rows]: mu, then r */
  readonly stats: Float32Array
  readonly gamma?: Float32Array
  readonly hasBias: boolean
}

/** Resident cache: x and gamma are the caller's (kept alive by the caller), stats the cache's own. */
export interface ResidentCache {
  readonly shape: Shape
  readonly normalized: Shape
  readonly rows: number
  readonly d: number
  readonly x: DeviceTensor
  readonly stats: DeviceTensor
  readonly gamma?: DeviceTensor
  readonly hasBias: boolean
}

/** (1): [2 rows] flat; thread i < rows gives mu_i, thread rows + i gives r_i. */
const stats: KernelSpec = {
  name: 'layer_norm.stats',
  args: { x: 'Input', rows: 'Integer', d: 'Integer', eps: 'Float' },
  fn: function (this: KernelThis, x: number[][], rows: number, d: number, eps: number): number {
    let s = 0
    for (let j = 0; j < d; j++) s += x[this.thread.x < rows ? this.thread.x : this.thread.x - rows][j]
    const mu = s / d // (1)
    if (this.thread.x < rows) return mu
    let q = 0
    for (let k = 0; k < d; k++) {
      const c = x[this.thread.x - rows][k] - mu
      q += c * c
    }
    return 1 / Math.sqrt(q / d + eps) // (1), (2)
  },
}

const normalize: KernelSpec = {
  name: 'layer_norm.y',
  args: { x: 'Input', st: 'Input', gamma: 'Input', beta: 'Input', hasWeight: 'Integer', hasBias: 'Integer' },
  fn: function (this: KernelThis, x: number[][], st: number[][], gamma: number[], beta: number[], hasWeight: number, hasBias: number): number {
    let y = (x[this.thread.y][this.thread.x] - st[0][this.thread.y]) * st[1][this.thread.y] // (2)
    if (hasWeight === 1) y = gamma[this.thread.x] * y // (3)
    if (hasBias === 1) y = y + beta[this.thread.x] // (3)
    return y
  },
}

/** (5)'s row sums, [2 rows] flat: sum_row dxhat (thread i < rows), then sum_row dxhat xhat; dxhat = g gamma (4). */
const rowSums: KernelSpec = {
  name: 'layer_norm.rowSums',
  args: { x: 'Input', st: 'Input', g: 'Input', gamma: 'Input', rows: 'Integer', hasWeight: 'Integer', d: 'Integer' },
  fn: function (this: KernelThis, x: number[][], st: number[][], g: number[][], gamma: number[], rows: number, hasWeight: number, d: number): number {
    let s = 0
    if (this.thread.x < rows) {
      for (let j = 0; j < d; j++) s += hasWeight === 1 ? g[this.thread.x][j] * gamma[j] : g[this.thread.x][j] // (4)
    } else {
      for (let k = 0; k < d; k++) {
        const dxhat = hasWeight === 1 ? g[this.thread.x - rows][k] * gamma[k] : g[this.thread.x - rows][k] // (4)
        s += dxhat * ((x[this.thread.x - rows][k] - st[0][this.thread.x - rows]) * st[1][this.thread.x - rows]) // (5)
      }
    }
    return s
  },
}

const gradX: KernelSpec = {
  name: 'layer_norm.dx',
  args: { x: 'Input', st: 'Input', g: 'Input', gamma: 'Input', sums: 'Input', hasWeight: 'Integer', d: 'Integer' },
  fn: function (this: KernelThis, x: number[][], st: number[][], g: number[][], gamma: number[], sums: number[][], hasWeight: number, d: number): number {
    const dxhat = hasWeight === 1 ? g[this.thread.y][this.thread.x] * gamma[this.thread.x] : g[this.thread.y][this.thread.x] // (4)
    const xhat = (x[this.thread.y][this.thread.x] - st[0][this.thread.y]) * st[1][this.thread.y] // (2)
    return (st[1][this.thread.y] / d) * (d * dxhat - sums[0][this.thread.y] - xhat * sums[1][this.thread.y]) // (5)
  },
}

/** (4)'s parameter gradients, [2 d] flat: dgamma_j (thread j < d), then dbeta_j. */
const gradParams: KernelSpec = {
  name: 'layer_norm.dparams',
  args: { x: 'Input', st: 'Input', g: 'Input', rows: 'Integer', d: 'Integer' },
  fn: function (this: KernelThis, x: number[][], st: number[][], g: number[][], rows: number, d: number): number {
    let s = 0
    if (this.thread.x < d) {
      for (let i = 0; i < rows; i++) s += g[i][this.thread.x] * ((x[i][this.thread.x] - st[0][i]) * st[1][i]) // (4)
    } else {
      for (let k = 0; k < rows; k++) s += g[k][this.thread.x - d] // (4)
    }
    return s
  },
}

/** The normalized shape named by the attributes (as src's layer_norm checks it), or an error. */
const normalizedShape = (a: LayerNorm.Attrs, shape: Shape) => {
  const rank = shape.length
  if (a.normalized_shape !== undefined) {
    const k = a.normalized_shape.length
    if (k === 0) return fail<Shape>('layer_norm', 'attrs.normalized_shape', 'a non-empty list of dimensions', '[]', 'PyTorch requires at least one normalized dimension')
    if (k > rank || !sameShape(shape.slice(rank - k), a.normalized_shape)) {
      return fail<Shape>('layer_norm', 'attrs.normalized_shape', `x's trailing dimensions (x is ${showShape(shape)})`, showShape(a.normalized_shape))
    }
    return E.right<never, Shape>(shape.slice(rank - k))
  }
  const axis = a.axis!
  if (axis < -rank || axis >= rank) {
    return fail<Shape>('layer_norm', 'attrs.axis', `an integer in [${-rank}, ${rank - 1}] for x of rank ${rank}`, String(axis), 'normalizes over axis..rank-1')
  }
  return E.right<never, Shape>(shape.slice(axis < 0 ? axis + rank : axis))
}

/** Shapes as src's layer_norm checks them: the normalized shape, rows and D. */
const layout = (attrs: LayerNorm.Attrs, shape: Shape, weight?: Shape, bias?: Shape) => {
  const normalized = normalizedShape(attrs, shape)
  if (E.isLeft(normalized)) return normalized
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t !== undefined && !sameShape(t, normalized.right)) {
      return fail('layer_norm', `inputs.${name}`, `${showShape(normalized.right)} (the normalized shape)`, showShape(t))
    }
  }
  const d = sizeOf(normalized.right)
  return E.right({ normalized: normalized.right, d, rows: d === 0 ? 0 : sizeOf(shape) / d })
}

const NONE = f32([0], [1])

/** (4), (5) on the device: dx, and [dgamma; dbeta] packed as [2, D] (undefined with neither parameter or neither wanted). */
const backwardPacked = async (dev: Device, { shape, rows, d, x, stats: st, gamma, hasBias }: ResidentCache, g: DeviceTensor, wanted?: ReadonlySet<string>) => scoped(async (s) => {
  const xr = bind(x, [rows, d]), gr = bind(g, [rows, d]), stv = bind(st, [2, rows])
  const gam = gamma === undefined ? NONE : bind(gamma, [d])
  const w = gamma === undefined ? 0 : 1
  const sums = s.temp(s.ok(await runResident(dev, rowSums, [2 * rows], [xr, stv, gr, gam, rows, w, d]))) // (4), (5)
  const dx0 = s.temp(s.ok(await runResident(dev, gradX, [rows, d], [xr, stv, gr, gam, bind(sums, [2, rows]), w, d]))) // (5)
  const dx = s.ok(reshape(dx0, shape))
  const params = (gamma !== undefined && (wanted?.has('weight') ?? true)) || (hasBias && (wanted?.has('bias') ?? true))
  try {
    const dp = params ? s.ok(await runResident(dev, gradParams, [2 * d], [xr, stv, gr, rows, d])) : undefined // (4)
    return { dx, dp }
  } catch (e) {
    release(dx)
    throw e
  }
})

export const resident: ResidentOp<LayerNorm.Attrs, ResidentCache> = {
  forward: async (dev, attrs, { x, weight, bias }) => {
    if (x === undefined) return fail('layer_norm', 'inputs.x', 'a tensor', 'nothing')
    const lay = layout(attrs, x.shape, weight?.shape, bias?.shape)
    if (E.isLeft(lay)) return lay
    const { normalized, d, rows } = lay.right
    return scoped(async (s) => {
      const xr = bind(x, [rows, d])
      const st = s.ok(await runResident(dev, stats, [2 * rows], [xr, rows, d, attrs.eps])) // (1)
      try {
        const stv = bind(st, [2, rows])
        const y = s.temp(s.ok(await runResident(dev, normalize, [rows, d], [xr, stv, weight === undefined ? NONE : bind(weight, [d]), bias === undefined ? NONE : bind(bias, [d]),
          weight === undefined ? 0 : 1, bias === undefined ? 0 : 1]))) // (2), (3)
        const cache: ResidentCache = { shape: x.shape, normalized, rows, d, x, stats: st, gamma: weight, hasBias: bias !== undefined }
        return { outputs: { y: s.ok(reshape(y, x.shape)) }, cache }
      } catch (e) {
        release(st)
        throw e
      }
    })
  },
  backward: async (dev, _attrs, c, { y: g }, wanted) => scoped(async (s) => {
    const { dx, dp } = s.ok(await backwardPacked(dev, c, g, wanted))
    s.temp(dp)
    const grads: Record<string, DeviceTensor> = { x: dx }
    // the resident caller gets the two halves of dp as tensors of their own (copies: a view cannot start mid-buffer)
    if (dp !== undefined && c.gamma !== undefined) grads.weight = s.ok(await takeRow(dev, dp, 2, 0, c.normalized))
    if (dp !== undefined && c.hasBias) grads.bias = s.ok(await takeRow(dev, dp, 2, 1, c.normalized))
    return grads
  }),
  dispose: (c) => release(c.stats),
}

export const op: KernelOp<LayerNorm.Attrs, Cache> = {
  name: 'layer_norm',
  parseAttrs: LayerNorm.op.parseAttrs,
  resident,
  forward: async (dev, attrs, inputs) => {
    const checked = checkInputs('layer_norm', LayerNorm.op.inputs, inputs)
    if (E.isLeft(checked)) return checked
    const xt = inputs.x!, wt = inputs.weight, bt = inputs.bias
    const lay = layout(attrs, xt.shape, wt?.shape, bt?.shape)
    if (E.isLeft(lay)) return lay
    const xd = Float32Array.from(xt.data), gd = wt === undefined ? undefined : Float32Array.from(wt.data)
    const r = await scoped(async (s) => {
      const x = s.temp(s.ok(fromF32(dev, xd, xt.shape)))
      const weight = gd === undefined ? undefined : s.temp(s.ok(fromF32(dev, gd, wt!.shape)))
      const bias = bt === undefined ? undefined : s.temp(s.ok(fromF32(dev, Float32Array.from(bt.data), bt.shape)))
      const f = s.ok(await resident.forward(dev, attrs, { x, ...(weight ? { weight } : {}), ...(bias ? { bias } : {}) }))
      try {
        s.temp(f.outputs.y)
        const y = s.ok(await toHost(f.outputs.y))
        const st = s.ok(await toF32(f.cache.stats))
        const cache: Cache = { shape: xt.shape, normalized: lay.right.normalized, x: xd, stats: st, gamma: gd, hasBias: bt !== undefined }
        return { outputs: { y }, cache }
      } finally {
        resident.dispose(f.cache)
      }
    })
    return E.map((v: { outputs: Record<string, Tensor>; cache: Cache }) => ran(dev, v))(r)
  },
  backward: async (dev, attrs, c, { y: gt }) => {
    const r = await scoped(async (s) => {
      const rows = c.normalized.length === 0 ? 0 : c.stats.length / 2
      const d = sizeOf(c.normalized)
      const x = s.temp(s.ok(fromF32(dev, c.x, c.shape)))
      const st = s.temp(s.ok(fromF32(dev, c.stats, [2, rows])))
      const gamma = c.gamma === undefined ? undefined : s.temp(s.ok(fromF32(dev, c.gamma, c.normalized)))
      const g = s.temp(s.ok(fromF32(dev, Float32Array.from(gt.data), c.shape)))
      const rc: ResidentCache = { shape: c.shape, normalized: c.normalized, rows, d, x, stats: st, gamma, hasBias: c.hasBias }
      const { dx, dp } = s.ok(await backwardPacked(dev, rc, g))
      const out: Record<string, Tensor> = { x: s.ok(await toHost(s.temp(dx))) }
      if (dp !== undefined) {
        // one readback of [dgamma; dbeta], split on the host
        const v = s.ok(await toF32(s.temp(dp)))
        if (c.gamma !== undefined) out.weight = make(c.normalized, Float64Array.from(v.subarray(0, d)), 'float32')
        if (c.hasBias) out.bias = make(c.normalized, Float64Array.from(v.subarray(d)), 'float32')
      }
      return out
    })
    return E.map((v: Record<string, Tensor>) => ran(dev, v))(r)
  },
}
