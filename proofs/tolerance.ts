/**
 * Error bounds of single lines (./derivation.ts, (1)), with their reasons
 * (docs/style.md, habit 10). u = EPS64 / 2 is float64's unit roundoff.
 *
 * Rounding. A line that evaluates sums of at most n terms, each a product or
 * quotient of a few rounded factors, is within gamma_{n+c} * S of its exact
 * value, gamma_k = k u / (1 - k u) <= k EPS64 for k u < 1/2, S the sum of the
 * absolute values of the terms (Higham, Accuracy and Stability of Numerical
 * Algorithms, 2nd ed., eq. 3.5 and Lemma 3.3). Each derivation states its S
 * and its count; the counts are generous (64 ulps for the elementwise chain of
 * exp, log, sqrt and divisions, as spec/laws/tolerance.ts's OP_ULPS), since a
 * planted slip changes a line by O(S), not by O(n EPS64 S).
 *
 * Central differences: spec/laws/tolerance.ts (truncation h^2/6 M3 plus
 * rounding DELTA_F / h), the same policy as every gradient law of the project.
 *
 * Monte Carlo: Hoeffding's inequality (1963, Theorem 2): the mean of M
 * independent values in an interval of width R is within
 *   t = R sqrt(ln(2 / delta) / (2 M))
 * of its expectation except with probability at most delta.
 */
import { EPS64, TOL, centralDifferenceTolerance, rounding as differenceRounding } from '../spec/laws/tolerance.ts'
import type { Tolerance } from './derivation.ts'

/** f(x) = sum_j c_j y_j(x) as computed, with n terms and S = sum_j |c_j y_j| (its rounding scale). */
export interface Pairing { readonly f: number; readonly n: number; readonly s: number }
export type Objective = (x: Float64Array) => Pairing

/** A per-point value computed once: tolerances are asked element by element. */
export const perPoint = <P, A>(f: (p: P) => A): ((p: P) => A) => {
  const memo = new WeakMap<object, A>()
  return (p) => {
    if (typeof p !== 'object' || p === null) return f(p)
    const hit = memo.get(p as object)
    if (hit !== undefined) return hit
    const v = f(p)
    memo.set(p as object, v)
    return v
  }
}

/** |value - exact| <= count EPS64 S(p), for every element: `why` says what S is. */
export const rounding = <P>(count: number, scale: (p: P) => number, why: string): Tolerance<P> => {
  const s = perPoint(scale)
  return { text: `float64 rounding, ${why}`, bound: (p) => count * EPS64 * s(p) }
}

/** As `rounding`, with a scale per element. */
export const roundingEach = <P>(count: number, scale: (p: P, i: number) => number, why: string): Tolerance<P> =>
  ({ text: `float64 rounding, ${why}`, bound: (p, _v, i) => count * EPS64 * scale(p, i) })

/** The step of coordinate x_j: relative to the coordinate, as the gradient laws take it. */
export const stepOf = (xj: number): number => TOL.STEP * Math.max(1, Math.abs(xj))

/** d f / d x_j ~ (f(x + h e_j) - f(x - h e_j)) / (x_j + h - (x_j - h)) for every j (the divisor is the step actually taken). */
export const centralDifferences = (f: Objective, x: Float64Array): Float64Array => {
  const out = new Float64Array(x.length)
  for (let j = 0; j < x.length; j++) {
    const h = stepOf(x[j])
    const xp = Float64Array.from(x), xm = Float64Array.from(x)
    xp[j] = x[j] + h
    xm[j] = x[j] - h
    out[j] = (f(xp).f - f(xm).f) / (xp[j] - xm[j])
  }
  return out
}

/**
 * The error of `centralDifferences(L(p), x(p))`. `linear`: f is linear in x
 * (or piecewise linear with no kink within a step of the point), so
 * f(x + h) - f(x - h) = 2 h f' exactly and only rounding remains.
 */
export const differenceTolerance = <P>(x: (p: P) => Float64Array, L: (p: P) => Objective, linear = false): Tolerance<P> => {
  const base = perPoint((p: P) => L(p)(x(p)))
  return {
    text: linear
      ? 'central difference of a (locally) linear function: rounding only, (n + 64) eps S / h'
      : 'central difference, h = 1e-5 max(1, |x_j|): truncation h^2/6 M3 + rounding (n + 64) eps S / h (spec/laws/tolerance.ts)',
    bound: (p, v, i) => {
      const { n, s } = base(p)
      const h = stepOf(x(p)[i])
      return linear ? differenceRounding(h, n, s) : centralDifferenceTolerance(h, v[i], n, s)
    },
  }
}

/** Hoeffding's deviation for M values in an interval of width R, exceeded with probability <= delta. */
export const hoeffding = (range: number, samples: number, delta: number): number =>
  range * Math.sqrt(Math.log(2 / delta) / (2 * samples))

/**
 * A Monte Carlo mean's bound: Hoeffding's t for M values in an interval of
 * width `range`, plus the rounding of the mean of M values of size at most
 * `magnitude` (a sum of M terms: <= M EPS64 magnitude, far below t).
 */
export const monteCarlo = <P>(range: (p: P) => number, magnitude: (p: P) => number, samples: (p: P) => number, delta: number, why: string): Tolerance<P> => ({
  text: `Monte Carlo, Hoeffding: R sqrt(ln(2/delta) / 2M) with delta = ${delta}, ${why}`,
  bound: (p) => hoeffding(range(p), samples(p), delta) + samples(p) * EPS64 * magnitude(p),
})

/** Exact lines (integer arithmetic, or a constant the claim names): no error. */
export const exact = <P>(why: string): Tolerance<P> => ({ text: why, bound: () => 0 })
