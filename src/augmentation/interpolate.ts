/**
 * Resizing, `torch.nn.functional.interpolate(x, size, mode, align_corners,
 * antialias)` of PyTorch 1.13 (CPU), x [N, C, H, W] -> y [N, C, h, w]. Every
 * mode is separable: along each axis, output position d reads a few input taps
 * with weights, and the 2-D result applies the W taps, then the H taps:
 *   (1) y[n, c, a, b] = sum_p sum_q wH[a][p] wW[b][q] x[n, c, iH[a][p], iW[b][q]]
 * Per axis, input length L, output length O:
 *   nearest   (2) s = fl32(L / O); src = min(floor(fl32(d s)), L - 1), weight 1
 *                 (float32 arithmetic, as PyTorch's nearest_idx; d when O = L,
 *                 d >> 1 when O = 2L)
 *   scale     (3) s = (L - 1) / (O - 1) (0 when O = 1) under align_corners, else L / O
 *   bilinear  (4) r = s d under align_corners, else max(s (d + 1/2) - 1/2, 0);
 *                 i = min(floor(fl32(r)), L - 1), t = clamp(r - i, 0, 1);
 *                 taps i (weight 1 - t) and min(i + 1, L - 1) (weight t)
 *   bicubic   (5) r as (4) without the clamp at 0; taps i - 1 .. i + 2 clamped
 *                 into [0, L - 1] with Keys' weights, a = -0.75:
 *                 k(u) = (a + 2)|u|^3 - (a + 3)|u|^2 + 1 for |u| <= 1,
 *                        a|u|^3 - 5a|u|^2 + 8a|u| - 4a for 1 < |u| < 2
 *                 weights k(t + 1), k(t), k(1 - t), k(2 - t)
 *   antialias (6) PIL's resampling: support S = (taps / 2) max(s, 1) (taps 2 for
 *                 the triangle filter, 4 for cubic with a = -0.5), centre
 *                 c = s (d + 1/2), taps j in [trunc(c - S + 1/2), trunc(c + S + 1/2))
 *                 inside [0, L), weight f((j - c + 1/2) / max(s, 1)), normalized
 *                 to sum 1 over those taps
 * The map is linear in x, so the VJP is its transpose:
 *   (7) dx[n, c, iH[a][p], iW[b][q]] += wH[a][p] wW[b][q] g[n, c, a, b]
 */
import * as E from 'fp-ts/lib/Either.js'
import { boolean, oneOf, optional, pair, schema } from '../core/attrs.ts'
import { fail } from '../core/errors.ts'
import { defineOp } from '../core/op.ts'
import { type Shape, type Tensor, make } from '../core/tensor.ts'
import { image } from './image.ts'

export type Mode = 'nearest' | 'bilinear' | 'bicubic'

export interface Attrs {
  readonly size: readonly [number, number]
  readonly mode: Mode
  readonly align_corners: boolean | undefined
  readonly antialias: boolean
}

/** One axis of (1): for each output position, its taps and their weights. */
export interface Taps { readonly idx: readonly Int32Array[]; readonly wt: readonly Float64Array[] }

const f32 = Math.fround

// #region taps
const nearest = (L: number, O: number): Taps => {
  const s = f32(L / O) // (2)
  const idx: Int32Array[] = [], wt: Float64Array[] = []
  for (let d = 0; d < O; d++) {
    const src = O === L ? d : O === 2 * L ? d >> 1 : Math.min(Math.floor(f32(d * s)), L - 1) // (2)
    idx.push(Int32Array.of(src)); wt.push(Float64Array.of(1))
  }
  return { idx, wt }
}

const scaleOf = (L: number, O: number, alignCorners: boolean): number =>
  alignCorners ? (O > 1 ? (L - 1) / (O - 1) : 0) : L / O // (3)

