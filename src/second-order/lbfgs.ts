/**
 * L-BFGS as torch.optim.LBFGS (PyTorch 1.13) takes one `step(closure)`,
 * ported statement by statement, on the flat vector of all parameters.
 * Iteration k of a step, g the gradient, (s_i, y_i) the last m curvature pairs:
 *   (1) y = g - g_prev, s = t_prev d_prev; kept when y.s > 1e-10 (the oldest dropped
 *       beyond history_size), with H_diag = y.s / y.y
 *   (2) two-loop recursion: q = -g; for i = newest..oldest: a_i = rho_i s_i.q, q -= a_i y_i;
 *       r = H_diag q; for i = oldest..newest: b_i = rho_i y_i.r, r += (a_i - b_i) s_i;  d = r
 *   (3) t = min(1, 1 / sum|g|) lr on the first iteration of the whole run, else t = lr
 *   (4) stop when g.d > -tolerance_change; else x += t d, with t from the strong Wolfe
 *       search (./strong-wolfe.ts) or fixed (and the loss and gradient re-evaluated
 *       unless this is the last iteration)
 *   (5) stop after max_iter iterations, max_eval evaluations, max|g| <= tolerance_grad,
 *       max|t d| <= tolerance_change or |loss - loss_prev| < tolerance_change
 * The state (history, direction, step, previous gradient and loss, counters)
 * carries from step to step: a step's first pair mixes the previous step's
 * gradient with this one's (the case format's L-BFGS rules). A step whose
 * first gradient has max|g| <= tolerance_grad returns without moving.
 * Values instead of mutation: `step` returns new parameters and a new state.
 * PyTorch's `p.add_(d, alpha=t)` may fuse the multiply-add on vectorized
 * chunks; we round twice, so runs agree to rounding, not bit for bit.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail, show, showShape } from '../core/errors.ts'
import { type Tensor, make, sameShape, sizeOf } from '../core/tensor.ts'
import type { Params } from '../optimizers/optimizer.ts'
import { strongWolfe } from './strong-wolfe.ts'
import { type Vec, absMax, absSum, axpy, dot, neg, scale, sub } from './vec.ts'

export interface Config {
  readonly lr: number
  readonly max_iter: number
  readonly max_eval: number
  readonly tolerance_grad: number
  readonly tolerance_change: number
  readonly history_size: number
  readonly line_search_fn: 'strong_wolfe' | null
}

export interface State {
  readonly funcEvals: number
  readonly nIter: number
  readonly d?: Vec
  readonly t?: number
  readonly oldDirs: readonly Vec[]
  readonly oldStps: readonly Vec[]
  readonly ro: readonly number[]
  readonly hDiag: number
  readonly prevFlatGrad?: Vec
  readonly prevLoss?: number
}

export const initial: State = { funcEvals: 0, nIter: 0, oldDirs: [], oldStps: [], ro: [], hDiag: 1 }

/** The loss and its gradient at a point; an error aborts the step (returned, not thrown). */
export type FlatClosure = (x: Vec) => E.Either<OpError, { readonly loss: number; readonly grad: Vec }>

export interface FlatStep { readonly x: Vec; readonly state: State; readonly loss: number }

/** Carries a closure's error out of the search (caught in `stepFlat`; never escapes it). */
class ClosureFailed { constructor(readonly error: OpError) {} }

