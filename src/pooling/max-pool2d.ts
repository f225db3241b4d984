/**
 * 2-D max pooling, PyTorch's `F.max_pool2d(..., return_indices=True)` over the
 * windows of ./windows.ts, x [N, C, H, W]:
 *   (1) y[n, c, oh, ow] = max of x[n, c, ih, iw] over the window's taps inside
 *       the image; padding and ceil_mode overhang never win (they act as -inf)
 *   (2) indices[n, c, oh, ow] = ih W + iw of the winner, a flat index into the
 *       unpadded H x W plane. Taps are visited in row-major window order and a
 *       tap replaces the incumbent only when strictly greater, so ties go to the
 *       first maximum; a NaN always replaces (PyTorch's `val > max || isnan(val)`),
 *       so NaN propagates and the last NaN of a window is its index
 *   (3) a window with no tap inside the image (padding beyond half the kernel,
 *       or a dilation that steps over the whole input) gives y = -inf, index -1
 *       and sends no gradient: the max of an empty set. PyTorch gives -inf with
 *       an index outside the plane (e.g. 6 for a 2 x 2 input, kernel 2,
 *       padding 1, dilation 3); the ONNX reference gives y = 0, index -1.
 * Backward, g = dL/dy; the max is locally a selection, so:
 *   (4) dx[n, c, p] = sum of g[n, c, oh, ow] over the windows whose index is p
 *       (overlapping windows accumulate)
 */
import * as E from 'fp-ts/lib/Either.js'
import { type Pad4, pair, schema } from '../core/attrs.ts'
import { defineOp } from '../core/op.ts'
import { type Shape, make } from '../core/tensor.ts'
import { type Windows, windowAttrs, windows } from './windows.ts'

export interface Attrs {
  readonly kernel_size: readonly [number, number]
  readonly stride: readonly [number, number] | undefined
  readonly padding: Pad4
  readonly dilation: readonly [number, number]
  readonly ceil_mode: boolean
}

export const attrs = schema<Attrs>({ ...windowAttrs, dilation: pair(1, 1) })

/** The winners' flat indices (2) and the shape of x, all that (4) needs. */
export interface Cache { readonly argmax: Float64Array; readonly xShape: Shape; readonly plane: number }

const OP = 'max_pool2d'

/** (1)-(3) for every window; returns [y, indices]. */
// #region pool
const pool = (x: Float64Array, win: Windows): [Float64Array, Float64Array] => {
  const { n, c, h, w, ho, wo } = win
  const [kh, kw] = win.kernel, [sh, sw] = win.stride, [dh, dw] = win.dilation
  const y = new Float64Array(n * c * ho * wo), arg = new Float64Array(y.length)
  for (let nc = 0; nc < n * c; nc++) {
    const base = nc * h * w
    for (let oh = 0; oh < ho; oh++) {
      for (let ow = 0; ow < wo; ow++) {
        let best = -Infinity, at = -1 // (3) until a tap inside the image is seen
        for (let i = 0; i < kh; i++) {
          const ih = oh * sh - win.pad[0] + i * dh
          if (ih < 0 || ih >= h) continue // (1) padding never wins
          for (let j = 0; j < kw; j++) {
            const iw = ow * sw - win.pad[1] + j * dw
            if (iw < 0 || iw >= w) continue // (1)
            const v = x[base + ih * w + iw]
            if (at < 0 || v > best || Number.isNaN(v)) { best = v; at = ih * w + iw } // (2) strictly greater: first max wins
          }
        }
        const o = (nc * ho + oh) * wo + ow
        y[o] = best // (1), (3)
        arg[o] = at // (2), (3)
      }
    }
  }
  return [y, arg]
}
// #endregion pool

export const op = defineOp<Attrs, Cache>({
  name: OP,
  inputs: [{ name: 'x' }],
  outputs: ['y', { name: 'indices', grad: false }],
  attrs,
  forward: (a, { x }) => {
    const r = windows(OP, x!, a.kernel_size, a.stride, a.padding, a.dilation, a.ceil_mode)
    if (E.isLeft(r)) return r
    const win = r.right
    const [y, arg] = pool(x!.data, win)
    const shape = [win.n, win.c, win.ho, win.wo]
    return E.right({
      outputs: { y: make(shape, y), indices: make(shape, arg, 'int64') },
      cache: { argmax: arg, xShape: x!.shape, plane: win.ho * win.wo },
    })
  },
  // #region backward
  backward: (_a, { argmax, xShape, plane }, { y: g }) => {
    const hw = xShape[2] * xShape[3]
    const dx = new Float64Array(xShape.reduce((p, q) => p * q, 1))
    for (let o = 0; o < argmax.length; o++) {
      if (argmax[o] >= 0) dx[Math.floor(o / plane) * hw + argmax[o]] += g.data[o] // (4), (3): empty windows send nothing
    }
    return { x: make(xShape, dx) }
  },
  // #endregion backward
})
