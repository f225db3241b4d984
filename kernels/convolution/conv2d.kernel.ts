/**
 * Float32 mirror of src/convolution/conv2d.ts (PyTorch's F.conv2d, a
 * cross-correlation), through the trilinear form T of
 * src/convolution/correlation.ts. x [N, C, H, W], weight [K, Cg, kh, kw],
 * bias [K], G = groups, Cg = C/G, Kg = K/G; output channel k is in group
 * floor(k / Kg), input channel c in group floor(c / Cg), c' = c - g Cg:
 *   (1) y[n, k, oh, ow] = b[k] + sum_{c' < Cg, i, j} x[n, g Cg + c', ih, iw] w[k, c', i, j]
 *       ih = oh s_h - p_t + i d_h, iw = ow s_w - p_l + j d_w, out-of-image taps read 0
 *   (2) H_out = floor((H + p_t + p_b - d_h (kh - 1) - 1) / s_h) + 1, likewise W_out
 * Backward, g = dL/dy [N, K, H_out, W_out]:
 *   (3) dx[n, c, ih, iw] = sum over k in c's group and taps (i, j) with
 *       oh = (ih + p_t - i d_h) / s_h and ow = (iw + p_l - j d_w) / s_w integers
 *       inside the output, of w[k, c', i, j] g[n, k, oh, ow]: T's scatter (src's
 *       conv_transpose2d of g) written as a gather, one thread per dx element,
 *       since gpu.js has no atomics to scatter with (gpujs §7.4)
 *   (4) dW[k, c', i, j] = sum_{n, oh, ow} x[n, g Cg + c', ih, iw] g[n, k, oh, ow], in-image taps only
 *   (5) db[k] = sum_{n, oh, ow} g[n, k, oh, ow]
 * One thread per output element runs its whole reduction (no workgroup
 * memory, gpujs §7.4). Tensors travel as 3-D inputs (gpu.js reads at most
 * three subscripts): x [N C, H, W], w [K Cg, kh, kw], g [N K, H_out, W_out].
 *
 * Index arithmetic. Thread z packs two indices (n K + k, say); they come out as
 * n = floor((z + 0.5) / K), k = z - n K. The quotient sits at least 0.5 / K
 * from an integer, farther than the 2.5 ULP that WGSL allows an f32 division
 * (gpujs §3) as long as z < 2^20; z is below 65536, the 3-D dispatch limit
 * (gpujs §7.3), which runtime.ts enforces. Declared locals are f32 on webgpu
 * (gpujs §3): they hold integers below 2^24 here, exactly (INDEX_MAX below
 * bounds the packed leading dims), and so do the divisibility tests of (3),
 * oh s_h === ih + p_t - i d_h, which need no `%`.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, unsupported } from '../../src/core/errors.ts'
import { checkInputs } from '../../src/core/op.ts'
import * as Conv2d from '../../src/convolution/conv2d.ts'
import type { Shape } from '../../src/core/tensor.ts'
import { type KernelOp, download, upload } from '../op.ts'
import { type F32, type KernelSpec, type KernelThis, f32, ran, run } from '../runtime.ts'

/** Largest packed leading dimension (N C, N K, K Cg) whose indices f32 locals hold exactly. */
export const INDEX_MAX = 2 ** 24

/** The layer's sizes, as the kernels take them (Integer arguments). */
export interface Geometry {
  readonly n: number
  readonly c: number
  readonly h: number
  readonly w: number
  readonly k: number
  readonly groups: number
  readonly kh: number
  readonly kw: number
  readonly ho: number
  readonly wo: number
  readonly stride: readonly [number, number]
  readonly dilation: readonly [number, number]
  /** [p_t, p_l] */
  readonly offset: readonly [number, number]
}

export interface Cache { readonly x: F32; readonly weight: F32; readonly geo: Geometry; readonly hasBias: boolean }

