/**
 * Fast batch, layer, instance and group normalization: the equations of
 * src/normalization/standardize.ts (1)-(6) and affine.ts (1)-(4), fused into
 * passes over contiguous runs with no per-element group map.
 *
 * Batch, instance and group norm see x as [N, C, S] planes: every (n, c)
 * plane of S contiguous values lies wholly in one statistics group k(n, c)
 * (the channel c; the plane itself; the block of channels c / (C/G)) and
 * takes the parameters of channel c. Layer norm sees rows of D contiguous
 * values, each its own group, with parameters per position j in the row.
 *   forward:  pass 1 sums (mean, (1)), pass 2 squared deviations ((2), two
 *             passes as the reference: no E[x^2] - E[x]^2), pass 3 y; the
 *             cache keeps x, the means and 1/sigma, not a copy of xhat
 *   backward: per plane sums of g and g xhat (xhat recomputed), which give
 *             dgamma, dbeta and the two group sums of (5); then one pass for dx
 * Every sum runs through the same values in the same order as the
 * reference's and every other expression is the reference's, so the results
 * are the reference's to the bit (spec/fast/ asserts exactly that).
 */
import * as E from 'fp-ts/lib/Either.js'
import { defineOp } from '../core/op.ts'
import { type Tensor, make } from '../core/tensor.ts'
import * as BatchNorm from '../normalization/batch-norm.ts'
import { type Layout, checkPerChannel } from '../normalization/channels.ts'
import * as GroupNorm from '../normalization/group-norm.ts'
import * as InstanceNorm from '../normalization/instance-norm.ts'
import * as LayerNorm from '../normalization/layer-norm.ts'

/** [N, C, S] planes and the statistics group of each, k = groupOf[n C + c]. */
interface Planes {
  readonly layout: Layout
  readonly groups: number
  readonly groupOf: Int32Array
}

const planes = (layout: Layout, groups: number, of: (n: number, c: number) => number): Planes => {
  const groupOf = new Int32Array(layout.n * layout.c)
  for (let n = 0; n < layout.n; n++) for (let c = 0; c < layout.c; c++) groupOf[n * layout.c + c] = of(n, c)
  return { layout, groups, groupOf }
}

interface Stats { readonly mean: Float64Array; readonly variance: Float64Array; readonly count: Float64Array }

/**
 * (1), (2) over planes, two passes. Each group's accumulator runs through its
 * values in flat order, as the reference's does, so the sums are the
 * reference's to the bit (a plane continues its group's running sum).
 */
const planeMoments = (x: Float64Array, p: Planes): Stats => {
  const { n, c, spatial: S } = p.layout
  const mean = new Float64Array(p.groups), variance = new Float64Array(p.groups), count = new Float64Array(p.groups)
  for (let q = 0; q < n * c; q++) {
    const k = p.groupOf[q]
    let s = mean[k]
    for (let i = q * S, e = i + S; i < e; i++) s += x[i]
    mean[k] = s
    count[k] += S
  }
  for (let k = 0; k < p.groups; k++) mean[k] /= count[k] // (1)
  for (let q = 0; q < n * c; q++) {
    const k = p.groupOf[q], mu = mean[k]
    let s = variance[k]
    for (let i = q * S, e = i + S; i < e; i++) { const d = x[i] - mu; s += d * d }
    variance[k] = s
  }
  for (let k = 0; k < p.groups; k++) variance[k] /= count[k] // (2)
  return { mean, variance, count }
}

/** x itself, not xhat: the backward recomputes xhat = (x - mu) r, the same expression on the same numbers. */
interface PlaneCache {
  readonly planes: Planes
  readonly x: Float64Array
  readonly mean: Float64Array
  readonly invStd: Float64Array
  readonly count: Float64Array
  readonly weight?: Tensor
  readonly bias?: Tensor
  /** false: statistics given (batch norm in evaluation), dx by (6) */
  readonly fromX: boolean
}

