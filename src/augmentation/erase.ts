/**
 * Erasing (cutout, Random Erasing), torchvision 0.14 `F.erase(x, i, j, h, w, v)`
 * on tensors, which writes `x[..., i:i+h, j:j+w] = v`; Python slicing clips the
 * box at the bottom and right (case format: top, left >= 0):
 *   (1) B = [top, min(top + height, H)) x [left, min(left + width, W))
 *   (2) y = value on B, x elsewhere
 * Backward: (3) dx = g off B, 0 on B (the erased pixels no longer depend on x).
 */
import * as E from 'fp-ts/lib/Either.js'
import { integer, number, schema } from '../core/attrs.ts'
import { defineOp } from '../core/op.ts'
import { type Dims, type GatherCache, type PlaneMap, gather, image, scatter } from './image.ts'

export interface Attrs {
  readonly top: number; readonly left: number; readonly height: number; readonly width: number; readonly value: number
}

// #region erase
export const eraseMap = ({ h, w }: Dims, a: Attrs): PlaneMap => {
  const src = new Int32Array(h * w)
  const bottom = Math.min(a.top + a.height, h), right = Math.min(a.left + a.width, w) // (1)
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) src[i * w + j] = i >= a.top && i < bottom && j >= a.left && j < right ? -1 : i * w + j // (2)
  }
  return { src, ho: h, wo: w }
}
// #endregion erase

export const op = defineOp<Attrs, GatherCache>({
  name: 'erase',
  inputs: [{ name: 'x' }],
  outputs: ['y'],
  attrs: schema<Attrs>({ top: integer(undefined, 0), left: integer(undefined, 0), height: integer(undefined, 0), width: integer(undefined, 0), value: number(0) }),
  forward: (a, { x }) => E.map((d: Dims) => {
    const map = eraseMap(d, a)
    return { outputs: { y: gather(x!, d, map, a.value) }, cache: { map, xShape: x!.shape } }
  })(image('erase', x!)),
  backward: (_a, cache, { y: g }) => ({ x: scatter(g, cache) }), // (3)
})
