/**
 * Damped Newton as an `{init, update}` optimizer:
 *   (1) x' = x - lr (H(x) + lambda I)^-1 g
 * lambda = 0, lr = 1 is Newton's method: on f = 1/2 x^T A x - b^T x it reaches
 * A^-1 b in one step from anywhere, and its iterates are affine invariant
 * (minimizing f(M y + c) from y_0 gives M y_1 + c = the step from M y_0 + c),
 * which gradient descent's are not. lambda > 0 (Levenberg) interpolates
 * toward gradient descent with step 1/lambda. The Hessian comes from the
 * caller (analytic, or ./hessian.ts's dense H); the system is solved by
 * Gaussian elimination with partial pivoting.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail, show } from '../core/errors.ts'
import type { Optimizer, Params } from '../optimizers/optimizer.ts'
import { flatten, unflatten } from './flat.ts'
import { type Vec, axpy, solve } from './vec.ts'

export interface Config {
  readonly lr?: number
  readonly damping?: number
  /** the Hessian at the flat parameters, n x n row-major */
  readonly hessian: (x: Vec) => E.Either<OpError, Vec>
}

// #region update
export const newton = (c: Config): E.Either<OpError, Optimizer<null>> => {
  const lr = c.lr ?? 1, lambda = c.damping ?? 0
  if (!(Number.isFinite(lr) && lr > 0)) return fail('newton', 'config.lr', 'a step > 0', show(lr))
  if (!(Number.isFinite(lambda) && lambda >= 0)) return fail('newton', 'config.damping', 'a damping >= 0', show(lambda))
  return E.right({
    init: () => null,
    update: (grads, state, params) => {
      const x = flatten('newton', 'params', params, params)
      const g = flatten('newton', 'grads', params, grads)
      if (E.isLeft(x)) return x
      if (E.isLeft(g)) return g
      const H = c.hessian(x.right)
      if (E.isLeft(H)) return H
      const n = x.right.length
      const M = Float64Array.from(H.right)
      for (let i = 0; i < n; i++) M[i * n + i] += lambda
      const p = solve(M, g.right) // (1)
      if (p === undefined) return fail('newton', 'hessian', 'a non-singular H + damping I', 'a singular matrix', 'add damping (Levenberg) or start elsewhere')
      return E.right({ params: unflatten(params, axpy(x.right, -lr, p)), state })
    },
  })
}
// #endregion update

export type { Params }
