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
 *       inside the output, of w[k, c', i, j] g[n, k, oh, ow] (src's
 *       conv_transpose2d of g)
 *   (4) dW[k, c', i, j] = sum_{n, oh, ow} x[n, g Cg + c', ih, iw] g[n, k, oh, ow], in-image taps only
 *   (5) db[k] = sum_{n, oh, ow} g[n, k, oh, ow]
 *
 * How it runs. The padding is done once on the host, in the float64 ->
 * float32 conversion every upload makes anyway: x becomes xp, zero-padded to
 * [N C, Hp, Wp], so (1) is a branch-free window read xp[.., oh s_h + i d_h,
 * ow s_w + j d_w]. (3) is the same correlation, stride 1, of gz (g with
 * s - 1 zeros between its entries, shifted by T0 = p - (k - 1) d per axis)
 * with the flipped weight wT[c, k, i', j'] = w[k, c', kh-1-i', kw-1-j']:
 *   dx[ih] = sum_{i'} wT[i'] gz[ih + i' d_h],  gz[r] = g[oh] where r = oh s_h - T0_h
 * (substitute i = kh - 1 - i' in (3)). So `window` below serves (1) and (3),
 * and `filter` serves (4). Each thread owns a 2 x 2 block (two output
 * channels of one group by two positions for `window`, two output channels by
 * two input channels for `filter`) and returns Array(4): on lavapipe every
 * buffer read costs a loop over the SIMD lanes and the multiply-adds almost
 * nothing, and a 2 x 2 block reads 4 values per 4 products where one output
 * per thread reads 2 per product (../layers/gemm.ts measures this). Odd
 * edges clamp the second channel or position to the last one (its duplicate
 * is dropped on unpack), so every read is inside the tensor.
 *
 * `resident` runs the host path's layout steps (padding, the spread of g,
 * the flipped weight, unpacking the blocks) as small copy kernels on the
 * device, and the same `window` and `filter`: the same float32 numbers.
 *
 * Rounding. Every result is a sum of T's products for that element plus
 * products with an exact 0 (padding, the zeros of gz), each of which is
 * +-0 exactly and leaves a partial sum unchanged (finite inputs; on the GPU
 * path NaN and Inf are not promised anyway, gpujs §5.4): the float32 sum
 * is a summation tree over the same terms, and spec/kernels/bounds.ts's
 * sum rule (any order, Higham 4.2) bounds it as before. Index arithmetic:
 * thread z, thread x of `filter` and `window`'s flat reduction index pack
 * several indices, taken apart as q = floor((z + 0.5) / d), exact below 2^19
 * (REDUCTION_MAX; z < 65536, the 3-D dispatch limit, gpujs §7.3, which
 * runtime.ts enforces). Declared locals are f32 on webgpu
 * (gpujs §3): they hold integers below 2^24 here, exactly (INDEX_MAX below
 * bounds the packed leading dims).
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, unsupported } from '../../src/core/errors.ts'
import { checkInputs } from '../../src/core/op.ts'
import * as Conv2d from '../../src/convolution/conv2d.ts'
import { type Shape, make } from '../../src/core/tensor.ts'
import { type DeviceTensor, bind, release, reshape, scoped } from '../device-tensor.ts'
import { type KernelOp, type ResidentOp, download, upload } from '../op.ts'
import { type F32, type KernelSpec, type KernelThis, f32, ran, run, runResident } from '../runtime.ts'

/** Largest packed leading dimension (N C, N K, K Cg) whose indices f32 locals hold exactly. */
export const INDEX_MAX = 2 ** 24

/**
 * Largest flat reduction Cg kh kw (and Kg kh kw for (3)) that `window` takes
 * apart exactly: floor((r + 0.5) / d) with r + 0.5 < 0.1 2^23 keeps WGSL's
 * 2.5-ULP quotient error, at most 5 2^-23 (r + 0.5) / d, below the 0.5 / d
 * that separates the quotient from an integer (gpujs §3).
 */
export const REDUCTION_MAX = 2 ** 19

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

/** xp: x zero-padded to [N C, Hp, Wp] (float32), and the weight as [K, Cg kh kw]. */
export interface Cache { readonly xp: F32; readonly weight: F32; readonly geo: Geometry; readonly hasBias: boolean }

/**
 * (1) on a padded input: out[n, ko, oh, ow] = b[ko] + sum_{ci < cg, i < kh, j < kw}
 * xp[n c + grp cg + ci][oh sh + i dh][ow sw + j dw] w[ko cg + ci][i][j], for a layer
 * of `grps` groups of cg input and kg output channels (c = grps cg input
 * channels in all, k = grps kg output). Thread (x, y, z): positions ow0 = 2x,
 * ow1 = min(2x + 1, wo - 1) of row oh = y; z = (n grps + grp) kb + q with
 * kb = ceil(kg / 2), channels k0 = grp kg + 2q and k1 = grp kg + min(2q + 1, kg - 1).
 * Returns (k0 ow0, k0 ow1, k1 ow0, k1 ow1).
 */
export const window: KernelSpec = {
  name: 'conv2d.window',
  components: 4,
  args: {
    xp: 'Input', w: 'Input', b: 'Input', c: 'Integer', cg: 'Integer', kg: 'Integer', kb: 'Integer', grps: 'Integer',
    kw: 'Integer', taps: 'Integer', red: 'Integer', red4: 'Integer', sh: 'Integer', sw: 'Integer', dh: 'Integer', dw: 'Integer', wo: 'Integer', hasBias: 'Integer',
  },
  fn: function (this: KernelThis, xp: number[][][], w: number[][], b: number[], c: number, cg: number, kg: number, kb: number, grps: number,
    kw: number, taps: number, red: number, red4: number, sh: number, sw: number, dh: number, dw: number, wo: number, hasBias: number): number[] {
    const n = Math.floor((this.thread.z + 0.5) / (grps * kb))
    const rest = this.thread.z - n * grps * kb
    const grp = Math.floor((rest + 0.5) / kb)
    const q = rest - grp * kb
    const k0 = grp * kg + 2 * q, k1 = grp * kg + Math.min(2 * q + 1, kg - 1)
    const row = this.thread.y * sh
    const col0 = this.thread.x * 2 * sw, col1 = Math.min(this.thread.x * 2 + 1, wo - 1) * sw
    const plane = n * c + grp * cg
    let s00 = 0, s01 = 0, s10 = 0, s11 = 0
    // the reduction index r = (ci kh + i) kw + j runs flat, 4 taps per step (../layers/gemm.ts says why)
    for (let r = 0; r < red4; r += 4) {
      const ca = Math.floor((r + 0.5) / taps), ta = r - ca * taps, ia = Math.floor((ta + 0.5) / kw), ja = ta - ia * kw
      const cb = Math.floor((r + 1.5) / taps), tb = r + 1 - cb * taps, ib = Math.floor((tb + 0.5) / kw), jb = tb - ib * kw
      const cc = Math.floor((r + 2.5) / taps), tc = r + 2 - cc * taps, ic = Math.floor((tc + 0.5) / kw), jc = tc - ic * kw
      const cd = Math.floor((r + 3.5) / taps), td = r + 3 - cd * taps, id = Math.floor((td + 0.5) / kw), jd = td - id * kw
      const wa0 = w[k0][r], wb0 = w[k0][r + 1], wc0 = w[k0][r + 2], wd0 = w[k0][r + 3]
      const wa1 = w[k1][r], wb1 = w[k1][r + 1], wc1 = w[k1][r + 2], wd1 = w[k1][r + 3]
      const xa0 = xp[plane + ca][row + ia * dh][col0 + ja * dw], xa1 = xp[plane + ca][row + ia * dh][col1 + ja * dw] // (1)
      const xb0 = xp[plane + cb][row + ib * dh][col0 + jb * dw], xb1 = xp[plane + cb][row + ib * dh][col1 + jb * dw] // (1)
      const xc0 = xp[plane + cc][row + ic * dh][col0 + jc * dw], xc1 = xp[plane + cc][row + ic * dh][col1 + jc * dw] // (1)
      const xd0 = xp[plane + cd][row + id * dh][col0 + jd * dw], xd1 = xp[plane + cd][row + id * dh][col1 + jd * dw] // (1)
      s00 += xa0 * wa0 + xb0 * wb0 + xc0 * wc0 + xd0 * wd0 // (1)
      s01 += xa1 * wa0 + xb1 * wb0 + xc1 * wc0 + xd1 * wd0 // (1)
      s10 += xa0 * wa1 + xb0 * wb1 + xc0 * wc1 + xd0 * wd1 // (1)
      s11 += xa1 * wa1 + xb1 * wb1 + xc1 * wc1 + xd1 * wd1 // (1)
    }
    for (let u = 0; u < red - red4; u++) {
      const ce = Math.floor((red4 + u + 0.5) / taps), te = red4 + u - ce * taps, ie = Math.floor((te + 0.5) / kw), je = te - ie * kw
      const we0 = w[k0][red4 + u], we1 = w[k1][red4 + u]
      const xe0 = xp[plane + ce][row + ie * dh][col0 + je * dw], xe1 = xp[plane + ce][row + ie * dh][col1 + je * dw] // (1)
      s00 += xe0 * we0 // (1)
      s01 += xe1 * we0 // (1)
      s10 += xe0 * we1 // (1)
      s11 += xe1 * we1 // (1)
    }
    if (hasBias === 1) {
      s00 += b[k0] // (1)
      s01 += b[k0] // (1)
      s10 += b[k1] // (1)
      s11 += b[k1] // (1)
    }
    return [s00, s01, s10, s11]
  },
}

/**
 * (4) on the padded input: dW[ko, ci, i, j] = sum_{n, oh, ow} xp[n c + grp cg + ci][oh sh + i dh][ow sw + j dw]
 * g[n k + ko][oh][ow]. Thread (x, y, z): tap x = i kw + j; input channels c0 = 2y,
 * c1 = min(2y + 1, cg - 1); z = grp kb + q, output channels k0, k1 as in `window`.
 * Returns (k0 c0, k0 c1, k1 c0, k1 c1).
 */
export const filter: KernelSpec = {
  name: 'conv2d.filter',
  components: 4,
  args: {
    xp: 'Input', g: 'Input', batch: 'Integer', c: 'Integer', k: 'Integer', cg: 'Integer', kg: 'Integer', kb: 'Integer',
    kw: 'Integer', ho: 'Integer', wo: 'Integer', wo4: 'Integer', sh: 'Integer', sw: 'Integer', dh: 'Integer', dw: 'Integer',
  },
  fn: function (this: KernelThis, xp: number[][][], g: number[][][], batch: number, c: number, k: number, cg: number, kg: number, kb: number,
    kw: number, ho: number, wo: number, wo4: number, sh: number, sw: number, dh: number, dw: number): number[] {
    const i = Math.floor((this.thread.x + 0.5) / kw)
    const j = this.thread.x - i * kw
    const grp = Math.floor((this.thread.z + 0.5) / kb)
    const q = this.thread.z - grp * kb
    const k0 = grp * kg + 2 * q, k1 = grp * kg + Math.min(2 * q + 1, kg - 1)
    const c0 = grp * cg + this.thread.y * 2, c1 = grp * cg + Math.min(this.thread.y * 2 + 1, cg - 1)
    const col = j * dw
    let s00 = 0, s01 = 0, s10 = 0, s11 = 0
    for (let n = 0; n < batch; n++) {
      for (let oh = 0; oh < ho; oh++) {
        const row = oh * sh + i * dh // (4)
        // 4 positions per step (../layers/gemm.ts says why)
        for (let ow = 0; ow < wo4; ow += 4) {
          const xa0 = xp[n * c + c0][row][ow * sw + col], xa1 = xp[n * c + c1][row][ow * sw + col] // (4)
          const xb0 = xp[n * c + c0][row][(ow + 1) * sw + col], xb1 = xp[n * c + c1][row][(ow + 1) * sw + col] // (4)
          const xc0 = xp[n * c + c0][row][(ow + 2) * sw + col], xc1 = xp[n * c + c1][row][(ow + 2) * sw + col] // (4)
          const xd0 = xp[n * c + c0][row][(ow + 3) * sw + col], xd1 = xp[n * c + c1][row][(ow + 3) * sw + col] // (4)
          const ga0 = g[n * k + k0][oh][ow], gb0 = g[n * k + k0][oh][ow + 1], gc0 = g[n * k + k0][oh][ow + 2], gd0 = g[n * k + k0][oh][ow + 3]
          const ga1 = g[n * k + k1][oh][ow], gb1 = g[n * k + k1][oh][ow + 1], gc1 = g[n * k + k1][oh][ow + 2], gd1 = g[n * k + k1][oh][ow + 3]
          s00 += ga0 * xa0 + gb0 * xb0 + gc0 * xc0 + gd0 * xd0 // (4)
          s01 += ga0 * xa1 + gb0 * xb1 + gc0 * xc1 + gd0 * xd1 // (4)
          s10 += ga1 * xa0 + gb1 * xb0 + gc1 * xc0 + gd1 * xd0 // (4)
          s11 += ga1 * xa1 + gb1 * xb1 + gc1 * xc1 + gd1 * xd1 // (4)
        }
        for (let u = 0; u < wo - wo4; u++) {
          const xe0 = xp[n * c + c0][row][(wo4 + u) * sw + col], xe1 = xp[n * c + c1][row][(wo4 + u) * sw + col] // (4)
          const ge0 = g[n * k + k0][oh][wo4 + u], ge1 = g[n * k + k1][oh][wo4 + u]
          s00 += ge0 * xe0 // (4)
          s01 += ge0 * xe1 // (4)
          s10 += ge1 * xe0 // (4)
          s11 += ge1 * xe1 // (4)
        }
      }
    }
    return [s00, s01, s10, s11]
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

/**
 * planes [P, h, w] (float64, row-major) into a zeroed float32 [P, hp, wp]:
 * element (r, s) lands at (r0 + r sr, s0 + s ss) when that is inside, else it is
 * dropped. x -> xp is (r0, s0) = (p_t, p_l), unit steps; g -> gz is
 * (-T0_h, -T0_w), steps (s_h, s_w).
 */
const spread = (data: ArrayLike<number>, planes: number, h: number, w: number, hp: number, wp: number, r0: number, s0: number, sr: number, ss: number): F32 => {
  const out = new Float32Array(planes * hp * wp)
  for (let p = 0; p < planes; p++) {
    for (let r = 0; r < h; r++) {
      const rr = r0 + r * sr
      if (rr < 0 || rr >= hp) continue
      const src = (p * h + r) * w, dst = (p * hp + rr) * wp
      for (let s = 0; s < w; s++) {
        const cc = s0 + s * ss
        if (cc >= 0 && cc < wp) out[dst + cc] = data[src + s]
      }
    }
  }
  return f32(out, [planes, hp, wp])
}

/** `window`'s blocked result as [N, k, ho, wo] float64 values (the duplicates of odd edges dropped). */
const unpackWindow = (d: Float32Array, n: number, grps: number, kg: number, ho: number, wo: number): Float64Array => {
  const kb = Math.ceil(kg / 2), tx = Math.ceil(wo / 2), k = grps * kg
  const out = new Float64Array(n * k * ho * wo)
  let at = 0
  for (let z = 0; z < n * grps * kb; z++) {
    const b = Math.floor(z / (grps * kb)), grp = Math.floor((z % (grps * kb)) / kb), q = z % kb
    const k0 = grp * kg + 2 * q, two = 2 * q + 1 < kg
    for (let oh = 0; oh < ho; oh++) {
      const r0 = ((b * k + k0) * ho + oh) * wo, r1 = r0 + ho * wo
      for (let x = 0; x < tx; x++, at += 4) {
        const ow = 2 * x, second = ow + 1 < wo
        out[r0 + ow] = d[at]
        if (second) out[r0 + ow + 1] = d[at + 1]
        if (two) {
          out[r1 + ow] = d[at + 2]
          if (second) out[r1 + ow + 1] = d[at + 3]
        }
      }
    }
  }
  return out
}

/** `filter`'s blocked result as dW [k, cg, kh, kw] float64 values. */
const unpackFilter = (d: Float32Array, grps: number, kg: number, cg: number, taps: number): Float64Array => {
  const kb = Math.ceil(kg / 2), cb = Math.ceil(cg / 2)
  const out = new Float64Array(grps * kg * cg * taps)
  let at = 0
  for (let z = 0; z < grps * kb; z++) {
    const grp = Math.floor(z / kb), q = z % kb
    const k0 = grp * kg + 2 * q, two = 2 * q + 1 < kg
    for (let y = 0; y < cb; y++) {
      const c0 = 2 * y, second = c0 + 1 < cg
      for (let t = 0; t < taps; t++, at += 4) {
        const e = (k0 * cg + c0) * taps + t
        out[e] = d[at]
        if (second) out[e + taps] = d[at + 1]
        if (two) {
          out[e + cg * taps] = d[at + 2]
          if (second) out[e + cg * taps + taps] = d[at + 3]
        }
      }
    }
  }
  return out
}

// ---------------------------------------------------------------- the host-side steps as kernels, for the resident form

/** `spread` on the device: out[p][r][s] = src[p][(r - r0) / sr][(s - s0) / ss] where both are whole and inside, else 0. */
const spreadK: KernelSpec = {
  name: 'conv2d.spread',
  args: { src: 'Input', h: 'Integer', w: 'Integer', r0: 'Integer', s0: 'Integer', sr: 'Integer', ss: 'Integer' },
  fn: function (this: KernelThis, src: number[][][], h: number, w: number, r0: number, s0: number, sr: number, ss: number): number {
    const tr = this.thread.y - r0, ts = this.thread.x - s0
    const qr = Math.floor((tr + 0.5) / sr), qs = Math.floor((ts + 0.5) / ss)
    if (tr >= 0 && ts >= 0 && qr * sr === tr && qs * ss === ts && qr < h && qs < w) return src[this.thread.z][qr][qs]
    return 0
  },
}

/** `flipped` on the device: out[(grp cg + c) kg + a][i'][j'] = w[(grp kg + a) cg + c][kh-1-i'][kw-1-j'], w read as [K Cg, kh, kw]. */
const flipK: KernelSpec = {
  name: 'conv2d.flip',
  args: { w: 'Input', cg: 'Integer', kg: 'Integer', kh: 'Integer', kw: 'Integer' },
  fn: function (this: KernelThis, w: number[][][], cg: number, kg: number, kh: number, kw: number): number {
    const rest = Math.floor((this.thread.z + 0.5) / kg)
    const a = this.thread.z - rest * kg
    const grp = Math.floor((rest + 0.5) / cg)
    const c = rest - grp * cg
    return w[(grp * kg + a) * cg + c][kh - 1 - this.thread.y][kw - 1 - this.thread.x]
  },
}

/** `unpackWindow` on the device: out [N k, ho, wo] from `window`'s blocks read as [N grps kb, ho, 4 ceil(wo/2)]. */
const unblockWindow: KernelSpec = {
  name: 'conv2d.unblockWindow',
  args: { blk: 'Input', k: 'Integer', kg: 'Integer', kb: 'Integer', grps: 'Integer' },
  fn: function (this: KernelThis, blk: number[][][], k: number, kg: number, kb: number, grps: number): number {
    const n = Math.floor((this.thread.z + 0.5) / k)
    const ko = this.thread.z - n * k
    const grp = Math.floor((ko + 0.5) / kg)
    const a = ko - grp * kg
    const q = Math.floor((a + 0.5) / 2)
    const xb = Math.floor((this.thread.x + 0.5) / 2)
    return blk[(n * grps + grp) * kb + q][this.thread.y][xb * 4 + (a - 2 * q) * 2 + (this.thread.x - 2 * xb)]
  },
}

/** `unpackFilter` on the device: dW [K, Cg, kh kw] from `filter`'s blocks read as [grps kb, ceil(cg/2), 4 kh kw]. */
const unblockFilter: KernelSpec = {
  name: 'conv2d.unblockFilter',
  args: { blk: 'Input', kg: 'Integer', kb: 'Integer' },
  fn: function (this: KernelThis, blk: number[][][], kg: number, kb: number): number {
    const grp = Math.floor((this.thread.z + 0.5) / kg)
    const a = this.thread.z - grp * kg
    const q = Math.floor((a + 0.5) / 2)
    const yb = Math.floor((this.thread.y + 0.5) / 2)
    return blk[grp * kb + q][yb][this.thread.x * 4 + (a - 2 * q) * 2 + (this.thread.y - 2 * yb)]
  },
}

const OP = 'conv2d'

/** r rounded down to the 4-step unrolled loops of `window` and `filter` */
const red4 = (r: number): number => r - (r % 4)

/** a placeholder bias (the kernels read it only when hasBias = 1) */
const ZERO = f32([0], [1])

/** wT [C Kg, kh, kw]: wT[(grp cg + c') kg + a][i'][j'] = w[(grp kg + a) cg + c'][kh-1-i'][kw-1-j'], the weight of (3) as a correlation. */
const flipped = (w: Float32Array, grps: number, kg: number, cg: number, kh: number, kw: number): F32 => {
  const out = new Float32Array(w.length)
  for (let grp = 0; grp < grps; grp++) {
    for (let a = 0; a < kg; a++) {
      for (let c = 0; c < cg; c++) {
        const src = ((grp * kg + a) * cg + c) * kh * kw, dst = ((grp * cg + c) * kg + a) * kh * kw
        for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) out[dst + i * kw + j] = w[src + (kh - 1 - i) * kw + (kw - 1 - j)]
      }
    }
  }
  return f32(out, [grps * cg, kg * kh * kw])
}

/** src's validation (Conv2d.geometry, the same function and messages), then the float32 kernel's own index limit. */
const geometry = (a: Conv2d.Attrs, xs: Shape, ws: Shape, bs: Shape | undefined): E.Either<OpError, Geometry> => {
  const g = Conv2d.geometry(a, xs, ws, bs)
  if (E.isLeft(g)) return g
  const { batch: n, groups, image: [c, h, w], map: [k, ho, wo], kernel: [kh, kw], stride, dilation, offset } = g.right
  const cg = c / groups
  for (const [what, count] of [['N C', n * c], ['N K', n * k], ['K C/groups', k * cg]] as const) {
    if (count >= INDEX_MAX) return E.left(unsupported(OP, 'inputs.x', `${what} below 2^24 (the float32 kernel's exact index range)`, String(count)))
  }
  for (const [what, count] of [['C/groups kh kw', cg * kh * kw], ['K/groups kh kw', (k / groups) * kh * kw]] as const) {
    if (count > REDUCTION_MAX) return E.left(unsupported(OP, 'inputs.weight', `${what} at most 2^19 (the float32 kernel splits its reduction index by division)`, String(count)))
  }
  return E.right({ n, c, h, w, k, groups, kh, kw, ho, wo, stride, dilation, offset })
}

/** Resident cache: x, weight and bias are the caller's; xp (the padded input) is the cache's own, freed by dispose. */
export interface ResidentCache { readonly xp: DeviceTensor; readonly weight: DeviceTensor; readonly geo: Geometry; readonly hasBias: boolean }

/** The same kernels on device tensors (../device-tensor.ts), the host-side steps as kernels: the same float32 numbers as `op`. */
const resident: ResidentOp<Conv2d.Attrs, ResidentCache> = {
  forward: async (dev, attrs, { x, weight, bias }) => {
    if (x === undefined || weight === undefined) return E.left(unsupported(OP, x === undefined ? 'inputs.x' : 'inputs.weight', 'a tensor', 'nothing'))
    const geo = geometry(attrs, x.shape, weight.shape, bias?.shape)
    if (E.isLeft(geo)) return geo
    const { n, c, h, w, k, groups, kh, kw, ho, wo, stride: [sh, sw], dilation: [dh, dw], offset: [pt, pl] } = geo.right
    const cg = c / groups, kg = k / groups, kb = Math.ceil(kg / 2)
    const hp = Math.max(pt + h, (ho - 1) * sh + (kh - 1) * dh + 1), wp = Math.max(pl + w, (wo - 1) * sw + (kw - 1) * dw + 1)
    const xp = await runResident(dev, spreadK, [n * c, hp, wp], [bind(x, [n * c, h, w]), h, w, pt, pl, 1, 1])
    if (E.isLeft(xp)) return xp
    const y = await scoped(async (s) => {
      const blk = s.temp(s.ok(await runResident(dev, window, [n * groups * kb, ho, Math.ceil(wo / 2)],
        [xp.right, bind(weight, [k, cg * kh * kw]), bias ?? ZERO, c, cg, kg, kb, groups, kw, kh * kw, cg * kh * kw, red4(cg * kh * kw), sh, sw, dh, dw, wo, bias === undefined ? 0 : 1]))) // (1)
      const flat = s.temp(s.ok(await runResident(dev, unblockWindow, [n * k, ho, wo], [bind(blk, [n * groups * kb, ho, 4 * Math.ceil(wo / 2)]), k, kg, kb, groups])))
      return s.ok(reshape(flat, [n, k, ho, wo]))
    })
    if (E.isLeft(y)) { release(xp.right); return y }
    return E.right({ outputs: { y: y.right }, cache: { xp: xp.right, weight, geo: geo.right, hasBias: bias !== undefined } })
  },
  backward: async (dev, _attrs, { xp, weight, geo, hasBias }, { y: g }) => {
    const { n, c, h, w, k, groups, kh, kw, ho, wo, stride: [sh, sw], dilation: [dh, dw], offset: [pt, pl] } = geo
    if (g === undefined || g.size !== n * k * ho * wo) return E.left(unsupported(OP, 'cotangents.y', `${n * k * ho * wo} values`, g === undefined ? 'nothing' : String(g.size)))
    const cg = c / groups, kg = k / groups, kb = Math.ceil(kg / 2), cb = Math.ceil(cg / 2)
    const gb = bind(g, [n * k, ho, wo])
    const dx = await scoped(async (s) => { // (3), as in `op`
      const gz = s.temp(s.ok(await runResident(dev, spreadK, [n * k, h + (kh - 1) * dh, w + (kw - 1) * dw], [gb, ho, wo, (kh - 1) * dh - pt, (kw - 1) * dw - pl, sh, sw])))
      const wT = s.temp(s.ok(await runResident(dev, flipK, [c * kg, kh, kw], [bind(weight, [k * cg, kh, kw]), cg, kg, kh, kw])))
      const blk = s.temp(s.ok(await runResident(dev, window, [n * groups * cb, h, Math.ceil(w / 2)],
        [gz, bind(wT, [c, kg * kh * kw]), ZERO, k, kg, cg, cb, groups, kw, kh * kw, kg * kh * kw, red4(kg * kh * kw), 1, 1, dh, dw, w, 0]))) // (3)
      const flat = s.temp(s.ok(await runResident(dev, unblockWindow, [n * c, h, w], [bind(blk, [n * groups * cb, h, 4 * Math.ceil(w / 2)]), c, cg, cb, groups])))
      return s.ok(reshape(flat, [n, c, h, w]))
    })
    if (E.isLeft(dx)) return dx
    const dW = await scoped(async (s) => {
      const blk = s.temp(s.ok(await runResident(dev, filter, [groups * kb, cb, kh * kw], [xp, gb, n, c, k, cg, kg, kb, kw, ho, wo, red4(wo), sh, sw, dh, dw]))) // (4)
      const flat = s.temp(s.ok(await runResident(dev, unblockFilter, [k, cg, kh * kw], [bind(blk, [groups * kb, cb, 4 * kh * kw]), kg, kb])))
      return s.ok(reshape(flat, [k, cg, kh, kw]))
    })
    if (E.isLeft(dW)) { release(dx.right); return dW }
    if (!hasBias) return E.right({ x: dx.right, weight: dW.right })
    const db = await runResident(dev, gradB, [k], [gb, n, k, ho, wo]) // (5)
    if (E.isLeft(db)) { release(dx.right, dW.right); return db }
    return E.right({ x: dx.right, weight: dW.right, bias: db.right })
  },
  dispose: (cache) => release(cache.xp),
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
    const cg = c / groups, kg = k / groups, kb = Math.ceil(kg / 2)
    const hp = Math.max(pt + h, (ho - 1) * sh + (kh - 1) * dh + 1), wp = Math.max(pl + w, (wo - 1) * sw + (kw - 1) * dw + 1)
    const xp = spread(xt.data, n * c, h, w, hp, wp, pt, pl, 1, 1)
    const weight = upload(wt, [k, cg * kh * kw])
    const b = bt === undefined ? ZERO : upload(bt)
    const y = await run(dev, window, [n * groups * kb, ho, Math.ceil(wo / 2)], [xp, weight, b, c, cg, kg, kb, groups, kw, kh * kw, cg * kh * kw, red4(cg * kh * kw), sh, sw, dh, dw, wo, bt === undefined ? 0 : 1]) // (1)
    if (E.isLeft(y)) return y
    const out = make([n, k, ho, wo], unpackWindow(y.right, n, groups, kg, ho, wo), 'float32')
    return E.right(ran(dev, { outputs: { y: out }, cache: { xp, weight, geo: geo.right, hasBias: bt !== undefined } }))
  },
  backward: async (dev, _attrs, { xp, weight, geo, hasBias }, { y: gt }) => {
    const { n, c, h, w, k, groups, kh, kw, ho, wo, stride: [sh, sw], dilation: [dh, dw], offset: [pt, pl] } = geo
    const cg = c / groups, kg = k / groups
    // (3) as a stride-1 correlation of gz with the flipped weight (header)
    const gz = spread(gt.data, n * k, ho, wo, h + (kh - 1) * dh, w + (kw - 1) * dw, (kh - 1) * dh - pt, (kw - 1) * dw - pl, sh, sw)
    const wT = flipped(weight.data, groups, kg, cg, kh, kw)
    const cb = Math.ceil(cg / 2)
    const dx = await run(dev, window, [n * groups * cb, h, Math.ceil(w / 2)], [gz, wT, ZERO, k, kg, cg, cb, groups, kw, kh * kw, kg * kh * kw, red4(kg * kh * kw), 1, 1, dh, dw, w, 0]) // (3)
    if (E.isLeft(dx)) return dx
    const g = upload(gt, [n * k, ho, wo])
    const kb = Math.ceil(kg / 2)
    const dW = await run(dev, filter, [groups * kb, cb, kh * kw], [xp, g, n, c, k, cg, kg, kb, kw, ho, wo, red4(wo), sh, sw, dh, dw]) // (4)
    if (E.isLeft(dW)) return dW
    const grads = {
      x: make([n, c, h, w], unpackWindow(dx.right, n, groups, cg, h, w), 'float32'),
      weight: make([k, cg, kh, kw], unpackFilter(dW.right, groups, kg, cg, kh * kw), 'float32'),
    }
    if (!hasBias) return E.right(ran(dev, grads))
    const db = await run(dev, gradB, [k], [g, n, k, ho, wo]) // (5)
    if (E.isLeft(db)) return db
    return E.right(ran(dev, { ...grads, bias: download([k], db.right) }))
  },
  resident,
}
