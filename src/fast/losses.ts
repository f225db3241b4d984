/**
 * Fast cross entropy with class targets: the equations of
 * src/losses/cross-entropy.ts with no closure per element and no full-size
 * intermediate. Per position i the forward keeps only m_i = max_c x_ic and
 * l_i = log s_i, s_i = sum_c exp(x_ic - m_i); every log-probability is
 *   (1) logp_ic = (x_ic - m_i) - l_i
 * recomputed where it is needed (the target's in the forward, all of them in
 * the backward, p = exp(logp)). That is the reference's expression on the
 * same numbers, its sums run in the same order, so loss and gradient are the
 * reference's to the bit. Probability targets take the reference.
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { type Tensors, defineOp } from '../core/op.ts'
import { type Shape, type Tensor, make } from '../core/tensor.ts'
import { type Layout, checkBatched, checkWeight, classesOf, positionWeights } from '../losses/class-target.ts'
import * as CrossEntropy from '../losses/cross-entropy.ts'
import { reduce, spread } from '../losses/reduction.ts'

interface ClassCache {
  readonly lay: Layout
  readonly inputShape: Shape
  readonly x: Float64Array
  /** m_i and l_i of (1) per position */
  readonly max: Float64Array
  readonly logSum: Float64Array
  readonly cls: Int32Array
  readonly w: Float64Array
  readonly divisor: number
}

type Cache = { readonly ref: true; readonly cache: CrossEntropy.Cache } | { readonly ref: false; readonly cache: ClassCache }

/** m_i and l_i of (1) for every position, in the reference's order of summation. */
const logSumExp = (x: Float64Array, lay: Layout): { max: Float64Array; logSum: Float64Array } => {
  const { n, c, k } = lay
  const max = new Float64Array(n * k), logSum = new Float64Array(n * k)
  for (let a = 0; a < n; a++) {
    for (let j = 0; j < k; j++) {
      const o = a * c * k + j, e = o + c * k
      let m = -Infinity
      for (let f = o; f < e; f += k) m = Math.max(m, x[f]) // NaN for a NaN row, as the reference
      let s = 0
      for (let f = o; f < e; f += k) s += Math.exp(x[f] - m)
      max[a * k + j] = m
      logSum[a * k + j] = Math.log(s)
    }
  }
  return { max, logSum }
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
        const { max, logSum } = logSumExp(x, lay)
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
        return { outputs: { loss }, cache: { ref: false as const, cache: { lay, inputShape: input!.shape, x, max, logSum, cls, w, divisor } } }
      }),
    )
  },
  backward: (attrs, tagged, cot): Tensors => {
    if (tagged.ref) return CrossEntropy.op.backward(attrs, tagged.cache, cot)
    const { lay, inputShape, x, max, logSum, cls, w, divisor } = tagged.cache
    const { c, k } = lay, e = attrs.label_smoothing
    const d = spread(cot.loss, lay.positions, attrs.reduction, divisor)
    const dx = new Float64Array(x.length)
    let sw = 0
    for (let cc = 0; cc < c; cc++) sw += w[cc]
    for (let i = 0; i < lay.positions; i++) {
      const y = cls[i]
      if (y < 0) continue // ignored: zero gradient
      const j = i % k, base = (i - j) * c + j, m = max[i], l = logSum[i], di = d[i], wy = w[y]
      for (let cc = 0, f = base; cc < c; cc++, f += k) {
        const p = Math.exp((x[f] - m) - l) // (1): exp(logp)
        dx[f] = (1 - e) * di * wy * (p - (cc === y ? 1 : 0)) + (e / c) * di * (sw * p - w[cc]) // (7)
      }
    }
    return { input: make(inputShape, dx) }
  },
})
