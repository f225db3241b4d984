/**
 * Fast cross entropy with class targets: the equations of
 * src/losses/cross-entropy.ts with no closure per element. Per position i
 * the forward keeps m_i = max_c x_ic, l_i = log s_i, s_i = sum_c q_ic, and
 * the terms themselves:
 *   (1) logp_ic = (x_ic - m_i) - l_i        (the target's, and every class's under label smoothing)
 *   (8) q_ic = exp(x_ic - m_i),  r_i = 1 / s_i,  p_ic = q_ic r_i   for the backward's (7)
 * so the backward costs one multiplication per element where the reference
 * takes exp(logp): away from the target, (7)'s K p_ic is formed as
 * (K r_i) q_ic, one product per row and one per element (q costs one array
 * of the input's size, as the reference's cached logp does; the first
 * backward writes dx over it, `handOnce` below). A contiguous row goes
 * through WebAssembly SIMD (./softmax-rows.ts); the rest through the scalar
 * loop below. Every other expression is the reference's, and every sum's
 * order but s's (two lanes in the SIMD rows); exp is the table-driven one of
 * ./exp.ts (within 4.1 u of the exact value, against Math.exp's 1 ulp), in
 * both loops to the bit. So loss and gradient are no longer the reference's
 * to the bit; the bound, derived from ./exp.ts (4) through the sum (any
 * order), the log, the reduction and (7), is written beside its check
 * (spec/fast/pointwise.spec.ts, `ceWithin`). Infinite and NaN logits meet
 * Math.exp itself (outside its domain fexp is Math.exp, and such a row
 * leaves the SIMD kernel for the scalar loop), so the reference's zeros and
 * NaNs stay. Probability targets take the reference.
 *
 * (9) When the cotangent comes with the call (`vjp`, `apply` with
 * cotangents), [n, c] logits without label smoothing take one pass: each
 * row's q is scaled to dx while it is still in the SIMD kernel's memory, and
 * q is never written out and read back (`ceFused`, `fused`). The values are
 * the two passes' to the bit; the property beside `ceWithin` checks that.
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type { OpError } from '../core/errors.ts'
import { type Inputs, type Tensors, type Vjp, defineOp, soleCotangent } from '../core/op.ts'
import { type Shape, type Tensor, make, sameShape } from '../core/tensor.ts'
import { type Layout, checkBatched, checkWeight, classesOf, positionWeights } from '../losses/class-target.ts'
import * as CrossEntropy from '../losses/cross-entropy.ts'
import { reduce, spread } from '../losses/reduction.ts'
import { fexp } from './exp.ts'
import { keptTerm, rowOut, softmaxRow } from './softmax-rows.ts'
import { allocate, asShared } from './shared-array.ts'
import { parallelFor, rangeKernel } from './threads.ts'

interface ClassCache {
  readonly lay: Layout
  readonly inputShape: Shape
  readonly x: Float64Array
  /** (8)'s q_ic, handed over once (`handOnce`) */
  readonly takeTerms: () => Float64Array | undefined
  /** (8)'s r_i = 1 / s_i per position (a recomputed q comes with the same bits) */
  readonly inv: Float64Array
  readonly cls: Int32Array
  readonly w: Float64Array
  readonly divisor: number
}

type Cache = { readonly ref: true; readonly cache: CrossEntropy.Cache } | { readonly ref: false; readonly cache: ClassCache }

interface ForwardArgs {
  readonly x: Float64Array; readonly cls: Int32Array; readonly w: Float64Array
  /** out: q_ic and r_i of (8), the per-position losses of (2) and the smoothing sums */
  readonly terms: Float64Array; readonly inv: Float64Array; readonly nll: Float64Array; readonly s: Float64Array
  readonly c: number; readonly k: number; readonly smoothing: number
}

/**
 * Over batch rows a in [lo, hi), every position i = a K + j: m_i, l_i of (1)
 * and q_ic, r_i of (8), then the position's loss (2) and, under label
 * smoothing, its sum over classes. A contiguous row (K = 1) goes through
 * ./softmax-rows.ts (WebAssembly SIMD: the same terms to the bit, s summed in
 * two lanes); a strided one (K > 1), or a row outside exp's domain, through
 * the scalar loop in the reference's order of summation (each term through fexp).
 */
