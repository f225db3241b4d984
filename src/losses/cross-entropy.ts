/**
 * Cross entropy from logits, PyTorch 1.13 `F.cross_entropy`. Input x [N, C, ...],
 * positions i and classes c as in ./class-target.ts, e = label_smoothing,
 * w_c = weight[c] (1 with no weight), S_w = sum_c w_c.
 *   (1) logp_ic = x_ic - m_i - log sum_c exp(x_ic - m_i),  m_i = max_c x_ic
 *       (log-sum-exp shifted by the maximum: no overflow for any finite logits)
 * Class targets y (int64 [N, ...]), ignored positions contribute 0 to both terms:
 *   (2) nll_i = -w_{y_i} logp_{i y_i},   s_i = -sum_c w_c logp_ic
 *   (3) D = sum over non-ignored i of w_{y_i}
 *   (4) L = (1 - e) R(nll) + (e / C) R(s),  R the reduction by D
 *       PyTorch 1.13's order (cross_entropy_loss_label_smoothing): each term
 *       is reduced on its own, both by the same D, and the smoothing term
 *       weighs every class by its own w_c. Reducing before mixing is what
 *       makes a mean whose target classes all weigh 0 NaN (0/0 in R(nll)).
 * Probability targets t (float, x's shape):
 *   (5) a_ic = w_c ((1 - e) t_ic + e / C),   l_i = -sum_c a_ic logp_ic
 *   (6) D = N * d1 * ... * dk, the number of positions (not the weights);
 *       L = R(l), R the reduction by D
 * Reductions: ./reduction.ts. Backward, d_i = dR/dl_i (reduction.ts (4)),
 * p = exp(logp) = softmax(x), from d(-logp_ic)/dx_ik = p_ik - [k = c]:
 *   (7) class: dx_ik = (1 - e) d_i w_{y_i} (p_ik - [k = y_i]) + (e / C) d_i (S_w p_ik - w_k),
 *       0 at ignored positions (d_i stays inside each term so that a mean
 *       with D = 0 gives NaN, as PyTorch, rather than an infinity)
 *   (8) prob:  dx_ik = d_i (A_i p_ik - a_ik),   A_i = sum_c a_ic
 *   (9) prob:  dt_ik = -d_i (1 - e) w_k logp_ik
 * The class target and the weight get no gradient (case format).
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { integer, number, schema } from '../core/attrs.ts'
import { fail, showShape } from '../core/errors.ts'
import { type Tensors, defineOp } from '../core/op.ts'
import { type Shape, type Tensor, make, sameShape, zip } from '../core/tensor.ts'
import { type Layout, checkBatched, checkWeight, classesOf, positionWeights } from './class-target.ts'
import { type Reduction, reduce, reduction, spread } from './reduction.ts'

export interface Attrs {
  readonly ignore_index: number
  readonly label_smoothing: number
  readonly reduction: Reduction
}

type Target =
  | { readonly kind: 'class'; readonly cls: Int32Array }
  | { readonly kind: 'prob'; readonly shape: Shape; readonly a: Float64Array }

export interface Cache {
  readonly lay: Layout
  readonly inputShape: Shape
  readonly logp: Float64Array
  readonly target: Target
  /** w_c, all ones with no weight */
  readonly w: Float64Array
  readonly divisor: number
}

/** (1) along axis 1 of [N, C, K]. */
// #region log-softmax
export const logSoftmax = (x: Float64Array, lay: Layout): Float64Array => {
  const out = new Float64Array(x.length)
  const { n, c, k } = lay
  for (let a = 0; a < n; a++) {
    for (let j = 0; j < k; j++) {
      const at = (cc: number) => (a * c + cc) * k + j
      let m = -Infinity
      for (let cc = 0; cc < c; cc++) m = Math.max(m, x[at(cc)]) // Math.max is NaN for a NaN row, as PyTorch's result
      let s = 0
      for (let cc = 0; cc < c; cc++) s += Math.exp(x[at(cc)] - m)
      // (x - m) - log s, not x - (m + log s): m + log s rounds to ulp(m), which is
      // most of a log-probability's digits for logits near 1e5 (spec/accuracy)
      const ls = Math.log(s)
      for (let cc = 0; cc < c; cc++) out[at(cc)] = (x[at(cc)] - m) - ls // (1)
    }
  }
  return out
}
// #endregion log-softmax

/** nll_i and s_i of (2), 0 at ignored positions; s only with e > 0. */
const classTerms = (logp: Float64Array, lay: Layout, cls: Int32Array, w: Float64Array, e: number): { nll: Float64Array; s: Float64Array } => {
  const { c, k } = lay
  const nll = new Float64Array(lay.positions), s = new Float64Array(lay.positions)
  for (let i = 0; i < nll.length; i++) {
    const y = cls[i]
    if (y < 0) continue
    const base = Math.floor(i / k) * c * k + (i % k)
    nll[i] = -w[y] * logp[base + y * k] // (2)
    // Only with e > 0, as PyTorch: a -Infinity log-probability of a class that
    // is not the target must not turn (e / C) * s into 0 * Infinity = NaN.
    if (e > 0) for (let cc = 0; cc < c; cc++) s[i] -= w[cc] * logp[base + cc * k] // (2)
  }
  return { nll, s }
}

