/**
 * Fast max pooling: the equations of src/pooling/max-pool2d.ts with each
 * window's taps inside the image computed once per output row and column
 * (no bounds test per tap) and the winners kept as Int32 plane offsets (a
 * copy of their own: the indices output is the caller's to keep or change,
 * the cache is not). The common 2 x 2, stride 2 window with every window
 * inside the image has a loop of its own (`pool2x2`), without a branch on
 * the data. Visiting order, the strict comparison (first maximum wins) and
 * NaN's precedence (`v > best || v !== v`: the last NaN wins) are the
 * reference's, so y and the indices are bit-identical to it, and dx too (the
 * same sums in the same order).
 */
import * as E from 'fp-ts/lib/Either.js'
import { type Inputs, type Tensors, type Vjp, defineOp, soleCotangent } from '../core/op.ts'
import { type Shape, make, sameShape } from '../core/tensor.ts'
import * as MaxPool2d from '../pooling/max-pool2d.ts'
import { type Windows, windows } from '../pooling/windows.ts'
import { allocate, allocateInt32, asShared } from './shared-array.ts'
import { parallelFor, rangeKernel } from './threads.ts'

interface Cache { readonly argmax: Int32Array; readonly xShape: Shape; readonly plane: number }

/** First and one-past-last tap index t < k with o s - p + t d in [0, len). */
const taps = (o: number, s: number, p: number, d: number, k: number, len: number): readonly [number, number] => {
  const start = o * s - p
  const lo = start >= 0 ? 0 : Math.ceil(-start / d)
  const hi = Math.min(k, Math.floor((len - 1 - start) / d) + 1)
  return [Math.min(lo, k), Math.max(Math.min(lo, k), hi)]
}

/**
 * The common 2 x 2, stride 2, unpadded, undilated window, every window inside
 * the image, as a tournament: taps (0, 1) and (2, 3) in pairs, then the two
 * winners. Each match is (2) itself, `later > earlier || later !== later`,
 * so the tournament picks what the reference's scan in visiting order picks:
 * with no NaN the first maximum (a tie keeps the earlier tap, in each pair
 * and in the final); with NaNs the last NaN (a NaN beats anything before
 * it and nothing beats a NaN but a later one). The matches are 0/1 integers
 * (`|`, not `||`) that move an offset, so the loop has no branch on the data:
 * with random inputs the winner is unpredictable, and the branchy form spent
 * most of its time on mispredictions (serial, the benchmark's 512 planes of
 * normal draws: 7.2 ms against 2.0 on a smooth pattern; this loop 2.5).
 */
const pool2x2 = (xd: Float64Array, lo: number, hi: number, h: number, w: number, ho: number, wo: number, y: Float64Array, idx: Float64Array, arg: Int32Array): void => {
  let o = lo * ho * wo
  for (let nc = lo; nc < hi; nc++) {
    const base = nc * h * w
    for (let oh = 0; oh < ho; oh++) {
      const r0 = base + 2 * oh * w, r1 = r0 + w
      for (let ow = 0; ow < wo; ow++, o++) {
        const at = winner2x2(xd, r0 + 2 * ow, r1 + 2 * ow)
        y[o] = xd[at] // (1)
        const p = at - base
        idx[o] = p // (2)
        arg[o] = p
      }
    }
  }
}

/** The tournament's winner (`pool2x2`) of the window whose top taps are a, a + 1 and bottom taps b, b + 1: an index into x. */
const winner2x2 = (xd: Float64Array, a: number, b: number): number => {
  const t0 = xd[a], t1 = xd[a + 1], t2 = xd[b], t3 = xd[b + 1]
  const i01 = a + (Number(t1 > t0) | Number(t1 !== t1)), i23 = b + (Number(t3 > t2) | Number(t3 !== t3)) // (2), in pairs
  const m01 = xd[i01], m23 = xd[i23]
  return i01 + (Number(m23 > m01) | Number(m23 !== m23)) * (i23 - i01) // (2), the final
}

/** Whether a call's windows are `pool2x2`'s: 2 x 2, stride 2, unpadded, undilated, every window inside the image. */
const isTwo = ({ h, w, ho, wo, kernel: [kh, kw], stride: [sh, sw], dilation: [dh, dw], pad }: Windows): boolean =>
  kh === 2 && kw === 2 && sh === 2 && sw === 2 && dh === 1 && dw === 1 && pad[0] === 0 && pad[1] === 0 && 2 * ho <= h && 2 * wo <= w