export const ceForward = rangeKernel('cross_entropy.forward', (a: ForwardArgs, lo: number, hi: number) => {
  const { x, cls, w, terms, inv, nll, s, c, k, smoothing: e } = a
  const max = new Float64Array(1)
  for (let b = lo; b < hi; b++) {
    for (let j = 0; j < k; j++) {
      const i = b * k + j, o = b * c * k + j, end = o + c * k
      let sum = k === 1 ? softmaxRow(x, o, c, max) : -1
      if (sum >= 0) rowOut(c, terms, o) // (8)'s q, from the kept row
      else sum = scalarRow(x, o, end, k, terms, max)
      const m = max[0]
      inv[i] = 1 / sum // (8)
      const l = Math.log(sum)
      const y = cls[i]
      if (y < 0) continue
      nll[i] = -w[y] * ((x[o + y * k] - m) - l) // (2)
      if (e > 0) {
        let t = 0
        for (let cc = 0, f = o; cc < c; cc++, f += k) t -= w[cc] * ((x[f] - m) - l) // (2)
        s[i] = t
      }
    }
  }
})

/**
 * The scalar loop for one position, classes o, o + k, ... below end: m (to
 * max[0]) by Math.max in the reference's order (NaN for a NaN row, as the
 * reference), each q = fexp(x - m) of (8) written to out at its class, and
 * their sum in the reference's order, returned.
 */
const scalarRow = (x: Float64Array, o: number, end: number, k: number, out: Float64Array, max: Float64Array): number => {
  let m = -Infinity
  for (let f = o; f < end; f += k) m = Math.max(m, x[f])
  let sum = 0
  for (let f = o; f < end; f += k) { const q = fexp(x[f] - m, 0); out[f] = q; sum += q } // (8)
  max[0] = m
  return sum
}

/** sw, the sum of the class weights in class order, (7)'s second term. */
const weightSum = (w: Float64Array, c: number): number => {
  let sw = 0
  for (let cc = 0; cc < c; cc++) sw += w[cc]
  return sw
}

interface BackwardArgs {
  /** in: q_ic of (8); out: dx of (7), each element written over its own q */
  readonly terms: Float64Array
  /** r_i of (8) */
  readonly inv: Float64Array
  readonly cls: Int32Array; readonly w: Float64Array; readonly d: Float64Array
  readonly c: number; readonly k: number; readonly smoothing: number; readonly sw: number
}

/**
 * (7) over batch rows [lo, hi), in place: every element's dx over its own q
 * (an ignored position's zeros too). Without label smoothing, a
 * finite d_i and finite weights, (7)'s second term (e/c) d_i (sw p - w_c) is
 * a zero, and the first alone, K p (K (p - 1) at the target), is the sum up
 * to the sign of a zero result: one multiplication an element, K p = (K r) q
 * (the same three roundings as K (q r), 1 / s and two products, in another
 * order: the bound beside the check counts them alike). At the target p
 * itself is formed, q r, as in every other path, for p - 1.
 */
export const ceBackward = rangeKernel('cross_entropy.backward', (a: BackwardArgs, lo: number, hi: number) => {
  // r_i is read through a, not taken out with the rest: one more typed array held
  // across the row loop made V8's code for the inner loop slower (measured: this
  // kernel 1.4 to 2.0 ms on two threads at [4096, 1000]; cause not pinned down)
  const { terms: g, cls, w, d, c, k, smoothing: e, sw } = a
  for (let b = lo; b < hi; b++) {
    for (let j = 0; j < k; j++) {
      const i = b * k + j, y = cls[i], base = b * c * k + j, end = base + c * k
      if (y < 0) { for (let f = base; f < end; f += k) g[f] = 0; continue } // ignored: zero gradient
      const di = d[i], wy = w[y], K = (1 - e) * di * wy
      if (e === 0 && Number.isFinite(di) && Number.isFinite(sw)) {
        const r = a.inv[i], py = g[base + y * k] * r // (8), read before the loop overwrites it
        const Kr = K * r
        for (let f = base; f < end; f += k) g[f] = Kr * g[f] // (7), c != y
        g[base + y * k] = K * (py - 1) // (7), c = y
        continue
      }
      const r = a.inv[i]
      for (let cc = 0, f = base; cc < c; cc++, f += k) {
        const p = g[f] * r // (8)
        g[f] = (1 - e) * di * wy * (p - (cc === y ? 1 : 0)) + (e / c) * di * (sw * p - w[cc]) // (7)
      }
    }
  }
})

