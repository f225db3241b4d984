/**
 * What the augmentation ops share: the image edge (x is float [N, C, H, W],
 * case format "Data"), and the index-map form of the geometric ops.
 *
 * Flips, crops and erasing move or drop pixels without mixing them: each
 * output element is one input element or a constant,
 *   (1) y[o] = x[src[o]]          where src[o] >= 0
 *       y[o] = fill               where src[o] = -1 (outside the image, or erased)
 * so the VJP scatters the cotangent back along the same map:
 *   (2) dx[src[o]] += g[o]        (fill positions send nothing)
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, invalid, showShape } from '../core/errors.ts'
import { type Shape, type Tensor, make, sizeOf } from '../core/tensor.ts'

export interface Dims { readonly n: number; readonly c: number; readonly h: number; readonly w: number }

/** x must be [N, C, H, W] (and [N, 3, H, W] when `rgb`). */
export const image = (op: string, x: Tensor, rgb = false, arg = 'inputs.x'): E.Either<OpError, Dims> => {
  if (x.shape.length !== 4) return E.left(invalid(op, arg, 'an image batch [N, C, H, W]', `shape ${showShape(x.shape)}`))
  const [n, c, h, w] = x.shape
  if (rgb && c !== 3) return E.left(invalid(op, arg, 'an RGB batch [N, 3, H, W]', `shape ${showShape(x.shape)}`, 'colour adjustments need exactly three channels, R, G, B'))
  return E.right({ n, c, h, w })
}

/** The index map of one plane (H_out x W_out entries into an H x W plane, -1 for fill). */
export interface PlaneMap { readonly src: Int32Array; readonly ho: number; readonly wo: number }

export interface GatherCache { readonly map: PlaneMap; readonly xShape: Shape }

/** (1), the same map applied to every (n, c) plane. */
export const gather = (x: Tensor, d: Dims, map: PlaneMap, fill: number): Tensor => {
  const { src, ho, wo } = map
  const plane = d.h * d.w, out = ho * wo
  const y = new Float64Array(d.n * d.c * out)
  for (let p = 0; p < d.n * d.c; p++) {
    for (let o = 0; o < out; o++) y[p * out + o] = src[o] >= 0 ? x.data[p * plane + src[o]] : fill // (1)
  }
  return make([d.n, d.c, ho, wo], y)
}

/** (2) */
export const scatter = (g: Tensor, { map, xShape }: GatherCache): Tensor => {
  const { src, ho, wo } = map
  const plane = xShape[2] * xShape[3], out = ho * wo
  const dx = new Float64Array(sizeOf(xShape))
  for (let p = 0; p < xShape[0] * xShape[1]; p++) {
    for (let o = 0; o < out; o++) if (src[o] >= 0) dx[p * plane + src[o]] += g.data[p * out + o] // (2)
  }
  return make(xShape, dx)
}
