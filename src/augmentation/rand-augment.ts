/**
 * RandAugment (Cubuk, Zoph, Shlens & Le 2020), as torchvision 0.14's
 * `transforms.RandAugment(num_ops N, magnitude M, num_magnitude_bins 31)`:
 * N times, draw one of the 14 ops uniformly, take its magnitude from bin M of
 * its range, negate it with probability 1/2 when the op is signed, apply.
 *   (1) op ~ U{0..13}; m = range[M] with range = linspace(0, max, 31); sign ~ U{+1, -1} if signed
 *   (2) ShearX/Y: affine about the top-left corner (centre [0, 0]) with shear
 *       degrees(atan m); TranslateX/Y: int(m) pixels, max 150/331 of the side;
 *       Rotate: m degrees counter-clockwise (F.rotate, i.e. affine angle -m), max 30;
 *       Brightness/Color/Contrast/Sharpness: factor 1 + m, max |m| 0.9;
 *       Posterize: 8 - round(M / 7.5) bits; Solarize: threshold (255 - 8.5 M) / 255;
 *       AutoContrast, Equalize, Identity: no magnitude
 * Images are float in [0, 1]. torchvision's Posterize and Equalize accept only
 * uint8: here they act on the uint8 image convert_image_dtype would make,
 * q = floor(255.999 x), and return q / 255; Solarize's threshold, in uint8
 * units, is divided by 255. Colour ops on one channel follow torchvision:
 * Color is the identity, Contrast blends with the image's mean.
 * Geometric ops use nearest interpolation and fill 0 (torchvision's defaults).
 */
import { type Key, foldIn } from '../core/random.ts'
import { type Tensor, make } from '../core/tensor.ts'
import { inverseMatrix, warp } from './affine.ts'
import { GREY } from './colour.ts'
import { randint } from './sample.ts'

export const OPS = ['Identity', 'ShearX', 'ShearY', 'TranslateX', 'TranslateY', 'Rotate', 'Brightness', 'Color', 'Contrast',
  'Sharpness', 'Posterize', 'Solarize', 'AutoContrast', 'Equalize'] as const
export type RandOp = typeof OPS[number]

const BINS = 31
const linspace = (lo: number, hi: number, i: number): number => lo + ((hi - lo) * i) / (BINS - 1)

/** (1), (2): the signed magnitude of `op` at bin M for an H x W image, and whether it is signed. */
export const magnitude = (op: RandOp, M: number, H: number, W: number): [number, boolean] => {
  switch (op) {
    case 'ShearX': case 'ShearY': return [linspace(0, 0.3, M), true]
    case 'TranslateX': return [linspace(0, (150 / 331) * W, M), true]
    case 'TranslateY': return [linspace(0, (150 / 331) * H, M), true]
    case 'Rotate': return [linspace(0, 30, M), true]
    case 'Brightness': case 'Color': case 'Contrast': case 'Sharpness': return [linspace(0, 0.9, M), true]
    case 'Posterize': { const q = M / ((BINS - 1) / 4), r = Math.round(q); return [8 - (Math.abs(q - Math.trunc(q)) === 0.5 && r % 2 ? r - 1 : r), false] }
    case 'Solarize': return [linspace(255, 0, M), false]
    default: return [0, false]
  }
}

const clamp01 = (v: number) => Math.min(Math.max(v, 0), 1)
const dims = (x: Tensor) => ({ n: x.shape[0], c: x.shape[1], h: x.shape[2], w: x.shape[3] })
const perPixel = (x: Tensor, f: (v: number) => number): Tensor => make(x.shape, x.data.map(f))

/** torchvision's _blend against a degenerate image o (same shape). */
const blendWith = (x: Tensor, o: Float64Array, f: number): Tensor => make(x.shape, x.data.map((v, i) => clamp01(f * v + (1 - f) * o[i])))

const greyImage = (x: Tensor): Float64Array => {
  const { n, c, h, w } = dims(x), P = h * w, g = new Float64Array(x.data.length)
  for (let b = 0; b < n; b++) {
    for (let p = 0; p < P; p++) {
      const v = c === 3 ? GREY[0] * x.data[b * 3 * P + p] + GREY[1] * x.data[b * 3 * P + P + p] + GREY[2] * x.data[b * 3 * P + 2 * P + p] : x.data[b * c * P + p]
      for (let k = 0; k < c; k++) g[(b * c + k) * P + p] = v
    }
  }
  return g
}

export const contrast = (x: Tensor, f: number): Tensor => {
  const { n, c, h, w } = dims(x), P = h * w, g = greyImage(x), o = new Float64Array(x.data.length)
  for (let b = 0; b < n; b++) {
    let m = 0
    for (let p = 0; p < P; p++) m += g[b * c * P + p]
    o.fill(m / P, b * c * P, (b + 1) * c * P)
  }
  return blendWith(x, o, f)
}

export const saturation = (x: Tensor, f: number): Tensor => (x.shape[1] === 1 ? x : blendWith(x, greyImage(x), f))

