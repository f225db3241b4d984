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
 * The kernels keep mu and r per row (not xhat) and recompute xhat where needed,
 * which keeps each kernel within gpu.js's 7 array arguments (gpujs §7.1): the
 * dx kernel reads exactly 7 (x, mu, r, g, gamma, and the two row sums).
 */
import * as E from 'fp-ts/lib/Either.js'
import { fail, showShape } from '../../src/core/errors.ts'
import { checkInputs } from '../../src/core/op.ts'
import * as LayerNorm from '../../src/normalization/layer-norm.ts'
import { type Shape, type Tensor, sameShape, sizeOf } from '../../src/core/tensor.ts'
import { type KernelOp, download, keep, upload } from '../op.ts'
import { type F32, type KernelSpec, type KernelThis, f32, ran, run } from '../runtime.ts'

export interface Cache {
  readonly shape: Shape
  readonly normalized: Shape
  readonly x: F32
  readonly mu: F32
  readonly r: F32
  readonly gamma: F32
  readonly hasWeight: boolean
  readonly hasBias: boolean
}

const rowMean: KernelSpec = {
  name: 'layer_norm.mu',
  args: { x: 'Input', d: 'Integer' },
  fn: function (this: KernelThis, x: number[][], d: number): number {
    let s = 0
    for (let j = 0; j < d; j++) s += x[this.thread.x][j]
    return s / d // (1)
  },
}

const rowRstd: KernelSpec = {
  name: 'layer_norm.r',
  args: { x: 'Input', mu: 'Input', d: 'Integer', eps: 'Float' },
  fn: function (this: KernelThis, x: number[][], mu: number[], d: number, eps: number): number {
    let s = 0
    for (let j = 0; j < d; j++) {
      const c = x[this.thread.x][j] - mu[this.thread.x]
      s += c * c
    }
    return 1 / Math.sqrt(s / d + eps) // (1), (2)
  },
}

const normalize: KernelSpec = {
  name: 'layer_norm.y',
  args: { x: 'Input', mu: 'Input', r: 'Input', gamma: 'Input', beta: 'Input', hasWeight: 'Integer', hasBias: 'Integer' },
  fn: function (this: KernelThis, x: number[][], mu: number[], r: number[], gamma: number[], beta: number[], hasWeight: number, hasBias: number): number {
    let y = (x[this.thread.y][this.thread.x] - mu[this.thread.y]) * r[this.thread.y] // (2)
    if (hasWeight === 1) y = gamma[this.thread.x] * y // (3)
    if (hasBias === 1) y = y + beta[this.thread.x] // (3)
    return y
  },
}

/** sum_row dxhat, dxhat = g gamma (4). */
const rowSumDxhat: KernelSpec = {
  name: 'layer_norm.sumDxhat',
  args: { g: 'Input', gamma: 'Input', hasWeight: 'Integer', d: 'Integer' },
  fn: function (this: KernelThis, g: number[][], gamma: number[], hasWeight: number, d: number): number {
    let s = 0
    for (let j = 0; j < d; j++) s += hasWeight === 1 ? g[this.thread.x][j] * gamma[j] : g[this.thread.x][j] // (4)
    return s
  },
}

/** sum_row dxhat xhat (5). */
const rowSumDxhatXhat: KernelSpec = {
  name: 'layer_norm.sumDxhatXhat',
  args: { x: 'Input', mu: 'Input', r: 'Input', g: 'Input', gamma: 'Input', hasWeight: 'Integer', d: 'Integer' },
  fn: function (this: KernelThis, x: number[][], mu: number[], r: number[], g: number[][], gamma: number[], hasWeight: number, d: number): number {
    let s = 0
    for (let j = 0; j < d; j++) {
      const dxhat = hasWeight === 1 ? g[this.thread.x][j] * gamma[j] : g[this.thread.x][j] // (4)
      s += dxhat * ((x[this.thread.x][j] - mu[this.thread.x]) * r[this.thread.x]) // (5)
    }
    return s
  },
}

const gradX: KernelSpec = {
  name: 'layer_norm.dx',
  args: { x: 'Input', mu: 'Input', r: 'Input', g: 'Input', gamma: 'Input', s1: 'Input', s2: 'Input', hasWeight: 'Integer', d: 'Integer' },
  fn: function (this: KernelThis, x: number[][], mu: number[], r: number[], g: number[][], gamma: number[], s1: number[], s2: number[], hasWeight: number, d: number): number {
    const dxhat = hasWeight === 1 ? g[this.thread.y][this.thread.x] * gamma[this.thread.x] : g[this.thread.y][this.thread.x] // (4)
    const xhat = (x[this.thread.y][this.thread.x] - mu[this.thread.y]) * r[this.thread.y] // (2)
    return (r[this.thread.y] / d) * (d * dxhat - s1[this.thread.y] - xhat * s2[this.thread.y]) // (5)
  },
}

