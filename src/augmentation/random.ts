/**
 * Random augmentation as pure functions of a key: each transform first draws
 * its parameters exactly as torchvision 0.14's `get_params` does (same ranges,
 * same rounding, same retry rule), then applies the deterministic catalogue op
 * with those parameters. One image [1, C, H, W] at a time, as torchvision's
 * transforms act per image; ./pipeline.ts maps them over a batch.
 *
 * RandomResizedCrop (scale s ~ U[s0, s1] of the area, log-ratio ~ U[log r0, log r1]):
 *   (1) w = round(sqrt(A s r)), h = round(sqrt(A s / r)) (half to even); accepted when
 *       0 < w <= W and 0 < h <= H, then top ~ U{0..H-h}, left ~ U{0..W-w}; 10 attempts,
 *       then the centre crop of the ratio clamped into [r0, r1]
 * ColorJitter: (2) a random order of the four adjustments (a uniform permutation), factors
 *   brightness, contrast, saturation ~ U[max(0, 1 - b), 1 + b], hue ~ U[-h, h]
 * PCA lighting: (3) alpha ~ N(0, sigma^2) per image and component (AlexNet: sigma 0.1)
 * RandomAffine: (4) angle ~ U[-d, d]; tx = round(U[-t W, t W]), ty likewise with H;
 *   scale ~ U[s0, s1]; shear x ~ U[-sh, sh]
 * ElasticTransform: (5) d = blur_sigma(U[-1, 1) field) alpha / H for x and alpha / W for y
 *   (torchvision's size[0], size[1]), Gaussian kernel of size int(8 sigma + 1) made odd,
 *   reflect padding (mirrored again when the kernel outreaches a small image)
 * RandomErasing: (6) with probability p: area ~ U[0.02, 0.33] A, log-ratio ~ U[log 0.3, log 3.3],
 *   h = round(sqrt(area r)), w = round(sqrt(area / r)); accepted when h < H and w < W;
 *   top ~ U{0..H-h}, left ~ U{0..W-w}; 10 attempts, else unchanged
 * Mixup: (7) lam ~ Beta(a, a), perm a uniform permutation
 * CutMix: (8) lam ~ Beta(a, a), r = sqrt(1 - lam) / 2, centre cy ~ U{0..H-1}, cx ~ U{0..W-1},
 *   box rows [cy - int(r H), cy + int(r H)) and columns likewise, clipped to the image
 *   (torchvision's references/classification RandomCutmix); the op recomputes lam from the area
 * TenCrop: (9) the four corner crops and the centre crop (top = round((H - h) / 2), half to
 *   even), then the same five of hflip(x)
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail } from '../core/errors.ts'
import { type Key, foldIn, normalArray, permutation, uniformArray } from '../core/random.ts'
import { type Tensor, make } from '../core/tensor.ts'
import * as AdjustBrightness from './adjust-brightness.ts'
import * as AdjustContrast from './adjust-contrast.ts'
import * as AdjustHue from './adjust-hue.ts'
import * as AdjustSaturation from './adjust-saturation.ts'
import { inverseMatrix, warp } from './affine.ts'
import { type Box, cropMap } from './crop.ts'
import { cutmix } from './cutmix.ts'
import { sample as gridSample } from './grid-sample.ts'
import { type Interpolation } from './grid-sample.ts'
import { type Dims, gather } from './image.ts'
import { hflipMap, vflipMap } from './flip.ts'
import { eraseMap } from './erase.ts'
import { resample, taps } from './interpolate.ts'
import { mix } from './mixup.ts'
import { offsets } from './pca-lighting.ts'
import { beta, bernoulli, randint, roundHalfEven, uniform } from './sample.ts'
import type { Op } from '../core/op.ts'

const dimsOf = (x: Tensor): Dims => ({ n: x.shape[0], c: x.shape[1], h: x.shape[2], w: x.shape[3] })

/** Run a catalogue op's forward (its validation included) and take output y. */
const forward = (op: Op, attrs: Record<string, unknown>, inputs: Record<string, Tensor>): E.Either<OpError, Tensor> => {
  const a = op.parseAttrs(attrs)
  if (E.isLeft(a)) return a
  return E.map((f: { outputs: Record<string, Tensor> }) => f.outputs.y)(op.forward(a.right, inputs))
}

