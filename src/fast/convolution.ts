/**
 * Fast conv2d and conv_transpose2d: the three contractions of the trilinear
 * form T of src/convolution/correlation.ts, as im2col + blocked GEMM.
 *
 * For one sample n and one group g, the image's patches are the columns of
 *   (1) col[(b kh + i) kw + j, oh Wv + ow] = u[n, g Cug + b, ih, iw]   (0 outside the image)
 *       ih = oh s_h - p_t + i d_h,  iw = ow s_w - p_l + j d_w   (correlation.ts (2))
 * a [R, P] matrix, R = Cug kh kw, P = Hv Wv, and with W_g [Cvg, R] the
 * group's rows of the weight, V_g [Cvg, P] the group's map channels:
 *   (2) gather:    V_g = W_g col                         conv2d forward, conv_transpose2d dx
 *   (3) scatter:   u += col2im(W_g^T V_g)                conv_transpose2d forward, conv2d dx
 *   (4) correlate: W_g += V_g col^T, summed over n       dW of both
 * col2im is the adjoint of (1): each entry is added back to the pixel it was
 * read from. Each output is the same sum of products as the reference's
 * (terms of T), in another order: the derived bound is in spec/fast/.
 * A 1 x 1 kernel with unit stride and no padding has col = the image itself,
 * read in place.
 */
import * as E from 'fp-ts/lib/Either.js'
import { defineOp } from '../core/op.ts'
import { type Tensor, make } from '../core/tensor.ts'
import * as Conv2d from '../convolution/conv2d.ts'
import * as ConvTranspose2d from '../convolution/conv-transpose2d.ts'
import { type Geometry, imageShape, mapShape, weightShape } from '../convolution/correlation.ts'
import { gemm } from './gemm.ts'

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1)

/** 1 x 1, unit stride, no offset, same plane: col is u's group block itself. */
const direct = (geo: Geometry): boolean =>
  geo.kernel[0] === 1 && geo.kernel[1] === 1 && geo.stride[0] === 1 && geo.stride[1] === 1 &&
  geo.offset[0] === 0 && geo.offset[1] === 0 && geo.image[1] === geo.map[1] && geo.image[2] === geo.map[2]

/** The columns ow of a kernel column j whose iw = ow s + c0 falls inside [0, wu): [lo, hi). */
const validRange = (c0: number, s: number, wu: number, wv: number): readonly [number, number] => {
  const lo = c0 >= 0 ? 0 : Math.ceil(-c0 / s)
  const hi = Math.min(wv, Math.floor((wu - 1 - c0) / s) + 1)
  return [Math.min(lo, wv), Math.max(Math.min(lo, wv), hi)]
}

/** (1): fill col [R, P] from u's group block starting at uOff (every entry written). */
const im2col = (geo: Geometry, u: Float64Array, uOff: number, col: Float64Array): void => {
  const [cu, hu, wu] = geo.image, [, hv, wv] = geo.map
  const [kh, kw] = geo.kernel, [sh, sw] = geo.stride, [dh, dw] = geo.dilation, [pt, pl] = geo.offset
  const cug = cu / geo.groups, P = hv * wv
  for (let b = 0; b < cug; b++) {
    const plane = uOff + b * hu * wu
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const rowOff = ((b * kh + i) * kw + j) * P
        const c0 = j * dw - pl
        const [lo, hi] = validRange(c0, sw, wu, wv)
        for (let oh = 0; oh < hv; oh++) {
          const ih = oh * sh - pt + i * dh
          const dst = rowOff + oh * wv
          if (ih < 0 || ih >= hu) { col.fill(0, dst, dst + wv); continue }
          const src = plane + ih * wu + c0
          for (let ow = 0; ow < lo; ow++) col[dst + ow] = 0
          if (sw === 1) for (let ow = lo; ow < hi; ow++) col[dst + ow] = u[src + ow]
          else for (let ow = lo; ow < hi; ow++) col[dst + ow] = u[src + ow * sw]
          for (let ow = hi; ow < wv; ow++) col[dst + ow] = 0
        }
      }
    }
  }
}