const gather: KernelSpec = {
  name: 'conv2d.y',
  args: {
    x: 'Input', w: 'Input', b: 'Input', c: 'Integer', k: 'Integer', cg: 'Integer', kg: 'Integer', h: 'Integer', wd: 'Integer',
    kh: 'Integer', kw: 'Integer', sh: 'Integer', sw: 'Integer', dh: 'Integer', dw: 'Integer', pt: 'Integer', pl: 'Integer', hasBias: 'Integer',
  },
  fn: function (this: KernelThis, x: number[][][], w: number[][][], b: number[], c: number, k: number, cg: number, kg: number, h: number, wd: number,
    kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, pt: number, pl: number, hasBias: number): number {
    const n = Math.floor((this.thread.z + 0.5) / k)
    const ko = this.thread.z - n * k
    const grp = Math.floor((ko + 0.5) / kg)
    let s = 0
    for (let ci = 0; ci < cg; ci++) {
      for (let i = 0; i < kh; i++) {
        const ih = this.thread.y * sh - pt + i * dh // (1)
        if (ih >= 0 && ih < h) {
          for (let j = 0; j < kw; j++) {
            const iw = this.thread.x * sw - pl + j * dw // (1)
            if (iw >= 0 && iw < wd) s += x[n * c + grp * cg + ci][ih][iw] * w[ko * cg + ci][i][j] // (1)
          }
        }
      }
    }
    if (hasBias === 1) s += b[ko] // (1)
    return s
  },
}

const gradX: KernelSpec = {
  name: 'conv2d.dx',
  args: {
    g: 'Input', w: 'Input', c: 'Integer', k: 'Integer', cg: 'Integer', kg: 'Integer', ho: 'Integer', wo: 'Integer',
    kh: 'Integer', kw: 'Integer', sh: 'Integer', sw: 'Integer', dh: 'Integer', dw: 'Integer', pt: 'Integer', pl: 'Integer',
  },
  fn: function (this: KernelThis, g: number[][][], w: number[][][], c: number, k: number, cg: number, kg: number, ho: number, wo: number,
    kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, pt: number, pl: number): number {
    const n = Math.floor((this.thread.z + 0.5) / c)
    const ci = this.thread.z - n * c
    const grp = Math.floor((ci + 0.5) / cg)
    const cl = ci - grp * cg
    let s = 0
    for (let a = 0; a < kg; a++) {
      for (let i = 0; i < kh; i++) {
        const th = this.thread.y + pt - i * dh
        const oh = Math.floor((th + 0.5) / sh)
        if (th >= 0 && oh * sh === th && oh < ho) { // (3): tap i of window oh lands on ih
          for (let j = 0; j < kw; j++) {
            const tw = this.thread.x + pl - j * dw
            const ow = Math.floor((tw + 0.5) / sw)
            if (tw >= 0 && ow * sw === tw && ow < wo) s += w[(grp * kg + a) * cg + cl][i][j] * g[n * k + grp * kg + a][oh][ow] // (3)
          }
        }
      }
    }
    return s
  },
}

const gradW: KernelSpec = {
  name: 'conv2d.dw',
  args: {
    x: 'Input', g: 'Input', batch: 'Integer', c: 'Integer', k: 'Integer', cg: 'Integer', kg: 'Integer', h: 'Integer', wd: 'Integer',
    ho: 'Integer', wo: 'Integer', sh: 'Integer', sw: 'Integer', dh: 'Integer', dw: 'Integer', pt: 'Integer', pl: 'Integer',
  },
  fn: function (this: KernelThis, x: number[][][], g: number[][][], batch: number, c: number, k: number, cg: number, kg: number, h: number, wd: number,
    ho: number, wo: number, sh: number, sw: number, dh: number, dw: number, pt: number, pl: number): number {
    const ko = Math.floor((this.thread.z + 0.5) / cg)
    const cl = this.thread.z - ko * cg
    const grp = Math.floor((ko + 0.5) / kg)
    let s = 0
    for (let n = 0; n < batch; n++) {
      for (let oh = 0; oh < ho; oh++) {
        const ih = oh * sh - pt + this.thread.y * dh // (4)
        if (ih >= 0 && ih < h) {
          for (let ow = 0; ow < wo; ow++) {
            const iw = ow * sw - pl + this.thread.x * dw // (4)
            if (iw >= 0 && iw < wd) s += x[n * c + grp * cg + cl][ih][iw] * g[n * k + ko][oh][ow] // (4)
          }
        }
      }
    }
    return s
  },
}

