/**
 * Float32 mirror of src/pooling/max-pool2d.ts (PyTorch's
 * F.max_pool2d(..., return_indices=True)) over the windows of
 * src/pooling/windows.ts (the same validation and output sizes), x [N, C, H, W]:
 *   (1) y[n, c, oh, ow] = max of x[n, c, ih, iw] over the window's taps inside
 *       the image, ih = oh s_h - p_t + i d_h, iw = ow s_w - p_l + j d_w;
 *       padding and ceil_mode overhang never win
 *   (2) indices[n, c, oh, ow] = ih W + iw of the winner; taps in row-major
 *       window order, replaced only by a strictly greater value: the first maximum wins
 *   (3) a window with no tap inside the image gives y = -inf, index -1, and no gradient
 * Backward, g = dL/dy:
 *   (4) dx[n, c, p] = sum of g[n, c, oh, ow] over the windows whose index is p.
 *       src scatters; here each input cell gathers: the windows that can hold
 *       (ih, iw) as tap (i, j) are oh = (ih + p_t - i d_h) / s_h when that is an
 *       integer in [0, H_out) (likewise ow), at most one window per tap, and the
 *       cell adds g of those whose index is its own (no atomics in gpu.js, gpujs §7.4)
 * Two launches forward, one kernel: `which` 0 returns y, 1 the index. (3) is
 * finished on the host: the device returns index -1 with y = 0, and the host
 * writes -inf there, since webgpu has no dependable infinity (the literal is
 * FLT_MAX, gpujs §5.4). NaN is not mirrored: src lets a NaN win, but NaN
 * tests are unreliable on webgpu (gpujs §5.4), so a NaN input's result is
 * backend-defined. So is the winner among values that tie once subnormals are
 * flushed (WGSL allows the flush; the H100's NVIDIA driver does it, lavapipe does not).
 * Layout: x [N C, H, W] and y, indices [N C, H_out, W_out] as 3-D inputs and
 * outputs (thread z = n C + c). Indices are ih W + iw in an f32 local, exact
 * below 2^24 (checked); the gather of (4) tests oh s_h === ih + p_t - i d_h in
 * exact small integers, as kernels/convolution/conv2d.kernel.ts does.
 */
import * as E from 'fp-ts/lib/Either.js'
import { unsupported } from '../../src/core/errors.ts'
import { checkInputs } from '../../src/core/op.ts'
import { type Shape, make } from '../../src/core/tensor.ts'
import * as MaxPool2d from '../../src/pooling/max-pool2d.ts'
import { type Windows, windows } from '../../src/pooling/windows.ts'
import { type KernelOp, download, keep, upload } from '../op.ts'
import { type F32, type KernelSpec, type KernelThis, ran, run } from '../runtime.ts'

export interface Cache { readonly argmax: F32; readonly win: Windows; readonly xShape: Shape }

const pool: KernelSpec = {
  name: 'max_pool2d.y',
  args: {
    x: 'Input', h: 'Integer', w: 'Integer', kh: 'Integer', kw: 'Integer', sh: 'Integer', sw: 'Integer',
    dh: 'Integer', dw: 'Integer', pt: 'Integer', pl: 'Integer', which: 'Integer',
  },
  fn: function (this: KernelThis, x: number[][][], h: number, w: number, kh: number, kw: number, sh: number, sw: number,
    dh: number, dw: number, pt: number, pl: number, which: number): number {
    let best = 0
    let at = -1 // (3) until a tap inside the image is seen
    for (let i = 0; i < kh; i++) {
      const ih = this.thread.y * sh - pt + i * dh
      if (ih >= 0 && ih < h) { // (1) padding never wins
        for (let j = 0; j < kw; j++) {
          const iw = this.thread.x * sw - pl + j * dw
          if (iw >= 0 && iw < w) {
            const v = x[this.thread.z][ih][iw]
            if (at < 0 || v > best) { // (2) strictly greater: the first maximum wins
              best = v
              at = ih * w + iw
            }
          }
        }
      }
    }
    if (which === 1) return at // (2), (3)
    return best // (1)
  },
}