const gradGamma: KernelSpec = {
  name: 'layer_norm.dgamma',
  args: { x: 'Input', mu: 'Input', r: 'Input', g: 'Input', rows: 'Integer' },
  fn: function (this: KernelThis, x: number[][], mu: number[], r: number[], g: number[][], rows: number): number {
    let s = 0
    for (let i = 0; i < rows; i++) s += g[i][this.thread.x] * ((x[i][this.thread.x] - mu[i]) * r[i]) // (4)
    return s
  },
}

const gradBeta: KernelSpec = {
  name: 'layer_norm.dbeta',
  args: { g: 'Input', rows: 'Integer' },
  fn: function (this: KernelThis, g: number[][], rows: number): number {
    let s = 0
    for (let i = 0; i < rows; i++) s += g[i][this.thread.x] // (4)
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

const optionalParam = (t: Tensor | undefined): F32 => (t === undefined ? f32([0], [1]) : upload(t, [t.data.length]))

export const op: KernelOp<LayerNorm.Attrs, Cache> = {
  name: 'layer_norm',
  parseAttrs: LayerNorm.op.parseAttrs,
  forward: async (dev, attrs, inputs) => {
    const checked = checkInputs('layer_norm', LayerNorm.op.inputs, inputs)
    if (E.isLeft(checked)) return checked
    const xt = inputs.x!
    const normalized = normalizedShape(attrs, xt.shape)
    if (E.isLeft(normalized)) return normalized
    for (const name of ['weight', 'bias']) {
      const t = inputs[name]
      if (t !== undefined && !sameShape(t.shape, normalized.right)) {
        return fail('layer_norm', `inputs.${name}`, `${showShape(normalized.right)} (the normalized shape)`, showShape(t.shape))
      }
    }
    const d = sizeOf(normalized.right)
    const rows = d === 0 ? 0 : xt.data.length / d
    const x = upload(xt, [rows, d])
    const gamma = optionalParam(inputs.weight), beta = optionalParam(inputs.bias)
    const hasWeight = inputs.weight !== undefined, hasBias = inputs.bias !== undefined
    const mu = await run(dev, rowMean, [rows], [x, d]) // (1)
    if (E.isLeft(mu)) return mu
    const r = await run(dev, rowRstd, [rows], [x, keep(mu.right, [rows]), d, attrs.eps]) // (1), (2)
    if (E.isLeft(r)) return r
    const cache: Cache = { shape: xt.shape, normalized: normalized.right, x, mu: keep(mu.right, [rows]), r: keep(r.right, [rows]), gamma, hasWeight, hasBias }
    const y = await run(dev, normalize, [rows, d], [x, cache.mu, cache.r, gamma, beta, hasWeight ? 1 : 0, hasBias ? 1 : 0]) // (2), (3)
    if (E.isLeft(y)) return y
    return E.right(ran(dev, { outputs: { y: download(xt.shape, y.right) }, cache }))
  },
  backward: async (dev, _attrs, { shape, normalized, x, mu, r, gamma, hasWeight, hasBias }, { y: gt }) => {
    const [rows, d] = x.dims
    const g = upload(gt, [rows, d])
    const w = hasWeight ? 1 : 0
    const s1 = await run(dev, rowSumDxhat, [rows], [g, gamma, w, d]) // (4)
    if (E.isLeft(s1)) return s1
    const s2 = await run(dev, rowSumDxhatXhat, [rows], [x, mu, r, g, gamma, w, d]) // (5)
    if (E.isLeft(s2)) return s2
    const dx = await run(dev, gradX, [rows, d], [x, mu, r, g, gamma, keep(s1.right, [rows]), keep(s2.right, [rows]), w, d]) // (5)
    if (E.isLeft(dx)) return dx
    const grads: Record<string, Tensor> = { x: download(shape, dx.right) }
    if (hasWeight) {
      const dgamma = await run(dev, gradGamma, [d], [x, mu, r, g, rows]) // (4)
      if (E.isLeft(dgamma)) return dgamma
      grads.weight = download(normalized, dgamma.right)
    }
    if (hasBias) {
      const dbeta = await run(dev, gradBeta, [d], [g, rows]) // (4)
      if (E.isLeft(dbeta)) return dbeta
      grads.bias = download(normalized, dbeta.right)
    }
    return E.right(ran(dev, grads))
  },
}