/** The adjoint of (1): u's group block at uOff += every col entry at the pixel it came from. */
const col2im = (geo: Geometry, col: Float64Array, u: Float64Array, uOff: number): void => {
  const [cu, hu, wu] = geo.image, [, hv, wv] = geo.map
  const [kh, kw] = geo.kernel, [sh, sw] = geo.stride, [dh, dw] = geo.dilation, [pt, pl] = geo.offset
  const cug = cu / geo.groups, P = hv * wv
  for (let b = 0; b < cug; b++) {
    const plane = uOff + b * hu * wu
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const rowOff = ((b * kh + i) * kw + j) * P
        const c0 = j * dw - pl
        const [lo, hi] = validRange(c0, sw, wu, wv)
        for (let oh = 0; oh < hv; oh++) {
          const ih = oh * sh - pt + i * dh
          if (ih < 0 || ih >= hu) continue
          const src = rowOff + oh * wv, dst = plane + ih * wu + c0
          if (sw === 1) for (let ow = lo; ow < hi; ow++) u[dst + ow] += col[src + ow]
          else for (let ow = lo; ow < hi; ow++) u[dst + ow * sw] += col[src + ow]
        }
      }
    }
  }
}

interface Dims { readonly cu: number; readonly cv: number; readonly cug: number; readonly cvg: number; readonly R: number; readonly P: number; readonly U: number }

const dims = (geo: Geometry): Dims => {
  const [cu, hu, wu] = geo.image, [cv, hv, wv] = geo.map
  const cug = cu / geo.groups, cvg = cv / geo.groups
  return { cu, cv, cug, cvg, R: cug * geo.kernel[0] * geo.kernel[1], P: hv * wv, U: hu * wu }
}

/** (2) v = dT/dv, the map from image and weight. */
export const gather = (geo: Geometry, u: Float64Array, w: Float64Array): Float64Array => {
  const { cu, cv, cug, cvg, R, P, U } = dims(geo)
  const v = new Float64Array(geo.batch * cv * P)
  const inPlace = direct(geo)
  const col = inPlace ? u : new Float64Array(R * P)
  for (let n = 0; n < geo.batch; n++) {
    for (let g = 0; g < geo.groups; g++) {
      const uOff = (n * cu + g * cug) * U
      if (!inPlace) im2col(geo, u, uOff, col)
      gemm(cvg, P, R, w, g * cvg * R, R, 1, col, inPlace ? uOff : 0, P, 1, v, (n * cv + g * cvg) * P) // (2)
    }
  }
  return v
}

/** (3) u = dT/du, the image from weight and map. */
export const scatter = (geo: Geometry, w: Float64Array, v: Float64Array): Float64Array => {
  const { cu, cv, cug, cvg, R, P, U } = dims(geo)
  const u = new Float64Array(geo.batch * cu * U)
  const inPlace = direct(geo)
  const col = inPlace ? u : new Float64Array(R * P)
  for (let n = 0; n < geo.batch; n++) {
    for (let g = 0; g < geo.groups; g++) {
      const uOff = (n * cu + g * cug) * U
      if (!inPlace) col.fill(0)
      gemm(R, P, cvg, w, g * cvg * R, 1, R, v, (n * cv + g * cvg) * P, P, 1, col, inPlace ? uOff : 0) // (3): W_g^T(r, a) = W[a, r]
      if (!inPlace) col2im(geo, col, u, uOff) // (3)
    }
  }
  return u
}