// ---------------------------------------------------------------- flips and crops

export const hflip = (x: Tensor): Tensor => gather(x, dimsOf(x), hflipMap(dimsOf(x)), 0)
export const vflip = (x: Tensor): Tensor => gather(x, dimsOf(x), vflipMap(dimsOf(x)), 0)
export const crop = (x: Tensor, b: Box): Tensor => gather(x, dimsOf(x), cropMap(dimsOf(x), b), 0)

export const randomHflip = (key: Key, x: Tensor, p = 0.5): Tensor => (bernoulli(key, p) ? hflip(x) : x)
export const randomVflip = (key: Key, x: Tensor, p = 0.5): Tensor => (bernoulli(key, p) ? vflip(x) : x)

/** RandomCrop(size = (H, W), padding = pad): a crop of the zero-padded image, top and left ~ U{0..2 pad}. */
export const padCropBox = (key: Key, h: number, w: number, pad: number): Box =>
  ({ top: randint(foldIn(key, 0), 0, 2 * pad + 1) - pad, left: randint(foldIn(key, 1), 0, 2 * pad + 1) - pad, height: h, width: w })

export const randomPadCrop = (key: Key, x: Tensor, pad: number): Tensor => crop(x, padCropBox(key, x.shape[2], x.shape[3], pad))

export interface ResizedCropOptions { readonly scale?: readonly [number, number]; readonly ratio?: readonly [number, number] }

// #region resized-crop
/** (1) */
export const resizedCropBox = (key: Key, H: number, W: number, o: ResizedCropOptions = {}): Box => {
  const [s0, s1] = o.scale ?? [0.08, 1], [r0, r1] = o.ratio ?? [3 / 4, 4 / 3]
  const area = H * W
  for (let k = 0; k < 10; k++) {
    const kk = foldIn(key, k)
    const target = area * uniform(foldIn(kk, 0), s0, s1)
    const ratio = Math.exp(uniform(foldIn(kk, 1), Math.log(r0), Math.log(r1)))
    const w = roundHalfEven(Math.sqrt(target * ratio)), h = roundHalfEven(Math.sqrt(target / ratio)) // (1)
    if (w > 0 && w <= W && h > 0 && h <= H) {
      return { top: randint(foldIn(kk, 2), 0, H - h + 1), left: randint(foldIn(kk, 3), 0, W - w + 1), height: h, width: w }
    }
  }
  const inRatio = W / H
  const [h, w] = inRatio < Math.min(r0, r1) ? [roundHalfEven(W / Math.min(r0, r1)), W]
    : inRatio > Math.max(r0, r1) ? [H, roundHalfEven(H * Math.max(r0, r1))]
    : [H, W]
  return { top: Math.floor((H - h) / 2), left: Math.floor((W - w) / 2), height: h, width: w }
}
// #endregion resized-crop

/** RandomResizedCrop to [oh, ow], bilinear (antialias as given; torchvision 0.14's tensor default is false). */
export const randomResizedCrop = (key: Key, x: Tensor, size: readonly [number, number], o: ResizedCropOptions & { antialias?: boolean } = {}): Tensor => {
  const c = crop(x, resizedCropBox(key, x.shape[2], x.shape[3], o))
  const a = { size: size as [number, number], mode: 'bilinear' as const, align_corners: false, antialias: o.antialias ?? false }
  return resample(c, taps(c.shape[2], size[0], a), taps(c.shape[3], size[1], a))
}

// ---------------------------------------------------------------- colour

