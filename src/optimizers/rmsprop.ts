/**
 * RMSProp (Tieleman & Hinton 2012, lecture 6e), PyTorch 1.13's
 * `torch.optim.RMSprop` (`_single_tensor_rmsprop`), per element:
 *   (1) g^ = g + lambda theta                 coupled decay (skipped when lambda = 0)
 *   (2) a' = alpha a + (1 - alpha) g^^2       the square average, starting at 0
 *   (3) centered: c' = alpha c + (1 - alpha) g^,  r = sqrt(a' - c'^2) + eps
 *       otherwise:                               r = sqrt(a') + eps       eps OUTSIDE the root
 *   (4) momentum mu > 0: b' = mu b + g^ / r,  theta' = theta - lr b'     (b starts at 0)
 *       otherwise:       theta' = theta - lr g^ / r
 * No bias correction: the zero start makes early steps large, as in PyTorch.
 * Defaults are PyTorch's: lr 1e-2, alpha 0.99, eps 1e-8, weight decay 0,
 * momentum 0, not centered (Keras: rho 0.9, eps inside the root).
 */
import * as E from 'fp-ts/lib/Either.js'
import type { OpError } from '../core/errors.ts'
import { type Tensor, make } from '../core/tensor.ts'
import { type Optimizer, type Params, checkGrads, checkNumber, checkSlots, firstError } from './optimizer.ts'

export interface Config {
  readonly lr: number
  readonly alpha: number
  readonly eps: number
  readonly weightDecay: number
  readonly momentum: number
  readonly centered: boolean
}

export interface Slots { readonly squareAvg: Tensor; readonly gradAvg?: Tensor; readonly momentumBuffer?: Tensor }
export interface Out extends Slots { readonly param: Tensor }

/** One step of (1)-(4) on one tensor; gradAvg is read when centered, momentumBuffer when mu > 0. */
export const step = (c: Config, param: Tensor, grad: Tensor, s: Slots): Out => {
  const n = param.data.length
  const p1 = new Float64Array(n), a1 = new Float64Array(n)
  const c1 = c.centered ? new Float64Array(n) : undefined
  const b1 = c.momentum > 0 ? new Float64Array(n) : undefined
  for (let i = 0; i < n; i++) {
    let g = grad.data[i]
    if (c.weightDecay !== 0) g = g + c.weightDecay * param.data[i] // (1)
    const a = s.squareAvg.data[i] * c.alpha + (1 - c.alpha) * g * g // (2)
    a1[i] = a
    let r: number
    if (c1 !== undefined) {
      const ca = (s.gradAvg?.data[i] ?? 0) * c.alpha + (1 - c.alpha) * g // (3)
      c1[i] = ca
      r = Math.sqrt(a + -1 * ca * ca) + c.eps // (3), as addcmul(value=-1)
    } else {
      r = Math.sqrt(a) + c.eps // (3)
    }
    if (b1 !== undefined) {
      const b = (s.momentumBuffer?.data[i] ?? 0) * c.momentum + g / r // (4)
      b1[i] = b
      p1[i] = param.data[i] + -c.lr * b // (4)
    } else {
      p1[i] = param.data[i] + (-c.lr * g) / r // (4)
    }
  }
  return {
    param: make(param.shape, p1),
    squareAvg: make(param.shape, a1),
    ...(c1 === undefined ? {} : { gradAvg: make(param.shape, c1) }),
    ...(b1 === undefined ? {} : { momentumBuffer: make(param.shape, b1) }),
  }
}

export const config = (op: string, c: Config): E.Either<OpError, Config> => firstError(c, [
  checkNumber(op, 'lr', c.lr, (v) => v >= 0, 'a learning rate >= 0'),
  checkNumber(op, 'alpha', c.alpha, (v) => v >= 0, 'an alpha >= 0'),
  checkNumber(op, 'eps', c.eps, (v) => v >= 0, 'an eps >= 0'),
  checkNumber(op, 'weightDecay', c.weightDecay, (v) => v >= 0, 'a weight decay >= 0'),
  checkNumber(op, 'momentum', c.momentum, (v) => v >= 0, 'a momentum >= 0'),
])

/** Per parameter: the square average, and the gradient average (centered) and momentum buffer (mu > 0), all starting at 0. */
export interface State { readonly squareAvg: Params; readonly gradAvg: Params; readonly momentumBuffer: Params }

export const rmsprop = (c: Partial<Config> = {}): E.Either<OpError, Optimizer<State>> =>
  E.map((cfg: Config): Optimizer<State> => {
    const zeros = (params: Params): Params => Object.fromEntries(Object.entries(params).map(([k, p]) => [k, make(p.shape, new Float64Array(p.data.length))]))
    return {
      init: (params) => ({
        squareAvg: zeros(params),
        gradAvg: cfg.centered ? zeros(params) : {},
        momentumBuffer: cfg.momentum > 0 ? zeros(params) : {},
      }),
      update: (grads, state, params) => {
        const edge = firstError(null, [
          checkGrads('rmsprop', grads, params),
          checkSlots('rmsprop', 'squareAvg', state.squareAvg, params),
          cfg.centered ? checkSlots('rmsprop', 'gradAvg', state.gradAvg, params) : E.right(null),
          cfg.momentum > 0 ? checkSlots('rmsprop', 'momentumBuffer', state.momentumBuffer, params) : E.right(null),
        ])
        if (E.isLeft(edge)) return edge
        const next: Record<string, Tensor> = {}, sq: Record<string, Tensor> = {}, ga: Record<string, Tensor> = {}, mb: Record<string, Tensor> = {}
        for (const k of Object.keys(params)) {
          const out = step(cfg, params[k], grads[k], { squareAvg: state.squareAvg[k], gradAvg: state.gradAvg[k], momentumBuffer: state.momentumBuffer[k] })
          next[k] = out.param
          sq[k] = out.squareAvg
          if (out.gradAvg !== undefined) ga[k] = out.gradAvg
          if (out.momentumBuffer !== undefined) mb[k] = out.momentumBuffer
        }
        return E.right({ params: next, state: { squareAvg: sq, gradAvg: ga, momentumBuffer: mb } })
      },
    }
  })(config('rmsprop', { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, ...c }))
