/**
 * Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019), PyTorch 1.13's
 * `torch.optim.Adam` / `AdamW` without amsgrad (`_single_tensor_adam(w)`), per
 * element, at step t (1-based, counting this step):
 *   (1) g^ = g + lambda theta,  theta~ = theta          Adam: coupled decay (skipped when lambda = 0)
 *       g^ = g,  theta~ = theta (1 - lr lambda)         AdamW: decoupled decay, before the update
 *   (2) m' = beta1 m + (1 - beta1) g^
 *   (3) v' = beta2 v + (1 - beta2) g^^2
 *   (4) bc1 = 1 - beta1^t,  bc2 = 1 - beta2^t
 *   (5) delta = sqrt(v') / sqrt(bc2) + eps              eps OUTSIDE the root and after the
 *                                                       bias correction (Keras and ONNX differ)
 *   (6) theta' = theta~ - (lr / bc1) m' / delta
 * The arithmetic follows PyTorch's kernels operation by operation (mul_ then
 * add_, addcmul's (value * t1) * t2, addcdiv's (value * t1) / t2), so float64
 * results match to the last bit except where pow rounds differently.
 * Defaults are PyTorch's: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay
 * 0 for Adam and 1e-2 for AdamW.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail } from '../core/errors.ts'
import { type Tensor, make } from '../core/tensor.ts'
import { type Optimizer, type Params, checkGrads, checkNumber, checkSlots, firstError } from './optimizer.ts'

export interface Config {
  readonly lr: number
  readonly beta1: number
  readonly beta2: number
  readonly eps: number
  readonly weightDecay: number
  /** true: AdamW's decoupled decay (1); false: Adam's coupled L2 decay. */
  readonly decoupled: boolean
}

export interface Out { readonly param: Tensor; readonly expAvg: Tensor; readonly expAvgSq: Tensor }

/** The bias corrections (4) and the step size lr / bc1 of (6). */
// #region corrections
export const corrections = (c: Config, t: number): { readonly bc1: number; readonly bc2: number; readonly stepSize: number } => {
  const bc1 = 1 - c.beta1 ** t // (4)
  const bc2 = 1 - c.beta2 ** t // (4)
  return { bc1, bc2, stepSize: c.lr / bc1 }
}
// #endregion corrections

/** The gradient g^ of (1) that the moments see: decayed for Adam, as given for AdamW. */
export const decayedGrad = (c: Config, p: number, g: number): number =>
  !c.decoupled && c.weightDecay !== 0 ? g + c.weightDecay * p : g // (1), Adam (skipped when lambda = 0)

/** One step of (1)-(6) on one tensor at step t >= 1. Shapes are the caller's invariant. */
// #region step
export const step = (c: Config, t: number, param: Tensor, grad: Tensor, expAvg: Tensor, expAvgSq: Tensor): Out => {
  const n = param.data.length
  const { bc2, stepSize } = corrections(c, t)
  const bc2Sqrt = Math.sqrt(bc2)
  const shrink = 1 - c.lr * c.weightDecay
  const p1 = new Float64Array(n), m1 = new Float64Array(n), v1 = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const g = decayedGrad(c, param.data[i], grad.data[i]) // (1)
    const p = c.decoupled ? param.data[i] * shrink : param.data[i] // (1), AdamW
    const m = expAvg.data[i] * c.beta1 + (1 - c.beta1) * g // (2)
    const v = expAvgSq.data[i] * c.beta2 + (1 - c.beta2) * g * g // (3)
    const delta = Math.sqrt(v) / bc2Sqrt + c.eps // (5)
    p1[i] = p + (-stepSize * m) / delta // (6)
    m1[i] = m
    v1[i] = v
  }
  return { param: make(param.shape, p1), expAvg: make(param.shape, m1), expAvgSq: make(param.shape, v1) }
}
// #endregion step

/** PyTorch's constructor checks. */
export const config = (op: string, c: Config): E.Either<OpError, Config> => firstError(c, [
  checkNumber(op, 'lr', c.lr, (v) => v >= 0, 'a learning rate >= 0'),
  checkNumber(op, 'beta1', c.beta1, (v) => v >= 0 && v < 1, 'beta1 in [0, 1)'),
  checkNumber(op, 'beta2', c.beta2, (v) => v >= 0 && v < 1, 'beta2 in [0, 1)'),
  checkNumber(op, 'eps', c.eps, (v) => v >= 0, 'an eps >= 0'),
  checkNumber(op, 'weightDecay', c.weightDecay, (v) => v >= 0, 'a weight decay >= 0'),
])

/** The step count t of the last update (0 after init) and the two moment estimates per parameter. */
export interface State { readonly step: number; readonly expAvg: Params; readonly expAvgSq: Params }

const zerosOf = (params: Params): Params =>
  Object.fromEntries(Object.entries(params).map(([k, p]) => [k, make(p.shape, new Float64Array(p.data.length))]))

const optimizer = (name: string, cfg: Config): Optimizer<State> => ({
  init: (params) => ({ step: 0, expAvg: zerosOf(params), expAvgSq: zerosOf(params) }),
  update: (grads, state, params) => {
    const edge = firstError(null, [
      checkGrads(name, grads, params),
      checkSlots(name, 'expAvg', state.expAvg, params),
      checkSlots(name, 'expAvgSq', state.expAvgSq, params),
    ])
    if (E.isLeft(edge)) return edge
    if (!Number.isInteger(state.step) || state.step < 0) return fail(name, 'state.step', 'an integer >= 0', String(state.step))
    const t = state.step + 1
    const next: Record<string, Tensor> = {}, m: Record<string, Tensor> = {}, v: Record<string, Tensor> = {}
    for (const k of Object.keys(params)) {
      const out = step(cfg, t, params[k], grads[k], state.expAvg[k], state.expAvgSq[k])
      next[k] = out.param
      m[k] = out.expAvg
      v[k] = out.expAvgSq
    }
    return E.right({ params: next, state: { step: t, expAvg: m, expAvgSq: v } })
  },
})

const defaults = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 }

/** Adam with coupled (L2) weight decay, default 0. */
export const adam = (c: Partial<Omit<Config, 'decoupled'>> = {}): E.Either<OpError, Optimizer<State>> =>
  E.map((cfg: Config) => optimizer('adam', cfg))(config('adam', { ...defaults, weightDecay: 0, ...c, decoupled: false }))

/** AdamW: decoupled weight decay, PyTorch's default 1e-2. */
export const adamW = (c: Partial<Omit<Config, 'decoupled'>> = {}): E.Either<OpError, Optimizer<State>> =>
  E.map((cfg: Config) => optimizer('adamw', cfg))(config('adamw', { ...defaults, weightDecay: 1e-2, ...c, decoupled: true }))
