/**
 * Hessian-vector products and dense Hessians from gradients.
 *
 * The library's backward passes are hand-derived VJPs, not differentiable
 * programs, so there is no second reverse pass to run (Pearlmutter's R-op
 * would need one). H v is therefore the directional derivative of the
 * VJP-computed gradient along v, by the five-point stencil:
 *   (1) H v = [-g(x + 2hv) + 8 g(x + hv) - 8 g(x - hv) + g(x - 2hv)] / (12 h) + E
 *       truncation |E| <= h^4 / 30 * max|d^5 f along v| (exact for quadratics: g affine)
 *       rounding  <= (18 / 12) * delta_g / h, delta_g the error of one gradient
 *   (2) h = eps^(1/5) * max(1, |x|_inf) / |v|_inf, eps^(1/5) ~ 7.4e-4, which balances
 *       the two for smooth functions (h^4 M5 ~ delta_g / h)
 *   (3) dense H: column j = H e_j, then (H + H^T) / 2 (the symmetric part; the
 *       antisymmetric part is stencil noise)
 * n + 4 gradient evaluations per product; dense Hessians are for small n.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { OpError } from '../core/errors.ts'
import { type Vec, absMax, axpy } from './vec.ts'

export type Gradient = (x: Vec) => E.Either<OpError, Vec>

export const STEP = Math.pow(2 ** -52, 1 / 5) // (2)

// #region hvp
export const hvp = (grad: Gradient, x: Vec, v: Vec): E.Either<OpError, Vec> => {
  const vmax = absMax(v)
  if (vmax === 0) return E.right(new Float64Array(x.length))
  const h = STEP * Math.max(1, absMax(x)) / vmax // (2)
  const at = (k: number) => grad(axpy(x, k * h, v))
  const gp2 = at(2), gp1 = at(1), gm1 = at(-1), gm2 = at(-2)
  for (const g of [gp2, gp1, gm1, gm2]) if (E.isLeft(g)) return g
  const [a, b, c, d] = [gp2, gp1, gm1, gm2].map((g) => (g as E.Right<Vec>).right)
  return E.right(a.map((_, i) => (-a[i] + 8 * b[i] - 8 * c[i] + d[i]) / (12 * h))) // (1)
}
// #endregion hvp

/** (3) the n x n Hessian, row-major. */
export const dense = (grad: Gradient, x: Vec): E.Either<OpError, Vec> => {
  const n = x.length
  const H = new Float64Array(n * n)
  for (let j = 0; j < n; j++) {
    const e = new Float64Array(n)
    e[j] = 1
    const col = hvp(grad, x, e)
    if (E.isLeft(col)) return col
    for (let i = 0; i < n; i++) H[i * n + j] = col.right[i]
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
    const m = (H[i * n + j] + H[j * n + i]) / 2
    H[i * n + j] = m
    H[j * n + i] = m
  }
  return E.right(H)
}