/** a_ic of (5), in the input's layout. */
const smoothedTarget = (t: Tensor, lay: Layout, w: Float64Array, e: number): Float64Array => {
  const { c, k } = lay
  const a = new Float64Array(t.data.length)
  for (let f = 0; f < a.length; f++) a[f] = w[Math.floor(f / k) % c] * ((1 - e) * t.data[f] + e / c) // (5)
  return a
}

const probLoss = (logp: Float64Array, lay: Layout, a: Float64Array): Float64Array => {
  const { c, k } = lay
  const l = new Float64Array(lay.positions)
  for (let i = 0; i < l.length; i++) {
    const base = Math.floor(i / k) * c * k + (i % k)
    let s = 0
    for (let cc = 0; cc < c; cc++) s -= a[base + cc * k] * logp[base + cc * k] // (5)
    l[i] = s
  }
  return l
}

export const op = defineOp<Attrs, Cache>({
  name: 'cross_entropy',
  inputs: [
    { name: 'input' },
    { name: 'target', kind: 'float-or-int' },
    { name: 'weight', optional: true, grad: false },
  ],
  outputs: ['loss'],
  attrs: schema<Attrs>({ ignore_index: integer(-100), label_smoothing: number(0, { min: 0, max: 1 }), reduction }),
  forward: (attrs, { input, target, weight }) =>
    pipe(
      checkBatched('cross_entropy', input!),
      E.chain((lay) => pipe(checkWeight('cross_entropy', weight, lay.c), E.map(() => lay))),
      E.chain((lay) => {
        const x = input!, t = target!, e = attrs.label_smoothing
        const w = weight === undefined ? new Float64Array(lay.c).fill(1) : weight.data
        if (t.dtype === 'int64') {
          return pipe(
            classesOf('cross_entropy', lay, t, attrs.ignore_index),
            E.map((cls) => {
              const logp = logSoftmax(x.data, lay)
              const { divisor } = positionWeights(cls, weight) // (3)
              const { nll, s } = classTerms(logp, lay, cls, w, e)
              const rn = reduce(nll, lay.positionShape, attrs.reduction, divisor)
              const loss = e > 0 ? zip(rn, reduce(s, lay.positionShape, attrs.reduction, divisor), (a, b) => (1 - e) * a + (e / lay.c) * b) : rn // (4)
              return { outputs: { loss }, cache: { lay, inputShape: x.shape, logp, target: { kind: 'class' as const, cls }, w, divisor } }
            }),
          )
        }
        if (!sameShape(t.shape, x.shape)) {
          return fail('cross_entropy', 'inputs.target', `${showShape(x.shape)} (a float target holds class probabilities, the input's shape), or int64 class indices ${showShape(lay.positionShape)}`, `${t.dtype} ${showShape(t.shape)}`)
        }
        if (attrs.ignore_index >= 0) {
          return fail('cross_entropy', 'attrs.ignore_index', 'a negative value with probability targets', String(attrs.ignore_index), 'PyTorch: "ignore_index is not supported for floating point target"')
        }
        const logp = logSoftmax(x.data, lay)
        const a = smoothedTarget(t, lay, w, e)
        const divisor = lay.positions // (6)
        const loss = reduce(probLoss(logp, lay, a), lay.positionShape, attrs.reduction, divisor)
        return E.right({ outputs: { loss }, cache: { lay, inputShape: x.shape, logp, target: { kind: 'prob' as const, shape: t.shape, a }, w, divisor } })
      }),
    ),
  backward: (attrs, { lay, inputShape, logp, target, w, divisor }, { loss: g }): Tensors => {
    const { c, k } = lay
    const e = attrs.label_smoothing
    const d = spread(g, lay.positions, attrs.reduction, divisor)
    const dx = new Float64Array(logp.length)
    // #region class-gradient
    if (target.kind === 'class') {
      let sw = 0
      for (let cc = 0; cc < c; cc++) sw += w[cc]
      for (let i = 0; i < lay.positions; i++) {
        const y = target.cls[i]
        if (y < 0) continue // ignored: zero gradient, even where d_i is NaN (an all-ignored mean)
        const base = Math.floor(i / k) * c * k + (i % k)
        for (let cc = 0; cc < c; cc++) {
          const p = Math.exp(logp[base + cc * k])
          dx[base + cc * k] = (1 - e) * d[i] * w[y] * (p - (cc === y ? 1 : 0)) + (e / c) * d[i] * (sw * p - w[cc]) // (7)
        }
      }
      return { input: make(inputShape, dx) }
    }
    // #endregion class-gradient
    const { a } = target
    const dt = new Float64Array(logp.length)
    for (let i = 0; i < lay.positions; i++) {
      const base = Math.floor(i / k) * c * k + (i % k)
      let sa = 0
      for (let cc = 0; cc < c; cc++) sa += a[base + cc * k]
      for (let cc = 0; cc < c; cc++) {
        const f = base + cc * k
        dx[f] = d[i] * (sa * Math.exp(logp[f]) - a[f]) // (8)
        dt[f] = -d[i] * (1 - e) * w[cc] * logp[f] // (9)
      }
    }
    return { input: make(inputShape, dx), target: make(target.shape, dt) }
  },
})