interface ForwardArgs {
  readonly x: Float64Array; readonly y: Float64Array; readonly idx: Float64Array; readonly arg: Int32Array
  readonly rowLo: Int32Array; readonly rowHi: Int32Array; readonly colLo: Int32Array; readonly colHi: Int32Array
  readonly h: number; readonly w: number; readonly ho: number; readonly wo: number
  readonly sh: number; readonly sw: number; readonly dh: number; readonly dw: number; readonly ph: number; readonly pw: number
  /** 1: the 2 x 2, stride 2 window inside the image (pool2x2) */
  readonly two: number
}

/** (1)-(3) over (n, c) planes [lo, hi). */
export const maxPoolForward = rangeKernel('max_pool2d.forward', (a: ForwardArgs, lo: number, hi: number) => {
  const { x: xd, y, idx, arg, rowLo, rowHi, colLo, colHi, h, w, ho, wo, sh, sw, dh, dw, ph, pw } = a
  if (a.two === 1) { pool2x2(xd, lo, hi, h, w, ho, wo, y, idx, arg); return }
  let o = lo * ho * wo
  for (let nc = lo; nc < hi; nc++) {
    const base = nc * h * w
    for (let oh = 0; oh < ho; oh++) {
      const i0 = rowLo[oh], i1 = rowHi[oh], ih0 = oh * sh - ph
      for (let ow = 0; ow < wo; ow++, o++) {
        const j0 = colLo[ow], j1 = colHi[ow], iw0 = ow * sw - pw
        let best = -Infinity, at = -1 // (3)
        for (let i = i0; i < i1; i++) {
          const row = (ih0 + i * dh) * w + iw0
          for (let j = j0; j < j1; j++) {
            const p = row + j * dw
            const v = xd[base + p]
            if (at < 0 || v > best || v !== v) { best = v; at = p } // (2)
          }
        }
        y[o] = best // (1)
        idx[o] = at // (2)
        arg[o] = at
      }
    }
  }
})

/** (4) over (n, c) planes [lo, hi): each plane of dx set to zero, then the winners' gradients added in order. */
export const maxPoolBackward = rangeKernel('max_pool2d.backward', ({ argmax, g, dx, hw, plane }: { argmax: Int32Array; g: Float64Array; dx: Float64Array; hw: number; plane: number }, lo: number, hi: number) => {
  dx.fill(0, lo * hw, hi * hw) // the range is written whole (./threads.ts): a rerun gives the same dx
  for (let nc = lo, o = lo * plane; nc < hi; nc++) {
    const base = nc * hw
    for (const e = o + plane; o < e; o++) if (argmax[o] >= 0) dx[base + argmax[o]] += g[o] // (4)
  }
})

interface FusedArgs {
  readonly x: Float64Array; readonly g: Float64Array
  /** out: y and the indices of (1)-(2), dx of (4), every element */
  readonly y: Float64Array; readonly idx: Float64Array; readonly dx: Float64Array
  readonly h: number; readonly w: number; readonly ho: number; readonly wo: number
}

/**
 * (5) The forward and the backward of planes [lo, hi) in one pass, for
 * `pool2x2`'s windows when the cotangent comes with the call (`fused`
 * below). The windows are disjoint and each has one winner, so (4)'s sum at
 * a tap is 0 (the zeroed plane) plus the gradient of the one window that
 * tap won, or 0: dx is written window by window, zeros for the three others
 * and 0 + g at the winner (the same addition as the two passes, so -0 comes
 * out +0 there too), then zeros for a last odd row or column no window
 * covers. y and the indices are `pool2x2`'s (the same tournament). No argmax
 * is stored, and x's plane is read once: the two passes' values to the bit
 * (the property in spec/fast/pointwise.spec.ts) with one range kernel and
 * one array fewer. Its loop repeats `pool2x2`'s rather than sharing one with
 * a test per window: merged, both got slower (this one 1.99 to 2.05-2.09 ms,
 * the two passes 3.35 to 3.56-3.74, fwd+bwd at the benchmark's size).
 */