const gradX: KernelSpec = {
  name: 'max_pool2d.dx',
  args: {
    g: 'Input', arg: 'Input', w: 'Integer', ho: 'Integer', wo: 'Integer', kh: 'Integer', kw: 'Integer', sh: 'Integer', sw: 'Integer',
    dh: 'Integer', dw: 'Integer', pt: 'Integer', pl: 'Integer',
  },
  fn: function (this: KernelThis, g: number[][][], arg: number[][][], w: number, ho: number, wo: number, kh: number, kw: number, sh: number, sw: number,
    dh: number, dw: number, pt: number, pl: number): number {
    let s = 0
    for (let i = 0; i < kh; i++) {
      const th = this.thread.y + pt - i * dh
      const oh = Math.floor((th + 0.5) / sh)
      if (th >= 0 && oh * sh === th && oh < ho) { // (4): window oh holds this row as tap i
        for (let j = 0; j < kw; j++) {
          const tw = this.thread.x + pl - j * dw
          const ow = Math.floor((tw + 0.5) / sw)
          if (tw >= 0 && ow * sw === tw && ow < wo) {
            if (arg[this.thread.z][oh][ow] === this.thread.y * w + this.thread.x) s += g[this.thread.z][oh][ow] // (4)
          }
        }
      }
    }
    return s
  },
}

const OP = 'max_pool2d'

/** Flat indices ih W + iw stay exact in f32 below this. */
const PLANE_MAX = 2 ** 24

export const op: KernelOp<MaxPool2d.Attrs, Cache> = {
  name: OP,
  parseAttrs: MaxPool2d.op.parseAttrs,
  forward: async (dev, a, inputs) => {
    const checked = checkInputs(OP, MaxPool2d.op.inputs, inputs)
    if (E.isLeft(checked)) return checked
    const xt = inputs.x!
    const r = windows(OP, xt, a.kernel_size, a.stride, a.padding, a.dilation, a.ceil_mode)
    if (E.isLeft(r)) return r
    const win = r.right
    const { n, c, h, w, ho, wo } = win
    if (h * w >= PLANE_MAX) return E.left(unsupported(OP, 'inputs.x', 'an H x W plane below 2^24 cells (float32 indices)', `${h} x ${w}`))
    const [kh, kw] = win.kernel, [sh, sw] = win.stride, [dh, dw] = win.dilation
    const x = upload(xt, [n * c, h, w])
    const params = [h, w, kh, kw, sh, sw, dh, dw, win.pad[0], win.pad[1]]
    const y = await run(dev, pool, [n * c, ho, wo], [x, ...params, 0]) // (1)
    if (E.isLeft(y)) return y
    const at = await run(dev, pool, [n * c, ho, wo], [x, ...params, 1]) // (2)
    if (E.isLeft(at)) return at
    const shape = [n, c, ho, wo]
    const yt = download(shape, y.right)
    for (let o = 0; o < at.right.length; o++) if (at.right[o] < 0) yt.data[o] = -Infinity // (3), on the host
    return E.right(ran(dev, {
      outputs: { y: yt, indices: make(shape, Float64Array.from(at.right), 'int64') },
      cache: { argmax: keep(at.right, [n * c, ho, wo]), win, xShape: xt.shape },
    }))
  },
  backward: async (dev, _a, { argmax, win, xShape }, { y: gt }) => {
    const { n, c, h, w, ho, wo } = win
    const g = upload(gt, [n * c, ho, wo])
    const dx = await run(dev, gradX, [n * c, h, w], [
      g, argmax, w, ho, wo, win.kernel[0], win.kernel[1], win.stride[0], win.stride[1], win.dilation[0], win.dilation[1], win.pad[0], win.pad[1],
    ]) // (4)
    if (E.isLeft(dx)) return dx
    return E.right(ran(dev, { x: download(xShape, dx.right) }))
  },
}
