/**
 * Fast cross entropy with class targets: the equations of
 * src/losses/cross-entropy.ts with no closure per element. Per position i
 * the forward keeps m_i = max_c x_ic, l_i = log s_i, s_i = sum_c q_ic, and
 * the terms themselves:
 *   (1) logp_ic = (x_ic - m_i) - l_i        (the target's, and every class's under label smoothing)
 *   (8) q_ic = exp(x_ic - m_i),  p_ic = q_ic (1 / s_i)   for the backward's (7)
 * so the backward costs one multiplication per element where the reference
 * takes exp(logp) (the terms cost one array of the input's size, as the
 * reference's cached logp does). Every other expression and every sum's
 * order is the reference's; exp is the table-driven one of ./exp.ts (within
 * 4.1 u of the exact value, against Math.exp's 1 ulp). So loss and gradient
 * are no longer the reference's to the bit; the bound, derived from ./exp.ts
 * (4) through the sum, the log, the reduction and (7), is written beside its
 * check (spec/fast/pointwise.spec.ts, `ceWithin`). Infinite and NaN logits
 * meet Math.exp itself (outside its domain fexp is Math.exp), so the
 * reference's zeros and NaNs stay. Probability targets take the reference.
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { type Tensors, defineOp } from '../core/op.ts'
import { type Shape, type Tensor, make } from '../core/tensor.ts'
import { type Layout, checkBatched, checkWeight, classesOf, positionWeights } from '../losses/class-target.ts'
import * as CrossEntropy from '../losses/cross-entropy.ts'
import { reduce, spread } from '../losses/reduction.ts'
import { fexp } from './exp.ts'
import { allocate, asShared } from './shared-array.ts'
import { parallelFor, rangeKernel } from './threads.ts'

interface ClassCache {
  readonly lay: Layout
  readonly inputShape: Shape
  /** (8): q_ic = exp(x_ic - m_i) from the forward's sum, and 1 / s_i per position */
  readonly terms: Float64Array
  readonly invSum: Float64Array
  readonly cls: Int32Array
  readonly w: Float64Array
  readonly divisor: number
}

type Cache = { readonly ref: true; readonly cache: CrossEntropy.Cache } | { readonly ref: false; readonly cache: ClassCache }

interface ForwardArgs {
  readonly x: Float64Array; readonly cls: Int32Array; readonly w: Float64Array
  /** out: q_ic of (8), 1 / s_i, the per-position losses of (2) and the smoothing sums */
  readonly terms: Float64Array; readonly invSum: Float64Array; readonly nll: Float64Array; readonly s: Float64Array
  readonly c: number; readonly k: number; readonly smoothing: number
}

/**
 * Over batch rows a in [lo, hi), every position i = a K + j: m_i, l_i of (1)
 * and the terms and 1/s_i of (8) in the reference's order of summation (each
 * term through fexp), then the position's loss (2) and, under label
 * smoothing, its sum over classes.
 */
