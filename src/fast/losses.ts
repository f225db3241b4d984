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

/** m_i, l_i of (1) and the terms and 1/s_i of (8), in the reference's order of summation (each term through fexp). */
const logSumExp = (x: Float64Array, lay: Layout): { max: Float64Array; logSum: Float64Array; terms: Float64Array; invSum: Float64Array } => {
  const { n, c, k } = lay
  const max = new Float64Array(n * k), logSum = new Float64Array(n * k), invSum = new Float64Array(n * k), terms = new Float64Array(x.length)
  for (let a = 0; a < n; a++) {
    for (let j = 0; j < k; j++) {
      const o = a * c * k + j, e = o + c * k
      let m = -Infinity
      for (let f = o; f < e; f += k) m = Math.max(m, x[f]) // NaN for a NaN row, as the reference
      let s = 0
      for (let f = o; f < e; f += k) { const q = fexp(x[f] - m, 0); terms[f] = q; s += q }
      max[a * k + j] = m
      logSum[a * k + j] = Math.log(s)
      invSum[a * k + j] = 1 / s
    }
  }
  return { max, logSum, terms, invSum }
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
    const { input, target, weight } = inputs
    return pipe(
      checkBatched('cross_entropy', input!),
      E.chain((lay) => pipe(checkWeight('cross_entropy', weight, lay.c), E.map(() => lay))),
      E.chain((lay) => pipe(classesOf('cross_entropy', lay, target!, attrs.ignore_index), E.map((cls) => ({ lay, cls })))),
      E.map(({ lay, cls }) => {
        const x = input!.data, e = attrs.label_smoothing, { c, k } = lay
        const w = weight === undefined ? new Float64Array(c).fill(1) : weight.data
        const { max, logSum, terms, invSum } = logSumExp(x, lay)
        const { divisor } = positionWeights(cls, weight) // (3)
        const nll = new Float64Array(lay.positions), s = new Float64Array(lay.positions)
        for (let i = 0; i < nll.length; i++) {
          const y = cls[i]
          if (y < 0) continue
          const j = i % k, base = (i - j) * c + j, m = max[i], l = logSum[i]
          nll[i] = -w[y] * ((x[base + y * k] - m) - l) // (2)
          if (e > 0) {
            let t = 0
            for (let cc = 0, f = base; cc < c; cc++, f += k) t -= w[cc] * ((x[f] - m) - l) // (2)
            s[i] = t
          }
        }
        const rn = reduce(nll, lay.positionShape, attrs.reduction, divisor)
        let loss: Tensor = rn
        if (e > 0) {
          const rs = reduce(s, lay.positionShape, attrs.reduction, divisor)
          const out = new Float64Array(rn.data.length)
          for (let i = 0; i < out.length; i++) out[i] = (1 - e) * rn.data[i] + (e / c) * rs.data[i] // (4)
          loss = make(rn.shape, out)
        }
        return { outputs: { loss }, cache: { ref: false as const, cache: { lay, inputShape: input!.shape, terms, invSum, cls, w, divisor } } }
      }),
    )
  },
  backward: (attrs, tagged, cot): Tensors => {
    if (tagged.ref) return CrossEntropy.op.backward(attrs, tagged.cache, cot)
    const { lay, inputShape, terms, invSum, cls, w, divisor } = tagged.cache
    const { c, k } = lay, e = attrs.label_smoothing
    const d = spread(cot.loss, lay.positions, attrs.reduction, divisor)
    const dx = new Float64Array(terms.length)
    let sw = 0
    for (let cc = 0; cc < c; cc++) sw += w[cc]
    for (let i = 0; i < lay.positions; i++) {
      const y = cls[i]
      if (y < 0) continue // ignored: zero gradient
      const j = i % k, base = (i - j) * c + j, r = invSum[i], di = d[i], wy = w[y]
      for (let cc = 0, f = base; cc < c; cc++, f += k) {
        const p = terms[f] * r // (8)
        dx[f] = (1 - e) * di * wy * (p - (cc === y ? 1 : 0)) + (e / c) * di * (sw * p - w[cc]) // (7)
      }
    }
    return { input: make(inputShape, dx) }
  },
})