export interface JitterOptions { readonly brightness?: number; readonly contrast?: number; readonly saturation?: number; readonly hue?: number }
export interface JitterParams { readonly order: readonly number[]; readonly factors: readonly (number | undefined)[] }

/** (2) */
export const jitterParams = (key: Key, o: JitterOptions): JitterParams => {
  const range = (v: number | undefined, k: number): number | undefined =>
    v === undefined || v === 0 ? undefined : uniform(foldIn(key, k), Math.max(0, 1 - v), 1 + v)
  return {
    order: Array.from(permutation(foldIn(key, 0), 4)),
    factors: [range(o.brightness, 1), range(o.contrast, 2), range(o.saturation, 3),
      o.hue === undefined || o.hue === 0 ? undefined : uniform(foldIn(key, 4), -o.hue, o.hue)],
  }
}

const jitterOps = [AdjustBrightness.op, AdjustContrast.op, AdjustSaturation.op, AdjustHue.op]

export const applyJitter = (x: Tensor, p: JitterParams): E.Either<OpError, Tensor> => {
  let y = x
  for (const i of p.order) {
    const f = p.factors[i]
    if (f === undefined) continue
    const r = forward(jitterOps[i], i === 3 ? { hue_factor: f } : { factor: f }, { x: y })
    if (E.isLeft(r)) return r
    y = r.right
  }
  return E.right(y)
}

export const colorJitter = (key: Key, x: Tensor, o: JitterOptions): E.Either<OpError, Tensor> => applyJitter(x, jitterParams(key, o))

/** AlexNet's ImageNet RGB statistics (eigval, and eigvec with components as columns), as in fb.resnet.torch. */
export const IMAGENET_EIGVAL = [0.2175, 0.0188, 0.0045]
export const IMAGENET_EIGVEC = [[-0.5675, 0.7192, 0.4009], [-0.5808, -0.0045, -0.814], [-0.5836, -0.6948, 0.4203]]

/** (3) */
export const pcaAlpha = (key: Key, n: number, std = 0.1): Tensor => make([n, 3], normalArray(key, 3 * n).map((z) => std * z))

export const pcaLighting = (key: Key, x: Tensor, std = 0.1, eigval = IMAGENET_EIGVAL, eigvec = IMAGENET_EIGVEC): E.Either<OpError, Tensor> => {
  if (x.shape[1] !== 3) return fail('pca_lighting', 'inputs.x', 'an RGB batch [N, 3, H, W]', `shape [${x.shape}]`)
  const o = offsets(make([3, 3], Float64Array.from(eigvec.flat())), make([3], Float64Array.from(eigval)), pcaAlpha(key, x.shape[0], std))
  const P = x.shape[2] * x.shape[3]
  return E.right(make(x.shape, x.data.map((v, i) => v + o[Math.floor(i / P)])))
}

// ---------------------------------------------------------------- geometry

export interface AffineOptions {
  readonly degrees: number; readonly translate?: number; readonly scale?: readonly [number, number]; readonly shear?: number
  readonly interpolation?: Interpolation; readonly fill?: number
}
export interface AffineParams { readonly angle: number; readonly translate: [number, number]; readonly scale: number; readonly shear: [number, number] }

/** (4) */
export const affineParams = (key: Key, H: number, W: number, o: AffineOptions): AffineParams => {
  const t = o.translate ?? 0
  return {
    angle: uniform(foldIn(key, 0), -o.degrees, o.degrees),
    translate: t === 0 ? [0, 0] : [roundHalfEven(uniform(foldIn(key, 1), -t * W, t * W)), roundHalfEven(uniform(foldIn(key, 2), -t * H, t * H))],
    scale: o.scale === undefined ? 1 : uniform(foldIn(key, 3), o.scale[0], o.scale[1]),
    shear: [o.shear === undefined || o.shear === 0 ? 0 : uniform(foldIn(key, 4), -o.shear, o.shear), 0],
  }
}

