/**
 * Float32 mirror of src/pooling/avg-pool2d.ts (PyTorch's F.avg_pool2d, no
 * dilation, no divisor_override) over the windows of src/pooling/windows.ts
 * (the same validation and output sizes), x [N, C, H, W]. For the window at
 * (oh, ow), rows hs = oh s_h - p_t .. hs + kh - 1, cols ws likewise:
 *   (1) y[n, c, oh, ow] = S / D,  S = sum of x[n, c, ih, iw] over the window's
 *       cells inside the image (padding adds zeros)
 *   (2) D = (min(hs + kh, H + p_b) - hs) (min(ws + kw, W + p_r) - ws)   count_include_pad
 *       D = (min(hs + kh, H) - max(hs, 0)) (min(ws + kw, W) - max(ws, 0))   otherwise
 *       (padding cells count with count_include_pad, ceil_mode's overhang past
 *       the end padding never does)
 *   (3) a window with no cell inside the image gives 0
 * Backward, g = dL/dy:
 *   (4) dx[n, c, ih, iw] = sum over the windows containing (ih, iw) of g[n, c, oh, ow] / D.
 *       src scatters g / D over each window; here each input cell gathers:
 *       the window holding (ih, iw) as its row i is oh = (ih + p_t - i) / s_h
 *       when that is an integer in [0, H_out) (likewise ow), and D is (2) of
 *       that window, recomputed (no atomics in gpu.js, gpujs §7.4)
 * D is a product of small integers, exact in f32; each y is one f32 division
 * S / D, each term of (4) one division g / D, as in src.
 * Layout: x and dx [N C, H, W], y and g [N C, H_out, W_out] (thread z = n C + c).
 */
import * as E from 'fp-ts/lib/Either.js'
import { checkInputs } from '../../src/core/op.ts'
import type { Shape } from '../../src/core/tensor.ts'
import * as AvgPool2d from '../../src/pooling/avg-pool2d.ts'
import { type Windows, windows } from '../../src/pooling/windows.ts'
import { type KernelOp, download, upload } from '../op.ts'
import { type KernelSpec, type KernelThis, ran, run } from '../runtime.ts'

export interface Cache { readonly win: Windows; readonly xShape: Shape }

const pool: KernelSpec = {
  name: 'avg_pool2d.y',
  args: {
    x: 'Input', h: 'Integer', w: 'Integer', kh: 'Integer', kw: 'Integer', sh: 'Integer', sw: 'Integer',
    pt: 'Integer', pl: 'Integer', pb: 'Integer', pr: 'Integer', countPad: 'Integer',
  },
  fn: function (this: KernelThis, x: number[][][], h: number, w: number, kh: number, kw: number, sh: number, sw: number,
    pt: number, pl: number, pb: number, pr: number, countPad: number): number {
    const hs = this.thread.y * sh - pt
    const ws = this.thread.x * sw - pl
    const h0 = Math.max(hs, 0)
    const h1 = Math.min(hs + kh, h)
    const w0 = Math.max(ws, 0)
    const w1 = Math.min(ws + kw, w)
    if (h0 >= h1 || w0 >= w1) return 0 // (3)
    let dh = h1 - h0 // (2)
    let dw = w1 - w0 // (2)
    if (countPad === 1) {
      dh = Math.min(hs + kh, h + pb) - hs // (2)
      dw = Math.min(ws + kw, w + pr) - ws // (2)
    }
    let s = 0
    for (let i = 0; i < kh; i++) {
      if (hs + i >= 0 && hs + i < h) {
        for (let j = 0; j < kw; j++) {
          if (ws + j >= 0 && ws + j < w) s += x[this.thread.z][hs + i][ws + j] // (1)
        }
      }
    }
    return s / (dh * dw) // (1)
  },
}

const gradX: KernelSpec = {
  name: 'avg_pool2d.dx',
  args: {
    g: 'Input', h: 'Integer', w: 'Integer', ho: 'Integer', wo: 'Integer', kh: 'Integer', kw: 'Integer', sh: 'Integer', sw: 'Integer',
    pt: 'Integer', pl: 'Integer', pb: 'Integer', pr: 'Integer', countPad: 'Integer',
  },
  fn: function (this: KernelThis, g: number[][][], h: number, w: number, ho: number, wo: number, kh: number, kw: number, sh: number, sw: number,
    pt: number, pl: number, pb: number, pr: number, countPad: number): number {
    let s = 0
    for (let i = 0; i < kh; i++) {
      const th = this.thread.y + pt - i
      const oh = Math.floor((th + 0.5) / sh)
      if (th >= 0 && oh * sh === th && oh < ho) { // (4): window oh holds this row as its row i
        const hs = oh * sh - pt
        let dh = Math.min(hs + kh, h) - Math.max(hs, 0) // (2)
        if (countPad === 1) dh = Math.min(hs + kh, h + pb) - hs // (2)
        for (let j = 0; j < kw; j++) {
          const tw = this.thread.x + pl - j
          const ow = Math.floor((tw + 0.5) / sw)
          if (tw >= 0 && ow * sw === tw && ow < wo) {
            const ws = ow * sw - pl
            let dw = Math.min(ws + kw, w) - Math.max(ws, 0) // (2)
            if (countPad === 1) dw = Math.min(ws + kw, w + pr) - ws // (2)
            s += g[this.thread.z][oh][ow] / (dh * dw) // (4)
          }
        }
      }
    }
    return s
  },
}

const OP = 'avg_pool2d'

export const op: KernelOp<AvgPool2d.Attrs, Cache> = {
  name: OP,
  parseAttrs: AvgPool2d.op.parseAttrs,
  forward: async (dev, a, inputs) => {
    const checked = checkInputs(OP, AvgPool2d.op.inputs, inputs)
    if (E.isLeft(checked)) return checked
    const xt = inputs.x!
    const r = windows(OP, xt, a.kernel_size, a.stride, a.padding, [1, 1], a.ceil_mode)
    if (E.isLeft(r)) return r
    const win = r.right
    const { n, c, h, w, ho, wo } = win
    const [pt, pl, pb, pr] = win.pad
    const y = await run(dev, pool, [n * c, ho, wo], [
      upload(xt, [n * c, h, w]), h, w, win.kernel[0], win.kernel[1], win.stride[0], win.stride[1], pt, pl, pb, pr, a.count_include_pad ? 1 : 0,
    ]) // (1)-(3)
    if (E.isLeft(y)) return y
    return E.right(ran(dev, { outputs: { y: download([n, c, ho, wo], y.right) }, cache: { win, xShape: xt.shape } }))
  },
  backward: async (dev, a, { win, xShape }, { y: gt }) => {
    const { n, c, h, w, ho, wo } = win
    const [pt, pl, pb, pr] = win.pad
    const dx = await run(dev, gradX, [n * c, h, w], [
      upload(gt, [n * c, ho, wo]), h, w, ho, wo, win.kernel[0], win.kernel[1], win.stride[0], win.stride[1], pt, pl, pb, pr, a.count_include_pad ? 1 : 0,
    ]) // (4)
    if (E.isLeft(dx)) return dx
    return E.right(ran(dev, { x: download(xShape, dx.right) }))
  },
}