/** (4) w = dT/dw, the image correlated with the map, summed over the batch. */
export const correlate = (geo: Geometry, u: Float64Array, v: Float64Array): Float64Array => {
  const { cu, cv, cug, cvg, R, P, U } = dims(geo)
  const w = new Float64Array(size(weightShape(geo)))
  const inPlace = direct(geo)
  const col = inPlace ? u : new Float64Array(R * P)
  for (let n = 0; n < geo.batch; n++) {
    for (let g = 0; g < geo.groups; g++) {
      const uOff = (n * cu + g * cug) * U
      if (!inPlace) im2col(geo, u, uOff, col)
      gemm(cvg, R, P, v, (n * cv + g * cvg) * P, P, 1, col, inPlace ? uOff : 0, 1, P, w, g * cvg * R) // (4): col^T(s, r) = col[r, s]
    }
  }
  return w
}

/** y[n, k, ...] += b[k], plane by plane (no division per element). */
export const addBias = (y: Float64Array, bias: Float64Array, channels: number, plane: number): Float64Array => {
  if (plane === 0) return y
  for (let f = 0, k = 0; f < y.length; f += plane, k = k + 1 === channels ? 0 : k + 1) {
    const b = bias[k]
    for (let s = f; s < f + plane; s++) y[s] += b
  }
  return y
}

/** db[k] = sum over n and the plane of g[n, k, ...]. */
export const biasGrad = (g: Float64Array, channels: number, plane: number): Float64Array => {
  const db = new Float64Array(channels)
  if (plane === 0) return db
  for (let f = 0, k = 0; f < g.length; f += plane, k = k + 1 === channels ? 0 : k + 1) {
    let s = 0
    for (let q = f; q < f + plane; q++) s += g[q]
    db[k] += s
  }
  return db
}

export const conv2d = defineOp<Conv2d.Attrs, Conv2d.Cache>({
  name: 'conv2d',
  inputs: Conv2d.op.inputs,
  outputs: ['y'],
  attrs: Conv2d.attrs,
  forward: (a, { x, weight, bias }) => {
    const checked = Conv2d.geometry(a, x!.shape, weight!.shape, bias?.shape)
    if (E.isLeft(checked)) return checked
    const geo = checked.right
    const [k, ho, wo] = geo.map
    const y = gather(geo, x!.data, weight!.data)
    if (bias !== undefined) addBias(y, bias.data, k, ho * wo)
    return E.right({ outputs: { y: make(mapShape(geo), y) }, cache: { x: x!, weight: weight!, geo, hasBias: bias !== undefined } })
  },
  backward: (_a, { x, weight, geo, hasBias }, { y: g }) => {
    const grads: Record<string, Tensor> = {
      x: make(imageShape(geo), scatter(geo, weight.data, g.data)),
      weight: make(weight.shape, correlate(geo, x.data, g.data)),
    }
    if (hasBias) grads.bias = make([geo.map[0]], biasGrad(g.data, geo.map[0], geo.map[1] * geo.map[2]))
    return grads
  },
})

export const convTranspose2d = defineOp<ConvTranspose2d.Attrs, ConvTranspose2d.Cache>({
  name: 'conv_transpose2d',
  inputs: ConvTranspose2d.op.inputs,
  outputs: ['y'],
  attrs: ConvTranspose2d.attrs,
  forward: (a, { x, weight, bias }) => {
    const checked = ConvTranspose2d.geometry(a, x!.shape, weight!.shape, bias?.shape)
    if (E.isLeft(checked)) return checked
    const geo = checked.right
    const [k, ho, wo] = geo.image
    const y = scatter(geo, weight!.data, x!.data)
    if (bias !== undefined) addBias(y, bias.data, k, ho * wo)
    return E.right({ outputs: { y: make(imageShape(geo), y) }, cache: { x: x!, weight: weight!, geo, hasBias: bias !== undefined } })
  },
  backward: (_a, { x, weight, geo, hasBias }, { y: g }) => {
    const grads: Record<string, Tensor> = {
      x: make(mapShape(geo), gather(geo, g.data, weight.data)),
      weight: make(weight.shape, correlate(geo, g.data, x.data)),
    }
    if (hasBias) grads.bias = make([geo.image[0]], biasGrad(g.data, geo.image[0], geo.image[1] * geo.image[2]))
    return grads
  },
})
