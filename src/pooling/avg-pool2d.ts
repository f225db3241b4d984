/**
 * 2-D average pooling, PyTorch's `F.avg_pool2d` (no dilation, no
 * divisor_override) over the windows of ./windows.ts, x [N, C, H, W]. For the
 * window at (oh, ow), rows hs = oh s_h - p_t .. hs + kh - 1, cols likewise:
 *   (1) y[n, c, oh, ow] = S / D,  S = sum of x[n, c, ih, iw] over the window's
 *       cells inside the image (padding adds zeros)
 *   (2) D = (min(hs + kh, H + p_b) - hs) (min(ws + kw, W + p_r) - ws)   count_include_pad
 *       D = (min(hs + kh, H) - max(hs, 0)) (min(ws + kw, W) - max(ws, 0))   otherwise
 *       With count_include_pad the window is clipped to the padded extent:
 *       padding cells count, the cells ceil_mode adds past the end padding do
 *       not (PyTorch's avg_pool2d kernel, spec/profiles/conventions-notes.md 1.5)
 *   (3) a window with no cell inside the image (padding beyond half the kernel)
 *       gives 0, as PyTorch's kernel leaves such an output at zero, for both
 *       settings of count_include_pad (the ONNX reference gives NaN without it)
 * Backward, g = dL/dy; y is linear in x:
 *   (4) dx[n, c, ih, iw] = sum over the windows containing (ih, iw) of g[n, c, oh, ow] / D
 */
import * as E from 'fp-ts/lib/Either.js'
import { type Pad4, boolean, schema } from '../core/attrs.ts'
import { defineOp } from '../core/op.ts'
import { make } from '../core/tensor.ts'
import { type Windows, windowAttrs, windows } from './windows.ts'

export interface Attrs {
  readonly kernel_size: readonly [number, number]
  readonly stride: readonly [number, number] | undefined
  readonly padding: Pad4
  readonly ceil_mode: boolean
  readonly count_include_pad: boolean
}

export const attrs = schema<Attrs>({ ...windowAttrs, count_include_pad: boolean(true) })

/** The windows: (4) walks them again, with the same D as (1). */
export interface Cache { readonly win: Windows }

const OP = 'avg_pool2d'

/** Visits the image cells [h0, h1) x [w0, w1) of every window with its flat output position and D (2), (3). */
const eachWindow = (win: Windows, countPad: boolean, visit: (o: number, h0: number, h1: number, w0: number, w1: number, d: number) => void): void => {
  const { h, w, ho, wo } = win
  const [kh, kw] = win.kernel, [sh, sw] = win.stride
  const [pt, pl, pb, pr] = win.pad
  for (let oh = 0; oh < ho; oh++) {
    const hs = oh * sh - pt
    const h0 = Math.max(hs, 0), h1 = Math.min(hs + kh, h)
    const dh = countPad ? Math.min(hs + kh, h + pb) - hs : h1 - h0 // (2)
    for (let ow = 0; ow < wo; ow++) {
      const ws = ow * sw - pl
      const w0 = Math.max(ws, 0), w1 = Math.min(ws + kw, w)
      const dw = countPad ? Math.min(ws + kw, w + pr) - ws : w1 - w0 // (2)
      const empty = h0 >= h1 || w0 >= w1
      visit(oh * wo + ow, h0, h1, w0, w1, empty ? 0 : dh * dw) // (3)
    }
  }
}

export const op = defineOp<Attrs, Cache>({
  name: OP,
  inputs: [{ name: 'x' }],
  outputs: ['y'],
  attrs,
  forward: (a, { x }) => {
    const r = windows(OP, x!, a.kernel_size, a.stride, a.padding, [1, 1], a.ceil_mode)
    if (E.isLeft(r)) return r
    const win = r.right
    const { n, c, h, w, ho, wo } = win
    const plane = ho * wo
    const y = new Float64Array(n * c * plane)
    eachWindow(win, a.count_include_pad, (o, h0, h1, w0, w1, d) => {
      if (d === 0) return // (3): y stays 0
      for (let nc = 0; nc < n * c; nc++) {
        let s = 0
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) s += x!.data[(nc * h + ih) * w + iw]
        y[nc * plane + o] = s / d // (1)
      }
    })
    return E.right({ outputs: { y: make([n, c, ho, wo], y) }, cache: { win } })
  },
  backward: (a, { win }, { y: g }) => {
    const { n, c, h, w, ho, wo } = win
    const plane = ho * wo
    const dx = new Float64Array(n * c * h * w)
    eachWindow(win, a.count_include_pad, (o, h0, h1, w0, w1, d) => {
      if (d === 0) return // (3): an empty window reads no cell
      for (let nc = 0; nc < n * c; nc++) {
        const share = g.data[nc * plane + o] / d // (4)
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) dx[(nc * h + ih) * w + iw] += share // (4)
      }
    })
    return { x: make([n, c, h, w], dx) }
  },
})