/** adjust_sharpness: blend with the 3 x 3 smoothing [[1,1,1],[1,5,1],[1,1,1]] / 13 of the interior (borders kept). */
export const sharpness = (x: Tensor, f: number): Tensor => {
  const { n, c, h, w } = dims(x)
  if (h <= 2 || w <= 2) return x
  const o = Float64Array.from(x.data)
  for (let p = 0; p < n * c; p++) {
    for (let i = 1; i < h - 1; i++) {
      for (let j = 1; j < w - 1; j++) {
        let s = 0
        for (let di = -1; di <= 1; di++) for (let dj = -1; dj <= 1; dj++) s += (di === 0 && dj === 0 ? 5 : 1) * x.data[p * h * w + (i + di) * w + j + dj]
        o[p * h * w + i * w + j] = s / 13
      }
    }
  }
  return blendWith(x, o, f)
}

const toByte = (v: number) => Math.min(Math.max(Math.floor(v * 255.999), 0), 255)

export const posterize = (x: Tensor, bits: number): Tensor => {
  const mask = (0xff << (8 - bits)) & 0xff
  return perPixel(x, (v) => (toByte(v) & mask) / 255)
}

export const solarize = (x: Tensor, threshold255: number): Tensor => perPixel(x, (v) => (v >= threshold255 / 255 ? 1 - v : v))

export const autocontrast = (x: Tensor): Tensor => {
  const { n, c, h, w } = dims(x), P = h * w, y = new Float64Array(x.data.length)
  for (let p = 0; p < n * c; p++) {
    const plane = x.data.subarray(p * P, (p + 1) * P)
    let lo = Infinity, hi = -Infinity
    for (const v of plane) { lo = Math.min(lo, v); hi = Math.max(hi, v) }
    let scale = 1 / (hi - lo)
    if (!Number.isFinite(scale)) { lo = 0; scale = 1 }
    for (let q = 0; q < P; q++) y[p * P + q] = clamp01((plane[q] - lo) * scale)
  }
  return make(x.shape, y)
}

/** torchvision's `_scale_channel` on the uint8 image, per channel. */
export const equalize = (x: Tensor): Tensor => {
  const { n, c, h, w } = dims(x), P = h * w, y = new Float64Array(x.data.length)
  for (let p = 0; p < n * c; p++) {
    const q = Array.from(x.data.subarray(p * P, (p + 1) * P), toByte)
    const hist = new Array<number>(256).fill(0)
    for (const v of q) hist[v]++
    const nonzero = hist.filter((v) => v !== 0)
    const step = Math.floor(nonzero.slice(0, -1).reduce((a, b) => a + b, 0) / 255)
    if (step === 0) { for (let k = 0; k < P; k++) y[p * P + k] = q[k] / 255; continue }
    const lut = new Array<number>(256)
    let cum = 0
    for (let v = 0; v < 256; v++) { lut[v] = Math.min(Math.floor((cum + Math.floor(step / 2)) / step), 255); cum += hist[v] } // shifted by one, as pad([1, 0])[:-1]
    for (let k = 0; k < P; k++) y[p * P + k] = lut[q[k]] / 255
  }
  return make(x.shape, y)
}

const deg = (r: number) => (r * 180) / Math.PI

// #region apply
export const applyOp = (x: Tensor, op: RandOp, m: number): Tensor => {
  const d = dims(x)
  const corner: [number, number] = [-d.w / 2, -d.h / 2] // centre [0, 0] in torchvision's centred coordinates
  switch (op) {
    case 'ShearX': return warp(x, d, inverseMatrix(0, [0, 0], 1, [deg(Math.atan(m)), 0], corner), 'nearest', 0)
    case 'ShearY': return warp(x, d, inverseMatrix(0, [0, 0], 1, [0, deg(Math.atan(m))], corner), 'nearest', 0)
    case 'TranslateX': return warp(x, d, inverseMatrix(0, [Math.trunc(m), 0], 1, [0, 0]), 'nearest', 0)
    case 'TranslateY': return warp(x, d, inverseMatrix(0, [0, Math.trunc(m)], 1, [0, 0]), 'nearest', 0)
    case 'Rotate': return warp(x, d, inverseMatrix(-m, [0, 0], 1, [0, 0]), 'nearest', 0)
    case 'Brightness': return perPixel(x, (v) => clamp01((1 + m) * v))
    case 'Color': return saturation(x, 1 + m)
    case 'Contrast': return contrast(x, 1 + m)
    case 'Sharpness': return sharpness(x, 1 + m)
    case 'Posterize': return posterize(x, Math.trunc(m))
    case 'Solarize': return solarize(x, m)
    case 'AutoContrast': return autocontrast(x)
    case 'Equalize': return equalize(x)
    default: return x
  }
}

/** The N draws (1) for one image: [op, signed magnitude]. */
export const randAugmentParams = (key: Key, N: number, M: number, H: number, W: number): [RandOp, number][] =>
  Array.from({ length: N }, (_, k) => {
    const kk = foldIn(key, k)
    const op = OPS[randint(foldIn(kk, 0), 0, OPS.length)]
    const [m, signed] = magnitude(op, M, H, W)
    return [op, signed && randint(foldIn(kk, 1), 0, 2) === 1 ? -m : m]
  })

export const randAugment = (key: Key, x: Tensor, N = 2, M = 9): Tensor =>
  randAugmentParams(key, N, M, x.shape[2], x.shape[3]).reduce((img, [op, m]) => applyOp(img, op, m), x)
// #endregion apply
