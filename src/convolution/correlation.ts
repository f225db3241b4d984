/**
 * The one loop nest behind conv2d and conv_transpose2d, forward and backward.
 *
 * A convolution layer relates an image u [N, Cu, Hu, Wu] (conv2d's input,
 * conv_transpose2d's output), a map v [N, Cv, Hv, Wv] (conv2d's output,
 * conv_transpose2d's input) and a weight w [Cv, Cu/G, kh, kw] (the layout
 * PyTorch stores for both ops: out-then-in for conv2d, in-then-out for the
 * transpose, because the transpose's input is the map) through one trilinear form.
 * With G groups, Cug = Cu/G image and Cvg = Cv/G map channels per group:
 *   (1) T(u, w, v) = sum over n, g, a < Cvg, b < Cug, oh, ow, i, j of
 *         u[n, g Cug + b, ih, iw] * w[g Cvg + a, b, i, j] * v[n, g Cvg + a, oh, ow]
 *   (2) ih = oh s_h - p_t + i d_h,   iw = ow s_w - p_l + j d_w,
 *       a term whose (ih, iw) lies outside the Hu x Wu image is absent: that is
 *       conv2d's zero padding and conv_transpose2d's cropping, the same thing
 *       seen from the two sides (p_t, p_l = padding before / rows cropped).
 * T is linear in each argument, so each argument's gradient is the contraction
 * of the other two, a sum over exactly the terms of (1) that contain it:
 *   (3) dT/dv = gather(u, w)     conv2d forward, conv_transpose2d dx
 *       dT/du = scatter(w, v)    conv_transpose2d forward, conv2d dx
 *       dT/dw = correlate(u, v)  dW of both: the image correlated with the map
 * One loop nest visits every term of (1) once and accumulates the product of
 * two factors into the third; which one is the target is the only thing that
 * changes. The adjoint identity <gather(u, w), v> = T = <u, scatter(w, v)> holds
 * by construction, up to the order of floating-point sums.
 */
import type { Shape } from '../core/tensor.ts'

/** Everything (1) and (2) need; the three tensors' shapes follow from it. */
export interface Geometry {
  readonly batch: number
  readonly groups: number
  /** [Cu, Hu, Wu] */
  readonly image: readonly [number, number, number]
  /** [Cv, Hv, Wv] */
  readonly map: readonly [number, number, number]
  readonly kernel: readonly [number, number]
  readonly stride: readonly [number, number]
  readonly dilation: readonly [number, number]
  /** [p_t, p_l]: padding before the image (conv2d) = rows/cols cropped (conv_transpose2d) */
  readonly offset: readonly [number, number]
}

export const imageShape = (g: Geometry): Shape => [g.batch, ...g.image]
export const mapShape = (g: Geometry): Shape => [g.batch, ...g.map]
export const weightShape = (g: Geometry): Shape => [g.map[0], g.image[0] / g.groups, ...g.kernel]

const size = (s: Shape): number => s.reduce((a, b) => a * b, 1)

/** 0: image u, 1: weight w, 2: map v. */
type Role = 0 | 1 | 2

/**
 * (3): accumulate into `t[target]` the sum over the terms of (1) of the product
 * of the other two factors. Writes only `t[target]`, which the caller allocated.
 */
// #region contract
const contract = (geo: Geometry, target: Role, t: readonly [Float64Array, Float64Array, Float64Array]): void => {
  const [cu, hu, wu] = geo.image
  const [cv, hv, wv] = geo.map
  const [kh, kw] = geo.kernel
  const [sh, sw] = geo.stride
  const [dh, dw] = geo.dilation
  const [pt, pl] = geo.offset
  const cug = cu / geo.groups, cvg = cv / geo.groups
  const out = t[target], p = t[(target + 1) % 3], q = t[(target + 2) % 3]
  const tp = (target + 1) % 3, tq = (target + 2) % 3
  const idx = new Int32Array(3)
  for (let n = 0; n < geo.batch; n++) {
    for (let grp = 0; grp < geo.groups; grp++) {
      for (let a = 0; a < cvg; a++) {
        const kOut = grp * cvg + a
        for (let oh = 0; oh < hv; oh++) {
          for (let ow = 0; ow < wv; ow++) {
            idx[2] = ((n * cv + kOut) * hv + oh) * wv + ow
            for (let b = 0; b < cug; b++) {
              const uPlane = (n * cu + grp * cug + b) * hu
              const wPlane = (kOut * cug + b) * kh
              for (let i = 0; i < kh; i++) {
                const ih = oh * sh - pt + i * dh // (2)
                if (ih < 0 || ih >= hu) continue
                for (let j = 0; j < kw; j++) {
                  const iw = ow * sw - pl + j * dw // (2)
                  if (iw < 0 || iw >= wu) continue
                  idx[0] = (uPlane + ih) * wu + iw
                  idx[1] = (wPlane + i) * kw + j
                  out[idx[target]] += p[idx[tp]] * q[idx[tq]] // (1), (3)
                }
              }
            }
          }
        }
      }
    }
  }
}
// #endregion contract

/** (3) v = dT/dv: the map from image and weight (conv2d's forward). */
export const gather = (geo: Geometry, u: Float64Array, w: Float64Array): Float64Array => {
  const v = new Float64Array(size(mapShape(geo)))
  contract(geo, 2, [u, w, v])
  return v
}

/** (3) u = dT/du: the image from weight and map (conv_transpose2d's forward). */
export const scatter = (geo: Geometry, w: Float64Array, v: Float64Array): Float64Array => {
  const u = new Float64Array(size(imageShape(geo)))
  contract(geo, 0, [u, w, v])
  return u
}

/** (3) w = dT/dw: the image correlated with the map, summed over the batch. */
export const correlate = (geo: Geometry, u: Float64Array, v: Float64Array): Float64Array => {
  const w = new Float64Array(size(weightShape(geo)))
  contract(geo, 1, [u, w, v])
  return w
}

/** y[n, k, ...] += b[k] on an array the caller allocated; `plane` = spatial size. */
export const addBias = (y: Float64Array, bias: Float64Array, channels: number, plane: number): Float64Array => {
  for (let f = 0; f < y.length; f++) y[f] += bias[Math.floor(f / plane) % channels]
  return y
}

/** db[k] = sum over n and the plane of g[n, k, ...], the adjoint of `addBias`. */
export const biasGrad = (g: Float64Array, channels: number, plane: number): Float64Array => {
  const db = new Float64Array(channels)
  for (let f = 0; f < g.length; f++) db[Math.floor(f / plane) % channels] += g[f]
  return db
}

// #region sizes
/** conv2d's output length: floor((L + p_begin + p_end - d (k - 1) - 1) / s) + 1 (may be < 1: the caller rejects). */
export const convOut = (len: number, k: number, s: number, pBegin: number, pEnd: number, d: number): number =>
  Math.floor((len + pBegin + pEnd - d * (k - 1) - 1) / s) + 1

/** conv_transpose2d's output length: (L - 1) s - p_begin - p_end + d (k - 1) + output_padding + 1. */
export const convTransposeOut = (len: number, k: number, s: number, pBegin: number, pEnd: number, d: number, outPad: number): number =>
  (len - 1) * s - pBegin - pEnd + d * (k - 1) + outPad + 1
// #endregion sizes