export const randomAffine = (key: Key, x: Tensor, o: AffineOptions): Tensor => {
  const p = affineParams(key, x.shape[2], x.shape[3], o)
  return warp(x, dimsOf(x), inverseMatrix(p.angle, p.translate, p.scale, p.shear), o.interpolation ?? 'nearest', o.fill ?? 0)
}

/** torchvision's `_get_gaussian_kernel1d`. */
export const gaussianKernel = (size: number, sigma: number): Float64Array => {
  const half = (size - 1) / 2
  const k = Float64Array.from({ length: size }, (_, i) => Math.exp(-0.5 * ((-half + i) / sigma) ** 2))
  const s = k.reduce((a, b) => a + b, 0)
  return k.map((v) => v / s)
}

/** Reflect padding ("reflect", edge not repeated), folded again and again when the pad exceeds L - 1. */
export const reflect = (i: number, L: number): number => {
  if (L === 1) return 0
  const p = 2 * (L - 1)
  const m = ((i % p) + p) % p
  return m < L ? m : p - m
}

export const blur = (f: Float64Array, H: number, W: number, sigma: number): Float64Array => {
  let size = Math.trunc(8 * sigma + 1)
  if (size % 2 === 0) size += 1
  const k = gaussianKernel(size, sigma), half = (size - 1) / 2
  const tmp = new Float64Array(H * W), out = new Float64Array(H * W)
  for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) { let s = 0; for (let t = 0; t < size; t++) s += k[t] * f[i * W + reflect(j + t - half, W)]; tmp[i * W + j] = s }
  for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) { let s = 0; for (let t = 0; t < size; t++) s += k[t] * tmp[reflect(i + t - half, H) * W + j]; out[i * W + j] = s }
  return out
}

/** (5): the field [1, H, W, 2]. */
export const elasticField = (key: Key, H: number, W: number, alpha = 50, sigma = 5): Tensor => {
  const field = (k: Key, scale: number) => {
    const u = uniformArray(k, H * W).map((v) => v * 2 - 1)
    return (sigma > 0 ? blur(u, H, W, sigma) : u).map((v) => (v * alpha) / scale)
  }
  const dx = field(foldIn(key, 0), H), dy = field(foldIn(key, 1), W) // (5): torchvision divides x by size[0] = H
  const d = new Float64Array(H * W * 2)
  for (let p = 0; p < H * W; p++) { d[2 * p] = dx[p]; d[2 * p + 1] = dy[p] }
  return make([1, H, W, 2], d)
}

export const elastic = (x: Tensor, field: Tensor, interpolation: Interpolation = 'bilinear', fill = 0): Tensor => {
  const d = dimsOf(x), D = field.data
  return gridSample(x, d, (i, j) => [j + D[(i * d.w + j) * 2] * d.w / 2, i + D[(i * d.w + j) * 2 + 1] * d.h / 2], interpolation, fill)
}

export const randomElastic = (key: Key, x: Tensor, alpha = 50, sigma = 5): Tensor => elastic(x, elasticField(key, x.shape[2], x.shape[3], alpha, sigma))

// ---------------------------------------------------------------- erasing, mixing

export interface ErasingOptions { readonly p?: number; readonly scale?: readonly [number, number]; readonly ratio?: readonly [number, number]; readonly value?: number }

// #region erasing
/** (6): the box, or undefined when the image is left alone. */
export const erasingBox = (key: Key, H: number, W: number, o: ErasingOptions = {}): Box | undefined => {
  if (!bernoulli(foldIn(key, 0x70), o.p ?? 0.5)) return undefined
  const [s0, s1] = o.scale ?? [0.02, 0.33], [r0, r1] = o.ratio ?? [0.3, 3.3]
  for (let k = 0; k < 10; k++) {
    const kk = foldIn(key, k)
    const area = H * W * uniform(foldIn(kk, 0), s0, s1)
    const ratio = Math.exp(uniform(foldIn(kk, 1), Math.log(r0), Math.log(r1)))
    const h = roundHalfEven(Math.sqrt(area * ratio)), w = roundHalfEven(Math.sqrt(area / ratio)) // (6)
    if (!(h < H && w < W)) continue
    return { top: randint(foldIn(kk, 2), 0, H - h + 1), left: randint(foldIn(kk, 3), 0, W - w + 1), height: h, width: w }
  }
  return undefined
}
// #endregion erasing