/** PyTorch's guard_index_and_lambda: the floor is taken in float32 (floorf). */
const guard = (r: number, L: number): [number, number] => {
  const i = Math.min(Math.floor(f32(r)), L - 1)
  return [i, Math.min(Math.max(r - i, 0), 1)]
}

const bilinear = (L: number, O: number, ac: boolean): Taps => {
  const s = scaleOf(L, O, ac)
  const idx: Int32Array[] = [], wt: Float64Array[] = []
  for (let d = 0; d < O; d++) {
    const r = ac ? s * d : Math.max(s * (d + 0.5) - 0.5, 0) // (4)
    const [i, t] = guard(r, L)
    idx.push(Int32Array.of(i, i < L - 1 ? i + 1 : i)); wt.push(Float64Array.of(1 - t, t)) // (4)
  }
  return { idx, wt }
}

const A = -0.75
const cubic1 = (u: number, a: number): number => ((a + 2) * u - (a + 3)) * u * u + 1 // (5) |u| <= 1
const cubic2 = (u: number, a: number): number => ((a * u - 5 * a) * u + 8 * a) * u - 4 * a // (5) 1 < |u| < 2

const bicubic = (L: number, O: number, ac: boolean): Taps => {
  const s = scaleOf(L, O, ac)
  const idx: Int32Array[] = [], wt: Float64Array[] = []
  for (let d = 0; d < O; d++) {
    const r = ac ? s * d : s * (d + 0.5) - 0.5 // (5) no clamp at 0
    const [i, t] = guard(r, L)
    const clampTap = (k: number) => Math.max(Math.min(k, L - 1), 0)
    idx.push(Int32Array.of(clampTap(i - 1), clampTap(i), clampTap(i + 1), clampTap(i + 2)))
    wt.push(Float64Array.of(cubic2(t + 1, A), cubic1(t, A), cubic1(1 - t, A), cubic2(2 - t, A))) // (5)
  }
  return { idx, wt }
}

/** PIL's filters (6): triangle, and Keys' cubic with a = -0.5. */
const triangle = (u: number): number => { const v = Math.abs(u); return v < 1 ? 1 - v : 0 }
const pilCubic = (u: number): number => {
  const v = Math.abs(u), a = -0.5
  return v < 1 ? ((a + 2) * v - (a + 3)) * v * v + 1 : v < 2 ? (((v - 5) * v + 8) * v - 4) * a : 0
}

const antialiased = (L: number, O: number, ac: boolean, mode: 'bilinear' | 'bicubic'): Taps => {
  const s = scaleOf(L, O, ac)
  const [taps, f] = mode === 'bilinear' ? [2, triangle] : [4, pilCubic]
  const support = s >= 1 ? (taps / 2) * s : taps / 2 // (6)
  const inv = s >= 1 ? 1 / s : 1
  const idx: Int32Array[] = [], wt: Float64Array[] = []
  for (let d = 0; d < O; d++) {
    const c = s * (d + 0.5) // (6)
    const lo = Math.max(Math.trunc(c - support + 0.5), 0)
    const hi = Math.min(Math.trunc(c + support + 0.5), L)
    const ii: number[] = [], ww: number[] = []
    let total = 0
    for (let j = lo; j < hi; j++) { const v = f((j - c + 0.5) * inv); ii.push(j); ww.push(v); total += v } // (6)
    idx.push(Int32Array.from(ii)); wt.push(Float64Array.from(ww, (v) => (total !== 0 ? v / total : v))) // (6) normalized
  }
  return { idx, wt }
}

export const taps = (L: number, O: number, a: Attrs): Taps =>
  a.mode === 'nearest' ? nearest(L, O)
    : a.antialias ? antialiased(L, O, a.align_corners ?? false, a.mode)
    : a.mode === 'bilinear' ? bilinear(L, O, a.align_corners ?? false)
    : bicubic(L, O, a.align_corners ?? false)
// #endregion taps