/** The forward's per-row work over every row: q and r of (8), and each position's loss terms of (2). */
const softmaxTerms = (x: Float64Array, cls: Int32Array, w: Float64Array, lay: Layout, e: number) => {
  const work = x.length, { c, k } = lay
  const terms = allocate(work, { whole: true })
  const inv = allocate(lay.positions, { work, whole: true }), nll = allocate(lay.positions, { work }), s = allocate(lay.positions, { work })
  parallelFor(ceForward, { x, cls, w, terms, inv, nll, s, c, k, smoothing: e }, lay.n, work)
  return { terms, inv, nll, s }
}

/**
 * The forward's q for the backward, once: the first backward takes the
 * array itself and writes dx over it (no second array of the input's size
 * to allocate, and, when the recycler has none, to fault in: measured
 * 10.4 to 7.9-8.6 ms fwd+bwd at [4096, 1000]); the cache lets go of it, so
 * nothing else can see the overwrite, and a later backward on the same
 * forward gets undefined and recomputes q from x (the same kernel on the
 * same rows: the same bits).
 */
const handOnce = (a: Float64Array): (() => Float64Array | undefined) => {
  let held: Float64Array | undefined = a
  return () => {
    const t = held
    held = undefined
    return t
  }
}

/** What every path takes from validated inputs: the layout, x, class indices and weights (shared for the threads), (3)'s divisor. */
interface Prepared {
  readonly lay: Layout
  readonly x: Float64Array
  readonly cls: Int32Array
  readonly w: Float64Array
  readonly divisor: number
}

/** The reference's validation of class-target inputs (its own functions, in its order), then the arrays the kernels read. */
const prepare = (attrs: CrossEntropy.Attrs, inputs: Inputs): E.Either<OpError, Prepared> => {
  const { input, target, weight } = inputs
  return pipe(
    checkBatched('cross_entropy', input!),
    E.chain((lay) => pipe(checkWeight('cross_entropy', weight, lay.c), E.map(() => lay))),
    E.chain((lay) => pipe(classesOf('cross_entropy', lay, target!, attrs.ignore_index), E.map((cls) => ({ lay, cls })))),
    E.map(({ lay, cls }) => {
      const x = input!.data, work = x.length
      const w = asShared(weight === undefined ? new Float64Array(lay.c).fill(1) : weight.data, work)
      const { divisor } = positionWeights(cls, weight) // (3)
      return { lay, x, cls: asShared(cls, work), w, divisor }
    }),
  )
}

interface FusedArgs {
  readonly x: Float64Array; readonly cls: Int32Array; readonly w: Float64Array; readonly d: Float64Array
  /** out: dx of (7), every element, and the per-position losses of (2) */
  readonly dx: Float64Array; readonly nll: Float64Array
  readonly c: number
}

/**
 * (9) The forward and the backward of rows [lo, hi) of [n, c] logits in one
 * pass, when the cotangent is known before the forward (`fused` below): no
 * label smoothing, every d_i finite, a finite sum of weights, so that every
 * position the two-pass path computes takes ceBackward's one-product branch.
 * Per row the same operations on the same values as ceForward then
 * ceBackward: m, q and s from the same kernel (the SIMD row or the scalar
 * loop), l = log s, the loss (2), r = 1 / s, K = d_i w_y ((7)'s (1 - e) d_i w_y
 * at e = 0: 1 d_i is d_i exactly), p_y = q_y r, Kr = K r, dx = Kr q off the
 * target and K (p_y - 1) on it; an ignored position's loss stays 0 and its dx
 * row is zeros. So loss and dx are the two-pass path's to the bit (the
 * property in spec/fast/pointwise.spec.ts), and with them its bound.
 * What it saves is memory traffic: q is scaled to dx while the row is still
 * in the kernel's memory (./softmax-rows.ts `rowOut`), where the two-pass path
 * writes q out of the forward and reads it back in the backward.
 */
