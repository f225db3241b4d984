/**
 * AdaGrad (Duchi, Hazan & Singer 2011), PyTorch 1.13's `torch.optim.Adagrad`
 * (`_single_tensor_adagrad`, dense gradients), per element at step t (1-based):
 *   (1) g^ = g + lambda theta                 coupled decay (skipped when lambda = 0)
 *   (2) clr = lr / (1 + (t - 1) lr_decay)
 *   (3) s' = s + g^^2                         s starts at initial_accumulator_value
 *   (4) theta' = theta - clr g^ / (sqrt(s') + eps)    eps OUTSIDE the root
 * Defaults are PyTorch's: lr 1e-2, lr_decay 0, weight decay 0, initial
 * accumulator 0, eps 1e-10 (Keras and Optax start the accumulator at 0.1 and
 * put eps inside the root).
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail } from '../core/errors.ts'
import { type Tensor, make } from '../core/tensor.ts'
import { type Optimizer, type Params, checkGrads, checkNumber, checkSlots, firstError } from './optimizer.ts'

export interface Config {
  readonly lr: number
  readonly lrDecay: number
  readonly weightDecay: number
  readonly initialAccumulatorValue: number
  readonly eps: number
}

export interface Out { readonly param: Tensor; readonly sum: Tensor }

/** One step of (1)-(4) on one tensor at step t >= 1. */
export const step = (c: Config, t: number, param: Tensor, grad: Tensor, sum: Tensor): Out => {
  const n = param.data.length
  const clr = c.lr / (1 + (t - 1) * c.lrDecay) // (2)
  const p1 = new Float64Array(n), s1 = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let g = grad.data[i]
    if (c.weightDecay !== 0) g = g + c.weightDecay * param.data[i] // (1)
    const s = sum.data[i] + g * g // (3)
    p1[i] = param.data[i] + (-clr * g) / (Math.sqrt(s) + c.eps) // (4)
    s1[i] = s
  }
  return { param: make(param.shape, p1), sum: make(param.shape, s1) }
}

export const config = (op: string, c: Config): E.Either<OpError, Config> => firstError(c, [
  checkNumber(op, 'lr', c.lr, (v) => v >= 0, 'a learning rate >= 0'),
  checkNumber(op, 'lrDecay', c.lrDecay, (v) => v >= 0, 'an lr decay >= 0'),
  checkNumber(op, 'weightDecay', c.weightDecay, (v) => v >= 0, 'a weight decay >= 0'),
  checkNumber(op, 'initialAccumulatorValue', c.initialAccumulatorValue, (v) => v >= 0, 'an initial accumulator >= 0'),
  checkNumber(op, 'eps', c.eps, (v) => v >= 0, 'an eps >= 0'),
])

export interface State { readonly step: number; readonly sum: Params }

export const adagrad = (c: Partial<Config> = {}): E.Either<OpError, Optimizer<State>> =>
  E.map((cfg: Config): Optimizer<State> => ({
    init: (params) => ({
      step: 0,
      sum: Object.fromEntries(Object.entries(params).map(([k, p]) => [k, make(p.shape, new Float64Array(p.data.length).fill(cfg.initialAccumulatorValue))])),
    }),
    update: (grads, state, params) => {
      const edge = firstError(null, [checkGrads('adagrad', grads, params), checkSlots('adagrad', 'sum', state.sum, params)])
      if (E.isLeft(edge)) return edge
      if (!Number.isInteger(state.step) || state.step < 0) return fail('adagrad', 'state.step', 'an integer >= 0', String(state.step))
      const t = state.step + 1
      const next: Record<string, Tensor> = {}, sums: Record<string, Tensor> = {}
      for (const k of Object.keys(params)) {
        const out = step(cfg, t, params[k], grads[k], state.sum[k])
        next[k] = out.param
        sums[k] = out.sum
      }
      return E.right({ params: next, state: { step: t, sum: sums } })
    },
  }))(config('adagrad', { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, ...c }))
