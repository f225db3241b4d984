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
 * Layer norm works four rows side by side where it can (the forward's
 * moments, the backward's column sums) and, with weights, its backward rows
 * two at a time in WebAssembly SIMD, a row a lane (./layer-norm-rows.ts):
 * more independent additions in flight, none of them reordered.
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
import { backwardPair, readyFor } from './layer-norm-rows.ts'
import { allocate, asShared } from './shared-array.ts'
import { parallelFor, rangeKernel } from './threads.ts'

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

interface PlaneArgs {
  readonly x: Float64Array; readonly groupOf: Int32Array
  readonly n: number; readonly c: number; readonly S: number; readonly eps: number
  readonly w: Float64Array | undefined; readonly b: Float64Array | undefined
  /** per group: the moments of (1), (2) (given, for batch norm in evaluation), 1/sigma of (3), the count */
  readonly mean: Float64Array; readonly variance: Float64Array; readonly invStd: Float64Array; readonly count: Float64Array
  /** 1: mean, variance and count are given, not computed */
  readonly given: number
  readonly y: Float64Array
}

/**
 * (1)-(4) and affine (1) for the statistics groups [lo, hi): the planes of
 * each group in flat order. (1), (2) take two passes, as the reference (no
 * E[x^2] - E[x]^2), and each group's accumulator runs through its values in
 * flat order, as the reference's does (a plane continues its group's running
 * sum), so the sums are the reference's to the bit.
 */
export const planeForward = rangeKernel('plane_norm.forward', (a: PlaneArgs, lo: number, hi: number) => {
  const { x, groupOf, n, c, S, eps, w, b, mean, variance, invStd, count, y } = a
  const planes = n * c
  if (a.given !== 1) {
    mean.fill(0, lo, hi); variance.fill(0, lo, hi); count.fill(0, lo, hi) // written whole (./threads.ts)
    for (let q = 0; q < planes; q++) {
      const k = groupOf[q]
      if (k < lo || k >= hi) continue
      let s = mean[k]
      for (let i = q * S, e = i + S; i < e; i++) s += x[i]
      mean[k] = s
      count[k] += S
    }
    for (let k = lo; k < hi; k++) mean[k] /= count[k] // (1)
    for (let q = 0; q < planes; q++) {
      const k = groupOf[q]
      if (k < lo || k >= hi) continue
      const mu = mean[k]
      let s = variance[k]
      for (let i = q * S, e = i + S; i < e; i++) { const d = x[i] - mu; s += d * d }
      variance[k] = s
    }
    for (let k = lo; k < hi; k++) variance[k] /= count[k] // (2)
  }
  for (let k = lo; k < hi; k++) invStd[k] = 1 / Math.sqrt(variance[k] + eps) // (3)
  for (let q = 0; q < planes; q++) {
    const k = groupOf[q]
    if (k < lo || k >= hi) continue
    const ch = q % c, mu = mean[k], r = invStd[k]
    const e = q * S + S
    if (w === undefined && b === undefined) {
      for (let i = q * S; i < e; i++) y[i] = (x[i] - mu) * r + 0 // (4), affine (1)
    } else {
      const gw = w === undefined ? 1 : w[ch], gb = b === undefined ? 0 : b[ch]
      if (w === undefined) for (let i = q * S; i < e; i++) y[i] = (x[i] - mu) * r + gb
      else for (let i = q * S; i < e; i++) y[i] = gw * ((x[i] - mu) * r) + gb // (4), affine (1)
    }
  }
})

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

/** Normalizes x by planes, in parallel over groups when it pays: y, and the statistics the backward needs. */
const normalizePlanes = (x: Float64Array, p: Planes, eps: number, weight: Tensor | undefined, bias: Tensor | undefined,
  given?: { readonly mean: Float64Array; readonly variance: Float64Array; readonly count: Float64Array }) => {
  const work = x.length, G = p.groups
  const a: PlaneArgs = {
    x, groupOf: asShared(p.groupOf, work), n: p.layout.n, c: p.layout.c, S: p.layout.spatial, eps,
    w: weight && asShared(weight.data, work), b: bias && asShared(bias.data, work),
    mean: given ? asShared(given.mean, work) : allocate(G, { work, whole: true }), variance: given ? asShared(given.variance, work) : allocate(G, { work, whole: true }),
    count: given ? asShared(given.count, work) : allocate(G, { work, whole: true }), invStd: allocate(G, { work, whole: true }), given: given ? 1 : 0,
    y: allocate(x.length, { whole: true }),
  }
  parallelFor(planeForward, a, G, work)
  return a
}

interface PlaneBackwardArgs {
  readonly x: Float64Array; readonly g: Float64Array; readonly groupOf: Int32Array
  readonly n: number; readonly c: number; readonly S: number
  readonly w: Float64Array | undefined
  readonly mean: Float64Array; readonly invStd: Float64Array; readonly count: Float64Array
  /** 1: dx by (5) (statistics from x); 0: by (6) */
  readonly fromX: number
  readonly dx: Float64Array; readonly dgamma: Float64Array; readonly dbeta: Float64Array; readonly sumD: Float64Array; readonly sumDX: Float64Array
}

/**
 * Affine (2)-(4) and standardize (5) or (6) for the statistics groups
 * [lo, hi). Every accumulator runs in flat order from where its group left
 * it: the reference's sums to the bit. dgamma and dbeta are sums per channel:
 * a range may hold them only when each channel's planes all lie in its groups
 * (batch norm, or one sample); otherwise the caller runs all groups at once.
 */
export const planeBackward = rangeKernel('plane_norm.backward', (a: PlaneBackwardArgs, lo: number, hi: number) => {
  const { x, g, groupOf, n, c, S, w, mean, invStd, count, dx, dgamma, dbeta, sumD, sumDX } = a
  const planes = n * c
  sumD.fill(0, lo, hi); sumDX.fill(0, lo, hi) // written whole (./threads.ts)
  for (let q = 0; q < planes; q++) {
    const k = groupOf[q]
    if (k < lo || k >= hi) continue
    const ch = q % c, mu = mean[k], r = invStd[k]
    let dg = q < c ? 0 : dgamma[ch], db = q < c ? 0 : dbeta[ch], sd = sumD[k], sdx = sumDX[k] // q < c: the channel's first plane
    if (w === undefined) {
      for (let i = q * S, e = i + S; i < e; i++) { const gi = g[i], h = (x[i] - mu) * r; dg += gi * h; db += gi; sd += gi; sdx += gi * h }
    } else {
      const gw = w[ch]
      for (let i = q * S, e = i + S; i < e; i++) { const gi = g[i], h = (x[i] - mu) * r, dh = gi * gw; dg += gi * h; db += gi; sd += dh; sdx += dh * h } // affine (2)-(4)
    }
    dgamma[ch] = dg; dbeta[ch] = db; sumD[k] = sd; sumDX[k] = sdx
  }
  for (let q = 0; q < planes; q++) {
    const k = groupOf[q]
    if (k < lo || k >= hi) continue
    const ch = q % c, gw = w === undefined ? 1 : w[ch]
    const r = invStd[k], mu = mean[k], e = q * S + S
    if (a.fromX === 1) {
      const m = count[k], sd = sumD[k], sdx = sumDX[k], f = r / m
      if (w === undefined) for (let i = q * S; i < e; i++) dx[i] = f * (m * g[i] - sd - ((x[i] - mu) * r) * sdx) // (5)
      else for (let i = q * S; i < e; i++) dx[i] = f * (m * (g[i] * gw) - sd - ((x[i] - mu) * r) * sdx) // (5)
    } else {
      if (w === undefined) for (let i = q * S; i < e; i++) dx[i] = r * g[i] // (6)
      else for (let i = q * S; i < e; i++) dx[i] = r * (g[i] * gw) // (6)
    }
  }
})

const planeGrads = (cache: PlaneCache, g: Tensor): Record<string, Tensor> => {
  const { planes: p, x, mean, invStd, count, weight, bias, fromX } = cache
  const { n, c, spatial: S } = p.layout, work = g.data.length, G = p.groups
  const a: PlaneBackwardArgs = {
    x, g: g.data, groupOf: asShared(p.groupOf, work), n, c, S, w: weight && asShared(weight.data, work),
    mean, invStd, count, fromX: fromX ? 1 : 0,
    dx: allocate(g.data.length, { whole: true }), dgamma: allocate(c, { work }), dbeta: allocate(c, { work }), sumD: allocate(G, { work, whole: true }), sumDX: allocate(G, { work, whole: true }),
  }
  const channelsOwned = G === c || n === 1 // batch norm's groups are its channels; one sample: each channel in one group
  if (channelsOwned) parallelFor(planeBackward, a, G, work)
  else planeBackward.run(a, 0, G)
  const out: Record<string, Tensor> = { x: make(g.shape, a.dx) }
  if (weight !== undefined) out.weight = make(weight.shape, a.dgamma)
  if (bias !== undefined) out.bias = make(bias.shape, a.dbeta)
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
    let r: PlaneArgs
    if (attrs.training) {
      r = normalizePlanes(x.data, p, attrs.eps, weight, bias)
      const m = layout.n * layout.spatial
      if (rm !== undefined) outputs.running_mean = runningUpdate(rm, r.mean, attrs.momentum, m, false)
      if (rv !== undefined) outputs.running_var = runningUpdate(rv, r.variance, attrs.momentum, m, true)
    } else {
      const count = new Float64Array(layout.c).fill(layout.n * layout.spatial)
      r = normalizePlanes(x.data, p, attrs.eps, weight, bias, { mean: rm!.data, variance: rv!.data, count })
      outputs.running_mean = make(rm!.shape, Float64Array.from(rm!.data))
      outputs.running_var = make(rv!.shape, Float64Array.from(rv!.data))
    }
    outputs.y = make(x.shape, r.y)
    return E.right({ outputs, cache: { planes: p, x: x.data, mean: r.mean, invStd: r.invStd, count: r.count, weight, bias, fromX: attrs.training } })
  },
  backward: (_attrs, cache, { y: g }) => planeGrads(cache, g),
})