export const ceFused = rangeKernel('cross_entropy.fused', (a: FusedArgs, lo: number, hi: number) => {
  const { x, cls, w, d, dx: g, nll, c } = a
  const max = new Float64Array(1)
  for (let i = lo; i < hi; i++) {
    const o = i * c, end = o + c, y = cls[i]
    if (y < 0) { for (let f = o; f < end; f++) g[f] = 0; continue } // ignored: zero loss, zero gradient
    let sum = softmaxRow(x, o, c, max)
    const kept = sum >= 0
    if (!kept) sum = scalarRow(x, o, end, 1, g, max) // its q in dx's row until scaled
    const m = max[0]
    const r = 1 / sum, l = Math.log(sum) // (8), (1)
    nll[i] = -w[y] * ((x[o + y] - m) - l) // (2)
    const K = d[i] * w[y] // (7)
    const py = (kept ? keptTerm(y) : g[o + y]) * r // (8), before the row is scaled
    const Kr = K * r
    if (kept) rowOut(c, g, o, Kr) // (7), c != y
    else for (let f = o; f < end; f++) g[f] = Kr * g[f] // (7), c != y
    g[o + y] = K * (py - 1) // (7), c = y
  }
})

/**
 * The vector-Jacobian product in one pass ((9)) where it applies: class
 * targets, contiguous rows ([n, c]: one position a row), no label smoothing,
 * a well-formed cotangent for the loss whose spread d_i is finite, and
 * weights with a finite sum. Anywhere else undefined, and `vjp` runs forward
 * and backward, which also report every error (nothing is reported here).
 */
const fused = (attrs: CrossEntropy.Attrs, inputs: Inputs, cot: Tensors): Vjp | undefined => {
  if (inputs.target?.dtype !== 'int64' || attrs.label_smoothing !== 0) return undefined
  const g = soleCotangent(cot, 'loss')
  if (g === undefined) return undefined
  const p = prepare(attrs, inputs)
  if (E.isLeft(p)) return undefined
  const { lay, x, cls, w, divisor } = p.right, work = x.length
  if (lay.k !== 1 || !sameShape(g.shape, attrs.reduction === 'none' ? lay.positionShape : [])) return undefined
  const d = spread(g, lay.positions, attrs.reduction, divisor) // (4)
  if (!Number.isFinite(weightSum(w, lay.c)) || !d.every(Number.isFinite)) return undefined
  const dx = allocate(work, { whole: true }), nll = allocate(lay.positions, { work })
  parallelFor(ceFused, { x, cls, w, d: asShared(d, work), dx, nll, c: lay.c }, lay.n, work)
  return { outputs: { loss: reduce(nll, lay.positionShape, attrs.reduction, divisor) }, gradients: { input: make(inputs.input!.shape, dx) } }
}

export const crossEntropy = defineOp<CrossEntropy.Attrs, Cache>({
  name: 'cross_entropy',
  inputs: CrossEntropy.op.inputs,
  outputs: ['loss'],
  attrs: (_op, raw) => CrossEntropy.op.parseAttrs(raw),
  forward: (attrs, inputs) => {
    if (inputs.target?.dtype !== 'int64') {
      return pipe(CrossEntropy.op.forward(attrs, inputs), E.map((f) => ({ outputs: f.outputs, cache: { ref: true as const, cache: f.cache } })))
    }
    return pipe(
      prepare(attrs, inputs),
      E.map(({ lay, x, cls, w, divisor }) => {
        const e = attrs.label_smoothing, { c } = lay
        const { terms, inv, nll, s } = softmaxTerms(x, cls, w, lay, e)
        const rn = reduce(nll, lay.positionShape, attrs.reduction, divisor)
        let loss: Tensor = rn
        if (e > 0) {
          const rs = reduce(s, lay.positionShape, attrs.reduction, divisor)
          const out = new Float64Array(rn.data.length)
          for (let i = 0; i < out.length; i++) out[i] = (1 - e) * rn.data[i] + (e / c) * rs.data[i] // (4)
          loss = make(rn.shape, out)
        }
        return { outputs: { loss }, cache: { ref: false as const, cache: { lay, inputShape: inputs.input!.shape, x, takeTerms: handOnce(terms), inv, cls, w, divisor } } }
      }),
    )
  },
  backward: (attrs, tagged, cot): Tensors => {
    if (tagged.ref) return CrossEntropy.op.backward(attrs, tagged.cache, cot)
    const { lay, inputShape, x, takeTerms, inv, cls, w, divisor } = tagged.cache
    const { c, k } = lay, e = attrs.label_smoothing
    const terms = takeTerms() ?? softmaxTerms(x, cls, w, lay, e).terms
    const d = asShared(spread(cot.loss, lay.positions, attrs.reduction, divisor), terms.length)
    parallelFor(ceBackward, { terms, inv, cls, w, d, c, k, smoothing: e, sw: weightSum(w, c) }, lay.n, terms.length)
    return { input: make(inputShape, terms) } // dx, written over q
  },
  fused,
})