// #region step
export const stepFlat = (c: Config, state: State, x0: Vec, closure: FlatClosure): E.Either<OpError, FlatStep> => {
  const evaluate = (x: Vec) => {
    const r = closure(x)
    if (E.isLeft(r)) throw new ClosureFailed(r.left)
    return r.right
  }
  try {
    let x = x0
    let funcEvals = state.funcEvals, nIterTotal = state.nIter
    const first = evaluate(x)
    const origLoss = first.loss
    let loss = first.loss, flatGrad = first.grad
    let currentEvals = 1
    funcEvals += 1
    let optCond = absMax(flatGrad) <= c.tolerance_grad
    if (optCond) return E.right({ x, state: { ...state, funcEvals }, loss: origLoss })

    let d = state.d, t = state.t
    let oldDirs = [...state.oldDirs], oldStps = [...state.oldStps], ro = [...state.ro]
    let hDiag = state.hDiag
    let prevFlatGrad = state.prevFlatGrad, prevLoss = state.prevLoss
    let nIter = 0
    while (nIter < c.max_iter) {
      nIter += 1
      nIterTotal += 1
      if (nIterTotal === 1) {
        d = neg(flatGrad)
        oldDirs = []; oldStps = []; ro = []
        hDiag = 1
      } else {
        const y = sub(flatGrad, prevFlatGrad!) // (1)
        const s = scale(d!, t!)
        const ys = dot(y, s)
        if (ys > 1e-10) {
          if (oldDirs.length === c.history_size) { oldDirs.shift(); oldStps.shift(); ro.shift() }
          oldDirs.push(y); oldStps.push(s); ro.push(1 / ys)
          hDiag = ys / dot(y, y)
        }
        const k = oldDirs.length
        const al = new Array<number>(k)
        let q = neg(flatGrad) // (2)
        for (let i = k - 1; i >= 0; i--) {
          al[i] = dot(oldStps[i], q) * ro[i]
          q = axpy(q, -al[i], oldDirs[i])
        }
        let r = scale(q, hDiag)
        for (let i = 0; i < k; i++) {
          const be = dot(oldDirs[i], r) * ro[i]
          r = axpy(r, al[i] - be, oldStps[i])
        }
        d = r
      }
      prevFlatGrad = flatGrad
      prevLoss = loss
      t = nIterTotal === 1 ? Math.min(1, 1 / absSum(flatGrad)) * c.lr : c.lr // (3)
      const gtd = dot(flatGrad, d!)
      if (gtd > -c.tolerance_change) break // (4)
      let lsEvals = 0
      if (c.line_search_fn === 'strong_wolfe') {
        const dir = d!
        const res = strongWolfe((xx, tt, dd) => evaluate(axpy(xx, tt, dd)), x, t, dir, loss, flatGrad, gtd)
        loss = res.loss; flatGrad = res.grad; t = res.t; lsEvals = res.evals
        x = axpy(x, t, dir)
        optCond = absMax(flatGrad) <= c.tolerance_grad
      } else {
        x = axpy(x, t, d!)
        if (nIter !== c.max_iter) {
          const e = evaluate(x)
          loss = e.loss; flatGrad = e.grad
          optCond = absMax(flatGrad) <= c.tolerance_grad
          lsEvals = 1
        }
      }
      currentEvals += lsEvals
      funcEvals += lsEvals
      if (nIter === c.max_iter) break // (5)
      if (currentEvals >= c.max_eval) break
      if (optCond) break
      if (absMax(scale(d!, t)) <= c.tolerance_change) break
      if (Math.abs(loss - prevLoss) < c.tolerance_change) break
    }
    return E.right({
      x, loss: origLoss,
      state: { funcEvals, nIter: nIterTotal, d, t, oldDirs, oldStps, ro, hDiag, prevFlatGrad, prevLoss },
    })
  } catch (e) {
    if (e instanceof ClosureFailed) return E.left(e.error)
    throw e
  }
}
// #endregion step

const NAME = 'lbfgs'

