/**
 * Stochastic gradient descent with momentum, PyTorch 1.13's `torch.optim.SGD`
 * (`_single_tensor_sgd`) exactly, per element, for parameter theta, gradient g,
 * momentum buffer b (absent before the first step):
 *   (1) d = g + lambda theta                     coupled weight decay (skipped when lambda = 0)
 *   (2) b' = d                                    first step: the buffer starts from d itself,
 *                                                 with no dampening (PyTorch's clone)
 *       b' = mu b + (1 - tau) d                   later steps (tau = dampening)
 *   (3) u = d + mu b'   Nesterov;   u = b'   momentum;   u = d   when mu = 0 (no buffer at all)
 *   (4) theta' = theta - lr u
 * PyTorch's momentum is v = mu v + g, p -= lr v, not Sutskever's v = mu v + lr g
 * (the two agree for a constant lr). Nesterov needs mu > 0 and tau = 0.
 * With v = -lr b, (2)-(4) are the lectures' look-ahead Nesterov
 *   v' = mu v - lr grad f(x + mu v),  x' = x + v'
 * in the variable theta = x + mu v (spec/optimizers/sgd.spec.ts checks it).
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail, showShape } from '../core/errors.ts'
import { type Tensor, make, sameShape } from '../core/tensor.ts'
import { type Optimizer, type Params, checkGrads, checkNumber, firstError } from './optimizer.ts'

export interface Config {
  readonly lr: number
  readonly momentum: number
  readonly dampening: number
  readonly weightDecay: number
  readonly nesterov: boolean
}

export interface Out { readonly param: Tensor; readonly momentumBuffer?: Tensor }

/** One step of (1)-(4) on one tensor; `buf` undefined: no buffer yet. Shapes are the caller's invariant. */
// #region step
export const step = (c: Config, param: Tensor, grad: Tensor, buf: Tensor | undefined): Out => {
  const n = param.data.length
  const p1 = new Float64Array(n)
  const b1 = c.momentum !== 0 ? new Float64Array(n) : undefined
  for (let i = 0; i < n; i++) {
    let d = grad.data[i]
    // PyTorch skips the add when lambda = 0, which keeps -0 and Inf parameters out of d.
    if (c.weightDecay !== 0) d = d + c.weightDecay * param.data[i] // (1)
    if (b1 !== undefined) {
      const b = buf === undefined ? d : c.momentum * buf.data[i] + (1 - c.dampening) * d // (2)
      b1[i] = b
      d = c.nesterov ? d + c.momentum * b : b // (3)
    }
    p1[i] = param.data[i] + -c.lr * d // (4), as PyTorch's add_(d, alpha=-lr)
  }
  return b1 === undefined ? { param: make(param.shape, p1) } : { param: make(param.shape, p1), momentumBuffer: make(param.shape, b1) }
}
// #endregion step

/** PyTorch's constructor checks, plus Nesterov's requirement (a ValueError there). */
export const config = (op: string, c: Partial<Config> & { readonly lr: number }): E.Either<OpError, Config> => {
  const full: Config = { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, ...c }
  const checked = firstError(full, [
    checkNumber(op, 'lr', full.lr, (v) => v >= 0, 'a learning rate >= 0'),
    checkNumber(op, 'momentum', full.momentum, (v) => v >= 0, 'a momentum >= 0'),
    checkNumber(op, 'dampening', full.dampening, () => true, 'a finite dampening'),
    checkNumber(op, 'weightDecay', full.weightDecay, (v) => v >= 0, 'a weight decay >= 0'),
  ])
  if (E.isRight(checked) && full.nesterov && !nesterovOk(full)) {
    return fail(op, 'config.nesterov', 'momentum > 0 and dampening 0 with Nesterov', `momentum ${full.momentum}, dampening ${full.dampening}`)
  }
  return checked
}

export const nesterovOk = (c: Pick<Config, 'momentum' | 'dampening'>): boolean => c.momentum > 0 && c.dampening === 0

/** Momentum buffers per parameter; a missing entry is PyTorch's None (before the first step). */
export interface State { readonly momentumBuffer: Params }

export const sgd = (c: Partial<Config> & { readonly lr: number }): E.Either<OpError, Optimizer<State>> =>
  E.map((cfg: Config): Optimizer<State> => ({
    init: () => ({ momentumBuffer: {} }),
    update: (grads, state, params) => {
      const edge = checkGrads('sgd', grads, params)
      if (E.isLeft(edge)) return edge
      const next: Record<string, Tensor> = {}
      const bufs: Record<string, Tensor> = {}
      for (const k of Object.keys(params)) {
        const prev = state.momentumBuffer[k]
        if (prev !== undefined && !sameShape(prev.shape, params[k].shape)) {
          return fail('sgd', `state.momentumBuffer.${k}`, `shape ${showShape(params[k].shape)} (the parameter's)`, showShape(prev.shape))
        }
        const out = step(cfg, params[k], grads[k], prev)
        next[k] = out.param
        if (out.momentumBuffer !== undefined) bufs[k] = out.momentumBuffer
      }
      return E.right({ params: next, state: { momentumBuffer: bufs } })
    },
  }))(config('sgd', c))