export const ceForward = rangeKernel('cross_entropy.forward', (a: ForwardArgs, lo: number, hi: number) => {
  const { x, cls, w, terms, invSum, nll, s, c, k, smoothing: e } = a
  for (let b = lo; b < hi; b++) {
    for (let j = 0; j < k; j++) {
      const i = b * k + j, o = b * c * k + j, end = o + c * k
      let m = -Infinity
      for (let f = o; f < end; f += k) m = Math.max(m, x[f]) // NaN for a NaN row, as the reference
      let sum = 0
      for (let f = o; f < end; f += k) { const q = fexp(x[f] - m, 0); terms[f] = q; sum += q }
      const l = Math.log(sum)
      invSum[i] = 1 / sum
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

interface BackwardArgs {
  readonly terms: Float64Array; readonly invSum: Float64Array; readonly cls: Int32Array; readonly w: Float64Array
  readonly d: Float64Array; readonly dx: Float64Array
  readonly c: number; readonly k: number; readonly smoothing: number; readonly sw: number
}

/** (7) over batch rows [lo, hi), every element written: an ignored position gets zeros (so dx need not be zeroed first). */
export const ceBackward = rangeKernel('cross_entropy.backward', (a: BackwardArgs, lo: number, hi: number) => {
  const { terms, invSum, cls, w, d, dx, c, k, smoothing: e, sw } = a
  for (let b = lo; b < hi; b++) {
    for (let j = 0; j < k; j++) {
      const i = b * k + j, y = cls[i], base = b * c * k + j
      if (y < 0) { for (let cc = 0, f = base; cc < c; cc++, f += k) dx[f] = 0; continue } // ignored: zero gradient
      const r = invSum[i], di = d[i], wy = w[y]
      for (let cc = 0, f = base; cc < c; cc++, f += k) {
        const p = terms[f] * r // (8)
        dx[f] = (1 - e) * di * wy * (p - (cc === y ? 1 : 0)) + (e / c) * di * (sw * p - w[cc]) // (7)
      }
    }
  }
})

export const crossEntropy = defineOp<CrossEntropy.Attrs, Cache>({
  name: 'cross_entropy',
  inputs: CrossEntropy.op.inputs,
  outputs: ['loss'],
  attrs: (_op, raw) => CrossEntropy.op.parseAttrs(raw),
  forward: (attrs, inputs) => {
    if (inputs.target?.dtype !== 'int64') {
      return pipe(CrossEntropy.op.forward(attrs, inputs), E.map((f) => ({ outputs: f.outputs, cache: { ref: true as const, cache: f.cache } })))
    }
    const { input, target, weight } = inputs
    return pipe(
      checkBatched('cross_entropy', input!),
      E.chain((lay) => pipe(checkWeight('cross_entropy', weight, lay.c), E.map(() => lay))),
      E.chain((lay) => pipe(classesOf('cross_entropy', lay, target!, attrs.ignore_index), E.map((cls) => ({ lay, cls })))),
      E.map(({ lay, cls }) => {
        const x = input!.data, e = attrs.label_smoothing, { c, k } = lay, work = x.length
        const w = asShared(weight === undefined ? new Float64Array(c).fill(1) : weight.data, work)
        const { divisor } = positionWeights(cls, weight) // (3)
        const terms = allocate(x.length, { whole: true }), invSum = allocate(lay.positions, { work, whole: true })
        const nll = allocate(lay.positions, { work }), s = allocate(lay.positions, { work }), shared = asShared(cls, work)
        parallelFor(ceForward, { x, cls: shared, w, terms, invSum, nll, s, c, k, smoothing: e }, lay.n, work)
        const rn = reduce(nll, lay.positionShape, attrs.reduction, divisor)
        let loss: Tensor = rn
        if (e > 0) {
          const rs = reduce(s, lay.positionShape, attrs.reduction, divisor)
          const out = new Float64Array(rn.data.length)
          for (let i = 0; i < out.length; i++) out[i] = (1 - e) * rn.data[i] + (e / c) * rs.data[i] // (4)
          loss = make(rn.shape, out)
        }
        return { outputs: { loss }, cache: { ref: false as const, cache: { lay, inputShape: input!.shape, terms, invSum, cls: shared, w, divisor } } }
      }),
    )
  },
  backward: (attrs, tagged, cot): Tensors => {
    if (tagged.ref) return CrossEntropy.op.backward(attrs, tagged.cache, cot)
    const { lay, inputShape, terms, invSum, cls, w, divisor } = tagged.cache
    const { c, k } = lay, e = attrs.label_smoothing
    const d = asShared(spread(cot.loss, lay.positions, attrs.reduction, divisor), terms.length)
    const dx = allocate(terms.length, { whole: true }) // the kernel writes every element
    let sw = 0
    for (let cc = 0; cc < c; cc++) sw += w[cc]
    parallelFor(ceBackward, { terms, invSum, cls, w, d, dx, c, k, smoothing: e, sw }, lay.n, terms.length)
    return { input: make(inputShape, dx) }
  },
})
