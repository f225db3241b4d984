/**
 * `adam_step`, the catalogue op: one PyTorch 1.13 Adam (decoupled false) or
 * AdamW (decoupled true) step on one tensor at step t, the update math of
 * ./adam.ts (equations (1)-(6) there):
 *   (1) g^ = g + lambda theta, theta~ = theta  (Adam);   g^ = g, theta~ = (1 - lr lambda) theta  (AdamW)
 *   (2) m' = beta1 m + (1 - beta1) g^          (3) v' = beta2 v + (1 - beta2) g^^2
 *   (4) bc1 = 1 - beta1^t, bc2 = 1 - beta2^t   (5) delta = sqrt(v') / sqrt(bc2) + eps
 *   (6) theta' = theta~ - a m' / delta,  a = lr / bc1
 * Backward, cotangents P, M, V of theta', m', v' (zero when not given):
 *   (7) M~ = M - a P / delta                                  all the weight on m'
 *   (8) V~ = V + a P m' / (2 delta^2 sqrt(bc2) sqrt(v'))      all the weight on v'
 *   (9) G^ = (1 - beta1) M~ + 2 (1 - beta2) g^ V~             on g^
 *  (10) dm = beta1 M~,  dv = beta2 V~,  dg = G^,
 *       dtheta = P + lambda G^ (Adam),  (1 - lr lambda) P (AdamW)
 * At v' = 0 (g^ = 0 and v = 0) the root in (5) has infinite slope. Where also
 * P m' = 0 the step does not depend on v' to first order (theta' = theta~ - a
 * m'/delta with m' = 0 moves by O(|g^|), whose derivative comes through (7)),
 * so (8) takes its limit 0 instead of 0/0; PyTorch's autograd through sqrt
 * would give NaN there. Where P m' != 0 the slope is a true infinity and (8)
 * is +-Inf.
 */
import * as E from 'fp-ts/lib/Either.js'
import { boolean, integer, number, schema } from '../core/attrs.ts'
import { fail, showShape } from '../core/errors.ts'
import { defineOp } from '../core/op.ts'
import { type Tensor, make, sameShape } from '../core/tensor.ts'
import * as Adam from './adam.ts'

export interface Attrs {
  readonly lr: number
  readonly beta1: number
  readonly beta2: number
  readonly eps: number
  readonly weight_decay: number
  readonly decoupled: boolean
  readonly step: number
}

/** What (7)-(10) need: theta and g, for g^ of (1), and m', v' of (2), (3) (the outputs). */
export interface Cache { readonly param: Tensor; readonly grad: Tensor; readonly m: Tensor; readonly v: Tensor }

export const attrs = schema<Attrs>({
  lr: number(1e-3, { min: 0 }),
  beta1: number(0.9, { min: 0, lt: 1 }),
  beta2: number(0.999, { min: 0, lt: 1 }),
  eps: number(1e-8, { min: 0 }),
  weight_decay: number(0, { min: 0 }),
  decoupled: boolean(false),
  step: integer(undefined, 1),
})

export const toConfig = (a: Attrs): Adam.Config =>
  ({ lr: a.lr, beta1: a.beta1, beta2: a.beta2, eps: a.eps, weightDecay: a.weight_decay, decoupled: a.decoupled })

export const op = defineOp<Attrs, Cache>({
  name: 'adam_step',
  inputs: [{ name: 'param' }, { name: 'grad' }, { name: 'exp_avg' }, { name: 'exp_avg_sq' }],
  outputs: ['param', 'exp_avg', 'exp_avg_sq'],
  attrs,
  forward: (a, { param, grad, exp_avg, exp_avg_sq }) => {
    const p = param!
    for (const [name, t] of [['grad', grad!], ['exp_avg', exp_avg!], ['exp_avg_sq', exp_avg_sq!]] as const) {
      if (!sameShape(t.shape, p.shape)) return fail('adam_step', `inputs.${name}`, `shape ${showShape(p.shape)} (param's)`, showShape(t.shape))
    }
    const cfg = toConfig(a)
    const out = Adam.step(cfg, a.step, p, grad!, exp_avg!, exp_avg_sq!) // (1)-(6)
    return E.right({
      outputs: { param: out.param, exp_avg: out.expAvg, exp_avg_sq: out.expAvgSq },
      cache: { param: p, grad: grad!, m: out.expAvg, v: out.expAvgSq }, // g^ is recomputed by the backward: no array the forward alone would not need
    })
  },
  backward: (a, { param, grad, m, v }, cot) => {
    const n = m.data.length
    const cfg = toConfig(a)
    const { bc2, stepSize } = Adam.corrections(cfg, a.step)
    const bc2Sqrt = Math.sqrt(bc2)
    const P = cot.param.data, M = cot.exp_avg.data, V = cot.exp_avg_sq.data
    const dParam = new Float64Array(n), dGrad = new Float64Array(n), dM = new Float64Array(n), dV = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      const s = Math.sqrt(v.data[i])
      const delta = s / bc2Sqrt + a.eps // (5)
      const Mt = M[i] - (stepSize * P[i]) / delta // (7)
      const pm = P[i] * m.data[i]
      const Vt = V[i] + (pm === 0 ? 0 : (stepSize * pm) / (2 * delta * delta * bc2Sqrt * s)) // (8)
      const gHat = Adam.decayedGrad(cfg, param.data[i], grad.data[i]) // (1)
      const G = (1 - a.beta1) * Mt + 2 * (1 - a.beta2) * gHat * Vt // (9)
      dM[i] = a.beta1 * Mt // (10)
      dV[i] = a.beta2 * Vt // (10)
      dGrad[i] = G // (10)
      dParam[i] = a.decoupled ? (1 - a.lr * a.weight_decay) * P[i] : P[i] + a.weight_decay * G // (10)
    }
    const shape = m.shape
    return { param: make(shape, dParam), grad: make(shape, dGrad), exp_avg: make(shape, dM), exp_avg_sq: make(shape, dV) }
  },
})
