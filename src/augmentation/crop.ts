/**
 * Crop, torchvision 0.14 `F.crop(x, top, left, height, width)` on tensors,
 * x [N, C, H, W]; a box reaching outside the image is zero-filled (torchvision
 * pads with zeros), so any integer top and left are allowed:
 *   (1) y[n, c, i, j] = x[n, c, top + i, left + j]   when that pixel exists
 *   (2)               = 0                            otherwise
 * Backward: the cotangent of each kept pixel goes back to its source
 * (image.ts (2)); pixels outside the box get zero.
 */
import * as E from 'fp-ts/lib/Either.js'
import { integer, schema } from '../core/attrs.ts'
import { defineOp } from '../core/op.ts'
import { type Dims, type GatherCache, type PlaneMap, gather, image, scatter } from './image.ts'

export interface Box { readonly top: number; readonly left: number; readonly height: number; readonly width: number }

// An empty box (height or width 0) gives an empty image, as torchvision's slicing does.
export const boxAttrs = { top: integer(), left: integer(), height: integer(undefined, 0), width: integer(undefined, 0) }

// #region crop
export const cropMap = ({ h, w }: Dims, { top, left, height, width }: Box): PlaneMap => {
  const src = new Int32Array(height * width)
  for (let i = 0; i < height; i++) {
    for (let j = 0; j < width; j++) {
      const r = top + i, c = left + j
      src[i * width + j] = r >= 0 && r < h && c >= 0 && c < w ? r * w + c : -1 // (1), (2)
    }
  }
  return { src, ho: height, wo: width }
}
// #endregion crop

export const op = defineOp<Box, GatherCache>({
  name: 'crop',
  inputs: [{ name: 'x' }],
  outputs: ['y'],
  attrs: schema<Box>(boxAttrs),
  forward: (a, { x }) => E.map((d: Dims) => {
    const map = cropMap(d, a)
    return { outputs: { y: gather(x!, d, map, 0) }, cache: { map, xShape: x!.shape } }
  })(image('crop', x!)),
  backward: (_a, cache, { y: g }) => ({ x: scatter(g, cache) }),
})