/** (1) as two passes: along W into [N, C, H, w], then along H. */
export const resample = (x: Tensor, tH: Taps, tW: Taps): Tensor => {
  const [n, c, h, w] = x.shape
  const ho = tH.idx.length, wo = tW.idx.length
  const tmp = new Float64Array(n * c * h * wo)
  for (let r = 0; r < n * c * h; r++) {
    for (let b = 0; b < wo; b++) {
      const ii = tW.idx[b], ww = tW.wt[b]
      let acc = 0
      for (let q = 0; q < ii.length; q++) acc += ww[q] * x.data[r * w + ii[q]] // (1)
      tmp[r * wo + b] = acc
    }
  }
  const y = new Float64Array(n * c * ho * wo)
  for (let p = 0; p < n * c; p++) {
    for (let a = 0; a < ho; a++) {
      const ii = tH.idx[a], ww = tH.wt[a]
      for (let b = 0; b < wo; b++) {
        let acc = 0
        for (let q = 0; q < ii.length; q++) acc += ww[q] * tmp[(p * h + ii[q]) * wo + b] // (1)
        y[(p * ho + a) * wo + b] = acc
      }
    }
  }
  return make([n, c, ho, wo], y)
}

/** (7): the transpose of `resample`. */
export const resampleT = (g: Tensor, xShape: Shape, tH: Taps, tW: Taps): Tensor => {
  const [n, c, h, w] = xShape
  const ho = tH.idx.length, wo = tW.idx.length
  const tmp = new Float64Array(n * c * h * wo)
  for (let p = 0; p < n * c; p++) {
    for (let a = 0; a < ho; a++) {
      const ii = tH.idx[a], ww = tH.wt[a]
      for (let b = 0; b < wo; b++) {
        const ga = g.data[(p * ho + a) * wo + b]
        for (let q = 0; q < ii.length; q++) tmp[(p * h + ii[q]) * wo + b] += ww[q] * ga // (7)
      }
    }
  }
  const dx = new Float64Array(n * c * h * w)
  for (let r = 0; r < n * c * h; r++) {
    for (let b = 0; b < wo; b++) {
      const ii = tW.idx[b], ww = tW.wt[b]
      for (let q = 0; q < ii.length; q++) dx[r * w + ii[q]] += ww[q] * tmp[r * wo + b] // (7)
    }
  }
  return make(xShape, dx)
}

export interface Cache { readonly tH: Taps; readonly tW: Taps; readonly xShape: Shape }

export const attrs = schema<Attrs>({
  size: pair(1),
  mode: oneOf(['nearest', 'bilinear', 'bicubic'] as const, 'bilinear'),
  align_corners: optional(boolean(false)),
  antialias: boolean(false),
})

export const op = defineOp<Attrs, Cache>({
  name: 'interpolate',
  inputs: [{ name: 'x' }],
  outputs: ['y'],
  attrs: (name, raw) => E.chain((a: Attrs) => {
    // PyTorch refuses align_corners (any value) and antialias with nearest; so does the case format.
    if (a.mode === 'nearest' && a.align_corners !== undefined) return fail(name, 'attrs.align_corners', 'no align_corners with mode "nearest"', String(a.align_corners), 'align_corners applies to bilinear and bicubic only')
    if (a.mode === 'nearest' && a.antialias) return fail(name, 'attrs.antialias', 'antialias false with mode "nearest"', 'true', 'antialias applies to bilinear and bicubic only')
    return E.right(a)
  })(attrs(name, raw)),
  forward: (a, { x }) => E.map(() => {
    const [, , h, w] = x!.shape
    const tH = taps(h, a.size[0], a), tW = taps(w, a.size[1], a)
    return { outputs: { y: resample(x!, tH, tW) }, cache: { tH, tW, xShape: x!.shape } }
  })(image('interpolate', x!)),
  backward: (_a, { tH, tW, xShape }, { y: g }) => ({ x: resampleT(g, xShape, tH, tW) }),
})
