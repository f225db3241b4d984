/**
 * Horizontal and vertical flips, torchvision 0.14 `F.hflip` / `F.vflip` on
 * tensors, x [N, C, H, W]:
 *   (1) hflip: y[n, c, i, j] = x[n, c, i, W - 1 - j]
 *   (2) vflip: y[n, c, i, j] = x[n, c, H - 1 - i, j]
 * Both are permutations of the pixels, and their own inverses, so the VJP is
 * the same flip of the cotangent (image.ts (2)).
 */
import * as E from 'fp-ts/lib/Either.js'
import { noAttrs } from '../core/attrs.ts'
import { defineOp } from '../core/op.ts'
import { type Dims, type GatherCache, type PlaneMap, gather, image, scatter } from './image.ts'

// #region flip
export const hflipMap = ({ h, w }: Dims): PlaneMap => {
  const src = new Int32Array(h * w)
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) src[i * w + j] = i * w + (w - 1 - j) // (1)
  return { src, ho: h, wo: w }
}

export const vflipMap = ({ h, w }: Dims): PlaneMap => {
  const src = new Int32Array(h * w)
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) src[i * w + j] = (h - 1 - i) * w + j // (2)
  return { src, ho: h, wo: w }
}
// #endregion flip

const flipOp = (name: string, mapOf: (d: Dims) => PlaneMap) => defineOp<Record<string, never>, GatherCache>({
  name,
  inputs: [{ name: 'x' }],
  outputs: ['y'],
  attrs: noAttrs,
  forward: (_a, { x }) => E.map((d: Dims) => {
    const map = mapOf(d)
    return { outputs: { y: gather(x!, d, map, 0) }, cache: { map, xShape: x!.shape } }
  })(image(name, x!)),
  backward: (_a, cache, { y: g }) => ({ x: scatter(g, cache) }),
})

export const hflip = flipOp('hflip', hflipMap)
export const vflip = flipOp('vflip', vflipMap)
