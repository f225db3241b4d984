/**
 * BFGS and L-BFGS as `{init, update}` optimizers (Nocedal & Wright, ch. 6-7).
 * With s = x_(k+1) - x_k, y = g_(k+1) - g_k, rho = 1 / (y.s):
 *   (1) H' = (I - rho s y^T) H (I - rho y s^T) + rho s s^T      inverse-Hessian update
 *          = H - rho (s (Hy)^T + (Hy) s^T) + (rho^2 y.Hy + rho) s s^T
 *       satisfies the secant condition H' y = s, and stays positive definite
 *       when H is and y.s > 0; a pair with y.s <= 0 is skipped (H' = H).
 *   (2) d = -H g;  x' = x + t d, t = lr or the caller's line search.
 *   (3) L-BFGS: H never formed; H g by the two-loop recursion over the last m
 *       pairs from H_0 = gamma I. With m >= k and the same H_0 it is exactly
 *       BFGS's H_k g (the recursion unrolls (1)).
 * `update(grads, state, params)` takes the gradient at `params`; the pair
 * (s, y) is formed from the previous call's point and gradient.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail, show } from '../core/errors.ts'
import type { Optimizer, Params } from '../optimizers/optimizer.ts'
import { flatten, unflatten } from './flat.ts'
import { type Vec, axpy, dot, identity, matVec, neg, scale, sub } from './vec.ts'

/** A step length for direction d at x with gradient g (exact line search, Wolfe, ...). */
export type StepLength = (x: Vec, d: Vec, g: Vec) => E.Either<OpError, number>

export interface Config {
  readonly lr?: number
  /** H_0 = h0 I (default 1) */
  readonly h0?: number
  readonly stepLength?: StepLength
}

// #region bfgs-update
/** (1) on a row-major n x n H; the caller checks y.s > 0. */
export const bfgsUpdate = (H: Vec, s: Vec, y: Vec): Vec => {
  const n = s.length
  const rho = 1 / dot(y, s)
  const Hy = matVec(H, y)
  const c = rho * rho * dot(y, Hy) + rho
  const out = new Float64Array(n * n)
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    out[i * n + j] = H[i * n + j] - rho * (s[i] * Hy[j] + Hy[i] * s[j]) + c * s[i] * s[j] // (1)
  }
  return out
}
// #endregion bfgs-update

// #region two-loop
/** (3) H q for the L-BFGS matrix of the pairs (oldest first) from H_0 = gamma I. */
export const twoLoop = (q0: Vec, S: readonly Vec[], Y: readonly Vec[], gamma: number): Vec => {
  const k = S.length
  const al = new Array<number>(k)
  let q = q0
  for (let i = k - 1; i >= 0; i--) {
    al[i] = dot(S[i], q) / dot(Y[i], S[i])
    q = axpy(q, -al[i], Y[i])
  }
  let r = scale(q, gamma)
  for (let i = 0; i < k; i++) {
    const be = dot(Y[i], r) / dot(Y[i], S[i])
    r = axpy(r, al[i] - be, S[i])
  }
  return r
}
// #endregion two-loop

interface Prev { readonly x: Vec; readonly g: Vec }
export interface BfgsState { readonly H?: Vec; readonly prev?: Prev; readonly skipped: number }
export interface LbfgsState { readonly S: readonly Vec[]; readonly Y: readonly Vec[]; readonly prev?: Prev; readonly skipped: number }

const checkConfig = (op: string, c: Config): E.Either<OpError, { lr: number; h0: number }> => {
  const lr = c.lr ?? 1, h0 = c.h0 ?? 1
  if (!(Number.isFinite(lr) && lr > 0)) return fail(op, 'config.lr', 'a step > 0', show(lr))
  if (!(Number.isFinite(h0) && h0 > 0)) return fail(op, 'config.h0', 'an initial inverse-Hessian scale > 0', show(h0))
  return E.right({ lr, h0 })
}

/** Shared (2): direction from the inverse-Hessian product, step length, new point. */
const move = (c: Config, lr: number, params: Params, x: Vec, g: Vec, Hg: Vec): E.Either<OpError, Params> => {
  const d = neg(Hg) // (2)
  const t = c.stepLength ? c.stepLength(x, d, g) : E.right(lr)
  return E.map((tt: number) => unflatten(params, axpy(x, tt, d)))(t)
}

export const bfgs = (c: Config = {}): E.Either<OpError, Optimizer<BfgsState>> =>
  E.map(({ lr, h0 }: { lr: number; h0: number }): Optimizer<BfgsState> => ({
    init: () => ({ skipped: 0 }),
    update: (grads, state, params) => {
      const x = flatten('bfgs', 'params', params, params)
      const g = flatten('bfgs', 'grads', params, grads)
      if (E.isLeft(x)) return x
      if (E.isLeft(g)) return g
      const n = x.right.length
      let H = state.H ?? identity(n, h0)
      let skipped = state.skipped
      if (state.prev !== undefined) {
        const s = sub(x.right, state.prev.x), y = sub(g.right, state.prev.g)
        if (dot(y, s) > 0) H = bfgsUpdate(H, s, y) // (1)
        else skipped += 1
      }
      return E.map((p: Params) => ({ params: p, state: { H, prev: { x: x.right, g: g.right }, skipped } }))(move(c, lr, params, x.right, g.right, matVec(H, g.right)))
    },
  }))(checkConfig('bfgs', c))

/** L-BFGS with fixed H_0 = h0 I (`scaling: "fixed"`) or Nocedal & Wright's gamma = s.y / y.y of the newest pair (`"gamma"`, as torch's H_diag). */
export const lbfgsUpdate = (c: Config & { readonly history_size?: number; readonly scaling?: 'fixed' | 'gamma' } = {}): E.Either<OpError, Optimizer<LbfgsState>> => {
  const m = c.history_size ?? 100
  if (!(Number.isInteger(m) && m >= 1)) return fail('lbfgs', 'config.history_size', 'an integer >= 1', show(m))
  return E.map(({ lr, h0 }: { lr: number; h0: number }): Optimizer<LbfgsState> => ({
    init: () => ({ S: [], Y: [], skipped: 0 }),
    update: (grads, state, params) => {
      const x = flatten('lbfgs', 'params', params, params)
      const g = flatten('lbfgs', 'grads', params, grads)
      if (E.isLeft(x)) return x
      if (E.isLeft(g)) return g
      let S = state.S, Y = state.Y, skipped = state.skipped
      if (state.prev !== undefined) {
        const s = sub(x.right, state.prev.x), y = sub(g.right, state.prev.g)
        if (dot(y, s) > 0) { S = [...S, s].slice(-m); Y = [...Y, y].slice(-m) } else skipped += 1
      }
      const k = S.length
      const gamma = c.scaling === 'gamma' && k > 0 ? dot(S[k - 1], Y[k - 1]) / dot(Y[k - 1], Y[k - 1]) : h0
      return E.map((p: Params) => ({ params: p, state: { S, Y, prev: { x: x.right, g: g.right }, skipped } }))(move(c, lr, params, x.right, g.right, twoLoop(g.right, S, Y, gamma)))
    },
  }))(checkConfig('lbfgs', c))
}
