/**
 * Tolerances with their reasons (docs/style.md, habit 10).
 *
 * Unit roundoff of float64: u = 2^-53 (EPS64 below is the gap 2^-52 = 2u).
 */
export const EPS64 = Number.EPSILON

export const TOL = {
  /**
   * Central difference D(h) = (f(x + h) - f(x - h)) / (2h) with h relative to
   * the coordinate, h = STEP * max(1, |x|).
   *  - truncation: |D(h) - f'(x)| <= h^2/6 * M3, M3 a bound on |f'''| near x.
   *  - rounding:   each f(x +- h) carries an absolute error <= DELTA_F, and
   *                the difference divides it by 2h: <= DELTA_F / h.
   * h = 1e-5 balances the two for the sizes drawn here (truncation 1.7e-11 M3,
   * rounding 1e5 DELTA_F); the optimum eps^(1/3) = 6e-6 for M3 ~ |f|.
   */
  STEP: 1e-5,
  /**
   * M3 / (1 + |f'|): the arbitraries keep inputs in [-5, 5] away from kinks by
   * KINK_GAP, where every op of the catalogue has third derivatives within a
   * few hundred times its first (softplus with beta <= 5: beta^2/4 * 4 <= 25;
   * normalizations with variance >= 0.05 drawn: 1/sigma^2 ~ 20; mish, gelu
   * O(1)). 1e3 leaves a factor of a few above the worst of these.
   */
  M3_REL: 1e3,
  /**
   * Evaluating f = sum_i c_i y_i: a naive sum of n products carries an error
   * <= n * EPS64 * S with S = sum_i |c_i y_i| (Higham, Accuracy and Stability,
   * eq. 3.5 with gamma_n ~ n u); each y_i itself has a relative error of a few
   * dozen ulps at most through exp/log/sqrt chains and the op's own sums of up
   * to n terms. OP_ULPS = 64 covers the elementwise chain; n covers the sums.
   */
  OP_ULPS: 64,
  /**
   * Inputs are drawn at least this far from a kink (relu at 0, a margin's
   * hinge, a tie between maxima): with |x| <= 5 the step is h <= 5e-5, so
   * x +- h stays twenty steps clear of the kink.
   */
  KINK_GAP: 1e-3,
} as const

/** Truncation bound h^2/6 * M3 with M3 <= M3_REL * (m + sum|g|), m the coordinates moved. */
export const truncation = (h: number, m: number, sumAbsG: number): number => (h * h / 6) * TOL.M3_REL * (m + sumAbsG)

/** Rounding bound DELTA_F / h for f = sum of n products whose absolute sum is s. */
export const rounding = (h: number, n: number, s: number): number => ((n + TOL.OP_ULPS) * EPS64 * s) / h

/** Allowed |numeric - analytic| for one partial derivative whose analytic value is g. */
export const centralDifferenceTolerance = (h: number, g: number, n: number, s: number): number =>
  truncation(h, 1, Math.abs(g)) + rounding(h, n, s)