const gradB: KernelSpec = {
  name: 'conv2d.db',
  args: { g: 'Input', batch: 'Integer', k: 'Integer', ho: 'Integer', wo: 'Integer' },
  fn: function (this: KernelThis, g: number[][][], batch: number, k: number, ho: number, wo: number): number {
    let s = 0
    for (let n = 0; n < batch; n++) {
      for (let oh = 0; oh < ho; oh++) {
        for (let ow = 0; ow < wo; ow++) s += g[n * k + this.thread.x][oh][ow] // (5)
      }
    }
    return s
  },
}

const OP = 'conv2d'

/** src's validation (Conv2d.geometry, the same function and messages), then the float32 kernel's own index limit. */
const geometry = (a: Conv2d.Attrs, xs: Shape, ws: Shape, bs: Shape | undefined): E.Either<OpError, Geometry> => {
  const g = Conv2d.geometry(a, xs, ws, bs)
  if (E.isLeft(g)) return g
  const { batch: n, groups, image: [c, h, w], map: [k, ho, wo], kernel: [kh, kw], stride, dilation, offset } = g.right
  const cg = c / groups
  for (const [what, count] of [['N C', n * c], ['N K', n * k], ['K C/groups', k * cg]] as const) {
    if (count >= INDEX_MAX) return E.left(unsupported(OP, 'inputs.x', `${what} below 2^24 (the float32 kernel's exact index range)`, String(count)))
  }
  return E.right({ n, c, h, w, k, groups, kh, kw, ho, wo, stride, dilation, offset })
}

export const op: KernelOp<Conv2d.Attrs, Cache> = {
  name: OP,
  parseAttrs: Conv2d.op.parseAttrs,
  forward: async (dev, attrs, inputs) => {
    const checked = checkInputs(OP, Conv2d.op.inputs, inputs)
    if (E.isLeft(checked)) return checked
    const xt = inputs.x!, wt = inputs.weight!, bt = inputs.bias
    const geo = geometry(attrs, xt.shape, wt.shape, bt?.shape)
    if (E.isLeft(geo)) return geo
    const { n, c, h, w, k, groups, kh, kw, ho, wo, stride: [sh, sw], dilation: [dh, dw], offset: [pt, pl] } = geo.right
    const cg = c / groups
    const x = upload(xt, [n * c, h, w])
    const weight = upload(wt, [k * cg, kh, kw])
    const b = bt === undefined ? f32([0], [1]) : upload(bt)
    const y = await run(dev, gather, [n * k, ho, wo], [x, weight, b, c, k, cg, k / groups, h, w, kh, kw, sh, sw, dh, dw, pt, pl, bt === undefined ? 0 : 1]) // (1)
    if (E.isLeft(y)) return y
    return E.right(ran(dev, { outputs: { y: download([n, k, ho, wo], y.right) }, cache: { x, weight, geo: geo.right, hasBias: bt !== undefined } }))
  },
  backward: async (dev, _attrs, { x, weight, geo, hasBias }, { y: gt }) => {
    const { n, c, h, w, k, groups, kh, kw, ho, wo, stride: [sh, sw], dilation: [dh, dw], offset: [pt, pl] } = geo
    const cg = c / groups, kg = k / groups
    const g = upload(gt, [n * k, ho, wo])
    const dx = await run(dev, gradX, [n * c, h, w], [g, weight, c, k, cg, kg, ho, wo, kh, kw, sh, sw, dh, dw, pt, pl]) // (3)
    if (E.isLeft(dx)) return dx
    const dW = await run(dev, gradW, [k * cg, kh, kw], [x, g, n, c, k, cg, kg, h, w, ho, wo, sh, sw, dh, dw, pt, pl]) // (4)
    if (E.isLeft(dW)) return dW
    const grads = { x: download([n, c, h, w], dx.right), weight: download([k, cg, kh, kw], dW.right) }
    if (!hasBias) return E.right(ran(dev, grads))
    const db = await run(dev, gradB, [k], [g, n, k, ho, wo]) // (5)
    if (E.isLeft(db)) return db
    return E.right(ran(dev, { ...grads, bias: download([k], db.right) }))
  },
}