/** (3), (4) and affine (1) in one pass. */
const planeForward = (x: Float64Array, p: Planes, mean: Float64Array, variance: Float64Array, eps: number, weight: Tensor | undefined, bias: Tensor | undefined): { y: Float64Array; invStd: Float64Array } => {
  const { n, c, spatial: S } = p.layout
  const invStd = new Float64Array(p.groups)
  for (let k = 0; k < p.groups; k++) invStd[k] = 1 / Math.sqrt(variance[k] + eps) // (3)
  const y = new Float64Array(x.length)
  const w = weight?.data, b = bias?.data
  for (let q = 0; q < n * c; q++) {
    const k = p.groupOf[q], ch = q % c
    const mu = mean[k], r = invStd[k]
    const e = q * S + S
    if (w === undefined && b === undefined) {
      for (let i = q * S; i < e; i++) y[i] = (x[i] - mu) * r + 0 // (4), affine (1)
    } else {
      const gw = w === undefined ? 1 : w[ch], gb = b === undefined ? 0 : b[ch]
      if (w === undefined) for (let i = q * S; i < e; i++) y[i] = (x[i] - mu) * r + gb
      else for (let i = q * S; i < e; i++) y[i] = gw * ((x[i] - mu) * r) + gb // (4), affine (1)
    }
  }
  return { y, invStd }
}

/** Affine (2)-(4) and standardize (5) or (6) over planes. */
const planeBackward = (cache: PlaneCache, g: Float64Array): { dx: Float64Array; dgamma?: Float64Array; dbeta?: Float64Array } => {
  const { planes: p, x, mean, invStd, count, weight, bias, fromX } = cache
  const { n, c, spatial: S } = p.layout
  const w = weight?.data
  const dgamma = new Float64Array(c), dbeta = new Float64Array(c)
  const sumD = new Float64Array(p.groups), sumDX = new Float64Array(p.groups)
  // Every accumulator runs in flat order from where its group left it: the reference's sums to the bit.
  for (let q = 0; q < n * c; q++) {
    const ch = q % c, k = p.groupOf[q], mu = mean[k], r = invStd[k]
    let dg = dgamma[ch], db = dbeta[ch], sd = sumD[k], sdx = sumDX[k]
    if (w === undefined) {
      for (let i = q * S, e = i + S; i < e; i++) { const gi = g[i], h = (x[i] - mu) * r; dg += gi * h; db += gi; sd += gi; sdx += gi * h }
    } else {
      const gw = w[ch]
      for (let i = q * S, e = i + S; i < e; i++) { const gi = g[i], h = (x[i] - mu) * r, dh = gi * gw; dg += gi * h; db += gi; sd += dh; sdx += dh * h } // affine (2)-(4)
    }
    dgamma[ch] = dg; dbeta[ch] = db; sumD[k] = sd; sumDX[k] = sdx
  }
  const dx = new Float64Array(g.length)
  for (let q = 0; q < n * c; q++) {
    const ch = q % c, k = p.groupOf[q], gw = w === undefined ? 1 : w[ch]
    const r = invStd[k], mu = mean[k], e = q * S + S
    if (fromX) {
      const m = count[k], sd = sumD[k], sdx = sumDX[k], f = r / m
      if (w === undefined) for (let i = q * S; i < e; i++) dx[i] = f * (m * g[i] - sd - ((x[i] - mu) * r) * sdx) // (5)
      else for (let i = q * S; i < e; i++) dx[i] = f * (m * (g[i] * gw) - sd - ((x[i] - mu) * r) * sdx) // (5)
    } else {
      if (w === undefined) for (let i = q * S; i < e; i++) dx[i] = r * g[i] // (6)
      else for (let i = q * S; i < e; i++) dx[i] = r * (g[i] * gw) // (6)
    }
  }
  return { dx, dgamma: weight === undefined ? undefined : dgamma, dbeta: bias === undefined ? undefined : dbeta }
}

const planeGrads = (cache: PlaneCache, g: Tensor): Record<string, Tensor> => {
  const { dx, dgamma, dbeta } = planeBackward(cache, g.data)
  const out: Record<string, Tensor> = { x: make(g.shape, dx) }
  if (dgamma !== undefined && cache.weight !== undefined) out.weight = make(cache.weight.shape, dgamma)
  if (dbeta !== undefined && cache.bias !== undefined) out.bias = make(cache.bias.shape, dbeta)
  return out
}