/** torch.optim.LBFGS's arguments with the case format's names and defaults (`max_eval` = floor(max_iter * 5 / 4)). */
export const config = (attrs: Readonly<Record<string, unknown>> | undefined): E.Either<OpError, Config> => {
  const a = attrs ?? {}
  const known = ['lr', 'max_iter', 'max_eval', 'tolerance_grad', 'tolerance_change', 'history_size', 'line_search_fn']
  for (const k of Object.keys(a)) if (!known.includes(k)) return fail(NAME, `attrs.${k}`, `one of the attributes ${known.join(', ')}`, `unknown attribute ${show(k)}`)
  const num = (k: string, d: number, ok: (v: number) => boolean, what: string): E.Either<OpError, number> => {
    const v = a[k] ?? d
    return typeof v === 'number' && Number.isFinite(v) && ok(v) ? E.right(v) : fail(NAME, `attrs.${k}`, what, show(v))
  }
  const lr = num('lr', 1, (v) => v > 0, 'a learning rate > 0')
  const maxIter = num('max_iter', 20, (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1')
  if (E.isLeft(lr)) return lr
  if (E.isLeft(maxIter)) return maxIter
  const maxEval = num('max_eval', Math.floor(maxIter.right * 5 / 4), (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1')
  const tg = num('tolerance_grad', 1e-7, (v) => v >= 0, 'a tolerance >= 0')
  const tc = num('tolerance_change', 1e-9, (v) => v >= 0, 'a tolerance >= 0')
  const hs = num('history_size', 100, (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1')
  for (const r of [maxEval, tg, tc, hs]) if (E.isLeft(r)) return r
  const ls = a.line_search_fn ?? null
  if (ls !== null && ls !== 'strong_wolfe') return fail(NAME, 'attrs.line_search_fn', 'null or "strong_wolfe"', show(ls), "PyTorch's LBFGS raises \"only 'strong_wolfe' is supported\"")
  return E.right({
    lr: lr.right, max_iter: maxIter.right, max_eval: (maxEval as E.Right<number>).right, tolerance_grad: (tg as E.Right<number>).right,
    tolerance_change: (tc as E.Right<number>).right, history_size: (hs as E.Right<number>).right, line_search_fn: ls,
  })
}

// #region closure-optimizer
/** The loss and the gradient of every parameter, at the given parameters. */
export type Closure = (params: Params) => E.Either<OpError, { readonly loss: number; readonly grads: Params }>

/**
 * torch.optim.LBFGS over a parameter record (flattened in the record's key
 * order, as torch concatenates its parameter list). `step` is one
 * `optimizer.step(closure)`: it returns the new parameters, the new state and
 * the closure's first loss (what PyTorch's step returns).
 */
export interface Lbfgs {
  readonly config: Config
  readonly init: (params: Params) => State
  readonly step: (params: Params, state: State, closure: Closure) => E.Either<OpError, { readonly params: Params; readonly state: State; readonly loss: number }>
}

export const lbfgs = (attrs: Readonly<Record<string, unknown>> | undefined): E.Either<OpError, Lbfgs> =>
  E.map((c: Config): Lbfgs => ({
    config: c,
    init: () => initial,
    step: (params, state, closure) => {
      const names = Object.keys(params)
      const sizes = names.map((k) => sizeOf(params[k].shape))
      const unflatten = (x: Vec): Params => {
        const out: Record<string, Tensor> = {}
        let o = 0
        names.forEach((k, i) => { out[k] = make(params[k].shape, x.slice(o, o + sizes[i])); o += sizes[i] })
        return out
      }
      const flatten = (p: Params, what: string): E.Either<OpError, Vec> => {
        const x = new Float64Array(sizes.reduce((a, b) => a + b, 0))
        let o = 0
        for (const [i, k] of names.entries()) {
          const t = p[k]
          if (t === undefined || !sameShape(t.shape, params[k].shape)) return fail(NAME, `${what}.${k}`, `shape ${showShape(params[k].shape)}`, t === undefined ? 'nothing' : showShape(t.shape))
          x.set(t.data, o)
          o += sizes[i]
        }
        return E.right(x)
      }
      const x0 = flatten(params, 'params')
      if (E.isLeft(x0)) return x0
      const flatClosure: FlatClosure = (x) => E.chain((r: { loss: number; grads: Params }) =>
        E.map((g: Vec) => ({ loss: r.loss, grad: g }))(flatten(r.grads, 'grads')))(closure(unflatten(x)))
      return E.map((r: FlatStep) => ({ params: unflatten(r.x), state: r.state, loss: r.loss }))(stepFlat(c, state, x0.right, flatClosure))
    },
  }))(config(attrs))
// #endregion closure-optimizer