export const maxPoolFused = rangeKernel('max_pool2d.fused', (a: FusedArgs, lo: number, hi: number) => {
  const { x: xd, g, y, idx, dx, h, w, ho, wo } = a
  let o = lo * ho * wo
  for (let nc = lo; nc < hi; nc++) {
    const base = nc * h * w
    for (let oh = 0; oh < ho; oh++) {
      const r0 = base + 2 * oh * w, r1 = r0 + w
      for (let ow = 0; ow < wo; ow++, o++) {
        const ta = r0 + 2 * ow, tb = r1 + 2 * ow
        const at = winner2x2(xd, ta, tb)
        y[o] = xd[at] // (1)
        idx[o] = at - base // (2)
        dx[ta] = 0; dx[ta + 1] = 0; dx[tb] = 0; dx[tb + 1] = 0
        dx[at] = 0 + g[o] // (4)
      }
      for (let col = 2 * wo; col < w; col++) { dx[r0 + col] = 0; dx[r1 + col] = 0 }
    }
    dx.fill(0, base + 2 * ho * w, base + h * w)
  }
})

/**
 * The vector-Jacobian product in one pass ((5)) for `pool2x2`'s windows and
 * a well-formed cotangent of y alone; undefined anywhere else, and `vjp`
 * runs forward and backward, which also report every error.
 */
const fused = (a: MaxPool2d.Attrs, inputs: Inputs, cot: Tensors): Vjp | undefined => {
  const x = inputs.x, g = soleCotangent(cot, 'y')
  if (x === undefined || g === undefined) return undefined
  const r = windows('max_pool2d', x, a.kernel_size, a.stride, a.padding, a.dilation, a.ceil_mode)
  if (E.isLeft(r) || !isTwo(r.right)) return undefined
  const { n, c, h, w, ho, wo } = r.right, shape = [n, c, ho, wo], work = x.data.length
  if (!sameShape(g.shape, shape)) return undefined
  const y = allocate(n * c * ho * wo, { work, whole: true }), idx = allocate(y.length, { work, whole: true }), dx = allocate(work, { whole: true })
  parallelFor(maxPoolFused, { x: x.data, g: g.data, y, idx, dx, h, w, ho, wo }, n * c, work)
  return { outputs: { y: make(shape, y), indices: make(shape, idx, 'int64') }, gradients: { x: make(x.shape, dx) } }
}

export const maxPool2d = defineOp<MaxPool2d.Attrs, Cache>({
  name: 'max_pool2d',
  inputs: MaxPool2d.op.inputs,
  outputs: MaxPool2d.op.outputs,
  attrs: (_op, raw) => MaxPool2d.op.parseAttrs(raw),
  forward: (a, { x }) => {
    const r = windows('max_pool2d', x!, a.kernel_size, a.stride, a.padding, a.dilation, a.ceil_mode)
    if (E.isLeft(r)) return r
    const { n, c, h, w, ho, wo, kernel: [kh, kw], stride: [sh, sw], dilation: [dh, dw], pad } = r.right
    const xd = x!.data
    const rowLo = new Int32Array(ho), rowHi = new Int32Array(ho), colLo = new Int32Array(wo), colHi = new Int32Array(wo)
    for (let oh = 0; oh < ho; oh++) [rowLo[oh], rowHi[oh]] = taps(oh, sh, pad[0], dh, kh, h)
    for (let ow = 0; ow < wo; ow++) [colLo[ow], colHi[ow]] = taps(ow, sw, pad[1], dw, kw, w)
    const work = xd.length
    const y = allocate(n * c * ho * wo, { work, whole: true }), idx = allocate(y.length, { work, whole: true }), arg = allocateInt32(y.length, { work, whole: true })
    const two = isTwo(r.right)
    parallelFor(maxPoolForward, {
      x: xd, y, idx, arg, rowLo: asShared(rowLo, work), rowHi: asShared(rowHi, work), colLo: asShared(colLo, work), colHi: asShared(colHi, work),
      h, w, ho, wo, sh, sw, dh, dw, ph: pad[0], pw: pad[1], two: two ? 1 : 0,
    }, n * c, work)
    const shape = [n, c, ho, wo]
    return E.right({ outputs: { y: make(shape, y), indices: make(shape, idx, 'int64') }, cache: { argmax: arg, xShape: x!.shape, plane: ho * wo } })
  },
  backward: (_a, { argmax, xShape, plane }, { y: g }) => {
    const hw = xShape[2] * xShape[3], planes = xShape[0] * xShape[1]
    const dx = allocate(planes * hw, { whole: true }) // the kernel zeroes each plane it adds into
    parallelFor(maxPoolBackward, { argmax, g: g.data, dx, hw, plane }, planes, dx.length)
    return { x: make(xShape, dx) }
  },
  fused,
})