const runningUpdate = (old: Tensor, batch: Float64Array, momentum: number, m: number, unbiased: boolean): Tensor => {
  const out = new Float64Array(old.data.length)
  for (let c = 0; c < out.length; c++) {
    const v = unbiased ? (batch[c] * m) / (m - 1) : batch[c] // batch_norm (5)
    out[c] = m === 0 ? old.data[c] : (1 - momentum) * old.data[c] + momentum * v // batch_norm (4), (5)
  }
  return make(old.shape, out)
}

export const batchNorm = defineOp<BatchNorm.Attrs, PlaneCache>({
  name: 'batch_norm',
  inputs: BatchNorm.op.inputs,
  outputs: BatchNorm.op.outputs,
  attrs: (op, raw) => BatchNorm.op.parseAttrs(raw),
  forward: (attrs, inputs) => {
    const checked = BatchNorm.validate(attrs, inputs)
    if (E.isLeft(checked)) return checked
    const layout = checked.right, x = inputs.x!
    const { running_mean: rm, running_var: rv, weight, bias } = inputs
    const p = planes(layout, layout.c, (_n, c) => c)
    const outputs: Record<string, Tensor> = {}
    let stats: Stats
    if (attrs.training) {
      stats = planeMoments(x.data, p)
      const m = layout.n * layout.spatial
      if (rm !== undefined) outputs.running_mean = runningUpdate(rm, stats.mean, attrs.momentum, m, false)
      if (rv !== undefined) outputs.running_var = runningUpdate(rv, stats.variance, attrs.momentum, m, true)
    } else {
      const count = new Float64Array(layout.c).fill(layout.n * layout.spatial)
      stats = { mean: rm!.data, variance: rv!.data, count }
      outputs.running_mean = make(rm!.shape, Float64Array.from(rm!.data))
      outputs.running_var = make(rv!.shape, Float64Array.from(rv!.data))
    }
    const { y, invStd } = planeForward(x.data, p, stats.mean, stats.variance, attrs.eps, weight, bias)
    outputs.y = make(x.shape, y)
    return E.right({ outputs, cache: { planes: p, x: x.data, mean: stats.mean, invStd, count: stats.count, weight, bias, fromX: attrs.training } })
  },
  backward: (_attrs, cache, { y: g }) => planeGrads(cache, g),
})

/** Instance and group norm: the per-channel parameter check, then the plane kernels. */
const perChannel = (op: string, x: Tensor, inputs: Record<string, Tensor | undefined>, p: Planes, eps: number) => {
  for (const name of ['weight', 'bias']) {
    const r = checkPerChannel(op, name, inputs[name], p.layout.c)
    if (E.isLeft(r)) return r
  }
  const stats = planeMoments(x.data, p)
  const { y, invStd } = planeForward(x.data, p, stats.mean, stats.variance, eps, inputs.weight, inputs.bias)
  const cache: PlaneCache = { planes: p, x: x.data, mean: stats.mean, invStd, count: stats.count, weight: inputs.weight, bias: inputs.bias, fromX: true }
  return E.right({ outputs: { y: make(x.shape, y) }, cache })
}

export const instanceNorm = defineOp<InstanceNorm.Attrs, PlaneCache>({
  name: 'instance_norm',
  inputs: InstanceNorm.op.inputs,
  outputs: ['y'],
  attrs: (op, raw) => InstanceNorm.op.parseAttrs(raw),
  forward: (attrs, inputs) => {
    const x = inputs.x!
    const checked = InstanceNorm.validate(x)
    if (E.isLeft(checked)) return checked
    const layout = checked.right
    return perChannel('instance_norm', x, inputs, planes(layout, layout.n * layout.c, (n, c) => n * layout.c + c), attrs.eps)
  },
  backward: (_attrs, cache, { y: g }) => planeGrads(cache, g),
})

export const groupNorm = defineOp<GroupNorm.Attrs, PlaneCache>({
  name: 'group_norm',
  inputs: GroupNorm.op.inputs,
  outputs: ['y'],
  attrs: (op, raw) => GroupNorm.op.parseAttrs(raw),
  forward: (attrs, inputs) => {
    const x = inputs.x!
    const checked = GroupNorm.validate(attrs, x)
    if (E.isLeft(checked)) return checked
    const layout = checked.right, G = attrs.num_groups, per = layout.c / G
    return perChannel('group_norm', x, inputs, planes(layout, layout.n * G, (n, c) => n * G + Math.floor(c / per)), attrs.eps)
  },
  backward: (_attrs, cache, { y: g }) => planeGrads(cache, g),
})