/** Instance and group norm: the per-channel parameter check, then the plane kernels. */
const perChannel = (op: string, x: Tensor, inputs: Record<string, Tensor | undefined>, p: Planes, eps: number) => {
  for (const name of ['weight', 'bias']) {
    const r = checkPerChannel(op, name, inputs[name], p.layout.c)
    if (E.isLeft(r)) return r
  }
  const r = normalizePlanes(x.data, p, eps, inputs.weight, inputs.bias)
  const cache: PlaneCache = { planes: p, x: x.data, mean: r.mean, invStd: r.invStd, count: r.count, weight: inputs.weight, bias: inputs.bias, fromX: true }
  return E.right({ outputs: { y: make(x.shape, r.y) }, cache })
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

interface RowForwardArgs {
  readonly x: Float64Array; readonly y: Float64Array; readonly mean: Float64Array; readonly invStd: Float64Array
  readonly w: Float64Array | undefined; readonly b: Float64Array | undefined; readonly d: number; readonly eps: number
}

/**
 * Layer norm (1)-(3) over rows [lo, hi), four rows a step where four remain
 * (`momentsOfFour`), then one at a time. Each row's two sums are their own
 * chain of additions in the reference's order, so interleaving four rows
 * changes no bit; it gives the processor four independent chains where one
 * chain waits on each addition (one thread, [4096, 1024], best of 11 in
 * each of three runs: 10.4-10.5 to 9.7-9.8 ms; the same loops over module
 * constants, [2048, 1024]: 5.9 to 4.3).
 */
export const layerNormForward = rangeKernel('layer_norm.forward', (a: RowForwardArgs, lo: number, hi: number) => {
  let r = lo
  for (; r + 4 <= hi; r += 4) {
    momentsOfFour(a, r)
    for (let q = r; q < r + 4; q++) normalizeRow(a, q)
  }
  for (; r < hi; r++) {
    momentsOfOne(a, r)
    normalizeRow(a, r)
  }
})

/** (1), (2) of row r: mean[r] and invStd[r]. */
const momentsOfOne = (a: RowForwardArgs, r: number): void => {
  const { x, mean, invStd, d, eps } = a
  const o = r * d, e = o + d
  let s = 0
  for (let i = o; i < e; i++) s += x[i]
  const mu = s / d // (1)
  mean[r] = mu
  let v = 0
  for (let i = o; i < e; i++) { const t = x[i] - mu; v += t * t }
  invStd[r] = 1 / Math.sqrt(v / d + eps) // (1), (2)
}

/** (1), (2) of rows r .. r + 3, side by side: `momentsOfOne` four times, to the bit. */
const momentsOfFour = (a: RowForwardArgs, r: number): void => {
  const { x, mean, invStd, d, eps } = a
  const o0 = r * d, o1 = o0 + d, o2 = o1 + d, o3 = o2 + d
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0
  for (let j = 0; j < d; j++) { s0 += x[o0 + j]; s1 += x[o1 + j]; s2 += x[o2 + j]; s3 += x[o3 + j] }
  const m0 = s0 / d, m1 = s1 / d, m2 = s2 / d, m3 = s3 / d // (1)
  let v0 = 0, v1 = 0, v2 = 0, v3 = 0
  for (let j = 0; j < d; j++) {
    const t0 = x[o0 + j] - m0, t1 = x[o1 + j] - m1, t2 = x[o2 + j] - m2, t3 = x[o3 + j] - m3
    v0 += t0 * t0; v1 += t1 * t1; v2 += t2 * t2; v3 += t3 * t3
  }
  mean[r] = m0; mean[r + 1] = m1; mean[r + 2] = m2; mean[r + 3] = m3
  invStd[r] = 1 / Math.sqrt(v0 / d + eps) // (1), (2)
  invStd[r + 1] = 1 / Math.sqrt(v1 / d + eps)
  invStd[r + 2] = 1 / Math.sqrt(v2 / d + eps)
  invStd[r + 3] = 1 / Math.sqrt(v3 / d + eps)
}

/** (2), (3) of row r, from its mean and invStd: y. */
const normalizeRow = (a: RowForwardArgs, r: number): void => {
  const { x, y, mean, invStd, w, b, d } = a
  const o = r * d, e = o + d, mu = mean[r], is = invStd[r]
  if (w !== undefined && b !== undefined) { // the common case, its own loop (no test per element)
    for (let i = o, j = 0; i < e; i++, j++) y[i] = w[j] * ((x[i] - mu) * is) + b[j] // (2), (3)
    return
  }
  for (let i = o, j = 0; i < e; i++, j++) {
    const h = (x[i] - mu) * is // (2)
    y[i] = (w === undefined ? h : w[j] * h) + (b === undefined ? 0 : b[j]) // (3)
  }
}

interface RowBackwardArgs {
  readonly x: Float64Array; readonly g: Float64Array; readonly mean: Float64Array; readonly invStd: Float64Array
  readonly w: Float64Array | undefined; readonly d: number
  readonly dx: Float64Array; readonly dgamma: Float64Array; readonly dbeta: Float64Array
}

/**
 * Layer norm (4), (5) over rows [lo, hi): each row's two sums, then its dx.
 * With weights, two rows at a time through WebAssembly SIMD where it is there
 * (./layer-norm-rows.ts: the same operations, a row a lane, so the same bits;
 * one thread, [4096, 1024], best of 11 in each of three runs: 12.0-13.0 to
 * 7.2-7.8 ms), the last odd row and everything else through `backwardRow`.
 */
export const layerNormBackwardRows = rangeKernel('layer_norm.backward_rows', (a: RowBackwardArgs, lo: number, hi: number) => {
  const { x, g, mean, invStd, w, d, dx } = a
  let r = lo
  const it = w === undefined ? null : readyFor(w, d)
  if (it !== null) for (; r + 2 <= hi; r += 2) backwardPair(it, x, g, dx, r * d, d, mean[r], invStd[r], mean[r + 1], invStd[r + 1])
  for (; r < hi; r++) backwardRow(a, r)
})

/** (4), (5) of row r in JavaScript. */
const backwardRow = (a: RowBackwardArgs, r: number): void => {
  const { x, g: gd, mean, invStd, w, d, dx } = a
  const o = r * d, e = o + d, mu = mean[r], is = invStd[r]
  let sD = 0, sDX = 0
  const f = is / d
  if (w !== undefined) { // the common case, its own loops (no test per element)
    for (let i = o, j = 0; i < e; i++, j++) {
      const dh = gd[i] * w[j] // (4)
      sD += dh
      sDX += dh * ((x[i] - mu) * is) // xhat, recomputed: the forward's expression on the same numbers
    }
    for (let i = o, j = 0; i < e; i++, j++) dx[i] = f * (d * (gd[i] * w[j]) - sD - ((x[i] - mu) * is) * sDX) // (5)
    return
  }
  for (let i = o; i < e; i++) {
    const dh = gd[i] // (4)
    sD += dh
    sDX += dh * ((x[i] - mu) * is)
  }
  for (let i = o; i < e; i++) dx[i] = f * (d * gd[i] - sD - ((x[i] - mu) * is) * sDX) // (5)
}

/**
 * Layer norm (4) over positions [lo, hi) of the row: dgamma_j and dbeta_j
 * summed over the rows in row order, as the reference sums them. A kernel of
 * its own because these sums run across rows: split by rows, two threads
 * would each hold part of every sum.
 *
 * Four rows a step (`columnsOfFour`): each running sum takes row r's term,
 * then r + 1's, r + 2's and r + 3's, the reference's additions in the
 * reference's order, so the same bits; what it saves is three of every four
 * loads and stores of dgamma_j and dbeta_j (one thread, [4096, 1024], best of
 * 11 in each of three runs: 7.8-7.9 to 4.0-5.9 ms).
 */
export const layerNormBackwardColumns = rangeKernel('layer_norm.backward_columns', (a: RowBackwardArgs, lo: number, hi: number) => {
  const { dgamma, dbeta } = a
  const rows = a.invStd.length
  dgamma.fill(0, lo, hi) // the range is written whole (./threads.ts): a rerun gives the same sums
  dbeta.fill(0, lo, hi)
  let r = 0
  for (; r + 4 <= rows; r += 4) columnsOfFour(a, r, lo, hi)
  for (; r < rows; r++) columnsOfOne(a, r, lo, hi)
})

/** Row r's terms of (4), added to dgamma_j and dbeta_j for j in [lo, hi). */
const columnsOfOne = (a: RowBackwardArgs, r: number, lo: number, hi: number): void => {
  const { x, g: gd, mean, invStd, w, d, dgamma, dbeta } = a
  const o = r * d, mu = mean[r], is = invStd[r]
  if (w !== undefined) for (let j = lo, i = o + lo; j < hi; j++, i++) { const gi = gd[i]; dgamma[j] += gi * ((x[i] - mu) * is); dbeta[j] += gi } // (4)
  else for (let j = lo, i = o + lo; j < hi; j++, i++) dbeta[j] += gd[i] // (4); no weight: no dgamma to return
}

/** Rows r .. r + 3's terms of (4), added in row order: `columnsOfOne` four times, to the bit. */
const columnsOfFour = (a: RowBackwardArgs, r: number, lo: number, hi: number): void => {
  const { x, g: gd, mean, invStd, w, d, dgamma, dbeta } = a
  const o0 = r * d, o1 = o0 + d, o2 = o1 + d, o3 = o2 + d
  if (w === undefined) {
    for (let j = lo; j < hi; j++) dbeta[j] = (((dbeta[j] + gd[o0 + j]) + gd[o1 + j]) + gd[o2 + j]) + gd[o3 + j] // (4)
    return
  }
  const m0 = mean[r], m1 = mean[r + 1], m2 = mean[r + 2], m3 = mean[r + 3]
  const s0 = invStd[r], s1 = invStd[r + 1], s2 = invStd[r + 2], s3 = invStd[r + 3]
  for (let j = lo; j < hi; j++) {
    const g0 = gd[o0 + j], g1 = gd[o1 + j], g2 = gd[o2 + j], g3 = gd[o3 + j]
    dgamma[j] = (((dgamma[j] + g0 * ((x[o0 + j] - m0) * s0)) + g1 * ((x[o1 + j] - m1) * s1)) + g2 * ((x[o2 + j] - m2) * s2)) + g3 * ((x[o3 + j] - m3) * s3) // (4)
    dbeta[j] = (((dbeta[j] + g0) + g1) + g2) + g3
  }
}

export const layerNorm = defineOp<LayerNorm.Attrs, RowCache>({
  name: 'layer_norm',
  inputs: LayerNorm.op.inputs,
  outputs: ['y'],
  attrs: (op, raw) => LayerNorm.op.parseAttrs(raw),
  forward: (attrs, inputs) => {
    const checked = LayerNorm.validate(attrs, inputs)
    if (E.isLeft(checked)) return checked
    const d = checked.right, x = inputs.x!.data, work = x.length
    const rows = d === 0 ? 0 : x.length / d
    const w = inputs.weight?.data, b = inputs.bias?.data
    const y = allocate(x.length, { whole: true }), mean = allocate(rows, { work, whole: true }), invStd = allocate(rows, { work, whole: true })
    parallelFor(layerNormForward, { x, y, mean, invStd, w: w && asShared(w, work), b: b && asShared(b, work), d, eps: attrs.eps }, rows, work)
    return E.right({ outputs: { y: make(inputs.x!.shape, y) }, cache: { d, x, mean, invStd, weight: inputs.weight, bias: inputs.bias } })
  },
  backward: (_attrs, { d, x, mean, invStd, weight, bias }, { y: g }) => {
    const gd = g.data, work = gd.length
    const dx = allocate(gd.length, { whole: true }), dgamma = allocate(d, { work, whole: true }), dbeta = allocate(d, { work, whole: true })
    const args: RowBackwardArgs = { x, g: gd, mean, invStd, w: weight && asShared(weight.data, work), d, dx, dgamma, dbeta }
    parallelFor(layerNormBackwardRows, args, invStd.length, work)
    parallelFor(layerNormBackwardColumns, args, d, work)
    const out: Record<string, Tensor> = { x: make(g.shape, dx) }
    if (weight !== undefined) out.weight = make(weight.shape, dgamma)
    if (bias !== undefined) out.bias = make(bias.shape, dbeta)
    return out
  },
})