export const randomErasing = (key: Key, x: Tensor, o: ErasingOptions = {}): Tensor => {
  const b = erasingBox(key, x.shape[2], x.shape[3], o)
  return b === undefined ? x : gather(x, dimsOf(x), eraseMap(dimsOf(x), { ...b, value: o.value ?? 0 }), o.value ?? 0)
}

export interface Mixed { readonly x: Tensor; readonly target: Tensor; readonly lam: number; readonly perm: Int32Array }

/** (7) */
export const randomMixup = (key: Key, x: Tensor, target: Tensor, a: number): Mixed => {
  const lam = beta(foldIn(key, 0), a, a), perm = permutation(foldIn(key, 1), x.shape[0])
  return { x: mix(x, perm, lam), target: mix(target, perm, lam), lam, perm }
}

// #region cutmix-box
/** (8): the unclipped box and the Beta draw it came from. */
export const cutmixBox = (key: Key, H: number, W: number, a: number): { box: Box; lam: number } => {
  const lam = beta(foldIn(key, 0), a, a)
  const r = 0.5 * Math.sqrt(1 - lam)
  const rh = Math.trunc(r * H), rw = Math.trunc(r * W)
  const cy = randint(foldIn(key, 1), 0, H), cx = randint(foldIn(key, 2), 0, W)
  return { box: { top: cy - rh, left: cx - rw, height: 2 * rh, width: 2 * rw }, lam }
}
// #endregion cutmix-box

export const randomCutmix = (key: Key, x: Tensor, target: Tensor, a: number): Mixed => {
  const { box } = cutmixBox(key, x.shape[2], x.shape[3], a)
  const perm = permutation(foldIn(key, 3), x.shape[0])
  return { ...cutmix(x, target, perm, box), perm }
}

// ---------------------------------------------------------------- test time

// #region ten-crop
/** (9): the ten boxes of TenCrop([h, w]) as [box, flipped]. */
export const tenCropBoxes = (H: number, W: number, h: number, w: number): [Box, boolean][] => {
  const five: Box[] = [
    { top: 0, left: 0, height: h, width: w }, { top: 0, left: W - w, height: h, width: w },
    { top: H - h, left: 0, height: h, width: w }, { top: H - h, left: W - w, height: h, width: w },
    { top: roundHalfEven((H - h) / 2), left: roundHalfEven((W - w) / 2), height: h, width: w },
  ]
  return [...five.map((b): [Box, boolean] => [b, false]), ...five.map((b): [Box, boolean] => [b, true])]
}
// #endregion ten-crop

export const tenCrop = (x: Tensor, h: number, w: number): E.Either<OpError, Tensor[]> => {
  const [, , H, W] = x.shape
  if (h > H || w > W || h < 1 || w < 1) return fail('ten_crop', 'size', `a crop within the image [${H}, ${W}]`, `[${h}, ${w}]`)
  const f = hflip(x)
  return E.right(tenCropBoxes(H, W, h, w).map(([b, flipped]) => crop(flipped ? f : x, b)))
}

/** Test-time averaging: the mean of a model's outputs over the ten crops. */
export const tenCropPredict = (model: (x: Tensor) => Tensor, x: Tensor, h: number, w: number): E.Either<OpError, Tensor> =>
  E.map((crops: Tensor[]) => {
    const outs = crops.map(model)
    const sum = new Float64Array(outs[0].data.length)
    for (const o of outs) for (let i = 0; i < sum.length; i++) sum[i] += o.data[i]
    return make(outs[0].shape, sum.map((v) => v / outs.length))
  })(tenCrop(x, h, w))