interface RowCache {
  readonly d: number
  readonly x: Float64Array
  readonly mean: Float64Array
  readonly invStd: Float64Array
  readonly weight?: Tensor
  readonly bias?: Tensor
}

export const layerNorm = defineOp<LayerNorm.Attrs, RowCache>({
  name: 'layer_norm',
  inputs: LayerNorm.op.inputs,
  outputs: ['y'],
  attrs: (op, raw) => LayerNorm.op.parseAttrs(raw),
  forward: (attrs, inputs) => {
    const checked = LayerNorm.validate(attrs, inputs)
    if (E.isLeft(checked)) return checked
    const d = checked.right, x = inputs.x!.data
    const rows = d === 0 ? 0 : x.length / d
    const w = inputs.weight?.data, b = inputs.bias?.data
    const y = new Float64Array(x.length), mean = new Float64Array(rows), invStd = new Float64Array(rows)
    for (let r = 0; r < rows; r++) {
      const o = r * d, e = o + d
      let s = 0
      for (let i = o; i < e; i++) s += x[i]
      const mu = s / d // (1)
      mean[r] = mu
      let v = 0
      for (let i = o; i < e; i++) { const t = x[i] - mu; v += t * t }
      const is = 1 / Math.sqrt(v / d + attrs.eps) // (1), (2)
      invStd[r] = is
      if (w !== undefined && b !== undefined) { // the common case, its own loop (no test per element)
        for (let i = o, j = 0; i < e; i++, j++) y[i] = w[j] * ((x[i] - mu) * is) + b[j] // (2), (3)
      } else {
        for (let i = o, j = 0; i < e; i++, j++) {
          const h = (x[i] - mu) * is // (2)
          y[i] = (w === undefined ? h : w[j] * h) + (b === undefined ? 0 : b[j]) // (3)
        }
      }
    }
    return E.right({ outputs: { y: make(inputs.x!.shape, y) }, cache: { d, x, mean, invStd, weight: inputs.weight, bias: inputs.bias } })
  },
  backward: (_attrs, { d, x, mean, invStd, weight, bias }, { y: g }) => {
    const gd = g.data, w = weight?.data
    const rows = invStd.length
    const dx = new Float64Array(gd.length), dgamma = new Float64Array(d), dbeta = new Float64Array(d)
    for (let r = 0; r < rows; r++) {
      const o = r * d, e = o + d, mu = mean[r], is = invStd[r]
      let sD = 0, sDX = 0
      const f = invStd[r] / d
      if (w !== undefined) { // the common case, its own loops (no test per element)
        for (let i = o, j = 0; i < e; i++, j++) {
          const gi = gd[i], dh = gi * w[j] // (4)
          const h = (x[i] - mu) * is // xhat, recomputed: the forward's expression on the same numbers
          sD += dh
          sDX += dh * h
          dgamma[j] += gi * h // (4)
          dbeta[j] += gi // (4)
        }
        for (let i = o, j = 0; i < e; i++, j++) dx[i] = f * (d * (gd[i] * w[j]) - sD - ((x[i] - mu) * is) * sDX) // (5)
        continue
      }
      for (let i = o, j = 0; i < e; i++, j++) {
        const dh = gd[i] // (4)
        const h = (x[i] - mu) * is // xhat, recomputed: the forward's expression on the same numbers
        sD += dh
        sDX += dh * h
        dbeta[j] += gd[i] // (4); no weight: no dgamma to return
      }
      for (let i = o; i < e; i++) dx[i] = f * (d * gd[i] - sD - ((x[i] - mu) * is) * sDX) // (5)
    }
    const out: Record<string, Tensor> = { x: make(g.shape, dx) }
    if (weight !== undefined) out.weight = make(weight.shape, dgamma)
    if (bias !== undefined) out.bias = make(bias.shape, dbeta)
    return out
  },
})
