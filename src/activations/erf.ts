/**
 * The error function and its complement in float64, after W. J. Cody,
 * "Rational Chebyshev approximations for the error function", Math. Comp. 23
 * (1969) 631-637, as coded in his CALERF (netlib specfun, January 1985):
 *   (1) erf(x)  = x R1(x^2)                                  |x| <= 0.46875
 *   (2) erfc(x) = exp(-x^2) R2(x)                            0.46875 < x <= 4
 *   (3) erfc(x) = exp(-x^2)/x (1/sqrt(pi) + 1/x^2 R3(1/x^2))  x > 4
 *   (4) erf(x) = 1 - erfc(x),  erf(-x) = -erf(x),  erfc(-x) = 2 - erfc(x)
 * R1, R2, R3 are Cody's rational functions (coefficients A/B, C/D, P/Q below);
 * his stated maximal relative errors are below 6e-19 (R1), 7e-19 (R2) and
 * 3e-17 (R3), so in float64 what remains is the rounding of a few dozen
 * operations: a few ulps, measured in spec/activations/erf.spec.ts against
 * 40-digit values.
 *
 * Why not 1 + erf(x) for erfc: erfc(x) for x > 0.5 is computed directly by
 * (2)-(3), so it keeps its relative accuracy down to the underflow at x ~ 26.5,
 * which GELU needs for its left tail (Phi(x) = erfc(-x/sqrt 2)/2).
 */

const A = [3.16112374387056560e0, 1.13864154151050156e2, 3.77485237685302021e2, 3.20937758913846947e3, 1.85777706184603153e-1] as const
const B = [2.36012909523441209e1, 2.44024637934444173e2, 1.28261652607737228e3, 2.84423683343917062e3] as const
const C = [
  5.64188496988670089e-1, 8.88314979438837594e0, 6.61191906371416295e1, 2.98635138197400131e2,
  8.81952221241769090e2, 1.71204761263407058e3, 2.05107837782607147e3, 1.23033935479799725e3, 2.15311535474403846e-8,
] as const
const D = [
  1.57449261107098347e1, 1.17693950891312499e2, 5.37181101862009858e2, 1.62138957456669019e3,
  3.29079923573345963e3, 4.36261909014324716e3, 3.43936767414372164e3, 1.23033935480374942e3,
] as const
const P = [3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2] as const
const Q = [2.56852019228982242e0, 1.87295284992346047e0, 5.27905102951428412e-1, 6.05183413124413191e-2, 2.33520497626869185e-3] as const

const SQRPI = 5.6418958354775628695e-1 // 1/sqrt(pi)
const THRESH = 0.46875
/**
 * erfc(x) < 2^-1075 (half the least subnormal) for x > 27.3894: it rounds to 0.
 * Cody's 26.543 stops at the normal range; we keep the subnormal tail, and the
 * cut also keeps y = inf away from (inf - inf) in expMinusSquare.
 */
const XBIG = 27.39

/** erf(y) for |y| <= THRESH, (1). */
const erfSmall = (y: number): number => {
  const ysq = y * y
  let num = A[4] * ysq, den = ysq
  for (let i = 0; i < 3; i++) {
    num = (num + A[i]) * ysq
    den = (den + B[i]) * ysq
  }
  return (y * (num + A[3])) / (den + B[3]) // (1)
}

/**
 * exp(-y^2) without the rounding of y^2 blowing up: y^2 = ysq^2 + del with
 * ysq = y rounded down to a multiple of 1/16, so ysq^2 is exact and del small
 * (Cody's device; a plain exp(-y*y) would carry a relative error ~ y^2 eps).
 */
const expMinusSquare = (y: number): number => {
  const ysq = Math.trunc(y * 16) / 16
  const del = (y - ysq) * (y + ysq)
  return Math.exp(-ysq * ysq) * Math.exp(-del)
}

/** erfc(y) for y > THRESH (NaN falls through to the last branch and stays NaN), (2)-(3). */
const erfcLarge = (y: number): number => {
  if (y <= 4) {
    let num = C[8] * y, den = y
    for (let i = 0; i < 7; i++) {
      num = (num + C[i]) * y
      den = (den + D[i]) * y
    }
    return expMinusSquare(y) * ((num + C[7]) / (den + D[7])) // (2)
  }
  if (y >= XBIG) return 0
  const z = 1 / (y * y)
  let num = P[5] * z, den = z
  for (let i = 0; i < 4; i++) {
    num = (num + P[i]) * z
    den = (den + Q[i]) * z
  }
  const r = (z * (num + P[4])) / (den + Q[4])
  return expMinusSquare(y) * ((SQRPI - r) / y) // (3)
}

/** The error function erf(x) = 2/sqrt(pi) int_0^x exp(-t^2) dt. */
export const erf = (x: number): number => {
  const y = Math.abs(x)
  if (y <= THRESH) return erfSmall(x) // (1), odd in x by construction
  const r = 0.5 - erfcLarge(y) + 0.5 // (4), (0.5 - e) + 0.5 as Cody: exact when e is small
  return x < 0 ? -r : r // (4)
}

/** The complementary error function erfc(x) = 1 - erf(x), accurate in relative terms for large x. */
export const erfc = (x: number): number => {
  const y = Math.abs(x)
  if (y <= THRESH) return 1 - erfSmall(x) // (4), erf small here: no cancellation
  const r = erfcLarge(y)
  return x < 0 ? 2 - r : r // (4)
}

/** Cody's coefficients, thresholds and (1), for src/fast/activations.ts, which evaluates the same rational functions. */
export const cody = { A, B, C, D, P, Q, SQRPI, THRESH, XBIG, erfSmall } as const
