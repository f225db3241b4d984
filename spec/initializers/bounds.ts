/**
 * Concentration bounds for the statistical laws of the initializers, each with
 * its false-failure probability. Every check below fails, when the law holds,
 * with probability at most TAIL = 2 e^{-T} per tail event it uses (two-sided);
 * with T = 30, TAIL = 1.9e-13. A spec file keeps a ledger of its checks and
 * its last test asserts  (events) * TAIL < 1e-10, so the whole suite (fewer
 * than ten statistical files) fails falsely with probability < 1e-9 per run.
 * Keys are fixed, so a run is deterministic: the probability is over the
 * choice of seeds, which were never tuned (they are FNV hashes of test names).
 *
 *  (B1) Laurent & Massart (2000), Lemma 1. For Q = sum_i a_i Z_i^2, a_i >= 0,
 *       Z_i iid N(0, 1):  P(Q - sum a >= 2 |a|_2 sqrt(t) + 2 |a|_inf t) <= e^{-t}
 *                         P(sum a - Q >= 2 |a|_2 sqrt(t))               <= e^{-t}
 *       chi^2_k is a_i = 1: [k - 2 sqrt(k t), k + 2 sqrt(k t) + 2 t].
 *  (B2) Gaussian mean: the mean of n iid N(mu, s^2) is N(mu, s^2/n), and
 *       P(|Z| >= z) <= 2 e^{-z^2/2} (Chernoff), so |mean - mu| <= s sqrt(2t/n).
 *  (B3) Hoeffding: n independent X_i in [a, b]: |mean - E mean| <= (b - a) sqrt(t/(2n)).
 *  (B4) Hoeffding for a Rademacher sum: |sum_j eps_j d_j| <= sqrt(2 t sum_j d_j^2),
 *       eps_j iid +-1 independent of the d_j.
 *  (B5) Gaussian concentration (Tsirelson-Ibragimov-Sudakov; Boucheron, Lugosi
 *       & Massart, Thm 5.6): f L-Lipschitz of Z ~ N(0, I): |f - E f| <= L sqrt(2t).
 *  (B6) Operator norm of a Gaussian matrix (Davidson & Szarek; Vershynin 2012,
 *       Cor. 5.35): W [m, n] iid N(0, s^2): ||W||_op <= s (sqrt m + sqrt n + sqrt(2t)),
 *       one-sided, probability e^{-t}.
 */
import { denseForward } from '../../src/initializers/dense.ts'
import { type Verdict, failed, ok } from '../laws/result.ts'

export const T = 30
export const TAIL = 2 * Math.exp(-T)

/** (B1) for Q = sum a_i Z_i^2 given sum a, |a|_2 and an upper bound on |a|_inf. */
export const quadraticForm = (sumA: number, l2: number, maxA: number, t = T): [number, number] =>
  [sumA - 2 * l2 * Math.sqrt(t), sumA + 2 * l2 * Math.sqrt(t) + 2 * maxA * t]

/** (B1) with a_i = 1: an interval for a chi^2_k variable. */
export const chiSquare = (k: number, t = T): [number, number] => quadraticForm(k, Math.sqrt(k), 1, t)

/** (B2) */
export const gaussianMeanRadius = (n: number, s: number, t = T): number => s * Math.sqrt((2 * t) / n)

/** (B3) */
export const hoeffdingRadius = (n: number, range: number, t = T): number => range * Math.sqrt(t / (2 * n))

/** (B4) */
export const rademacherRadius = (sumD2: number, t = T): number => Math.sqrt(2 * t * sumD2)

/** (B5) */
export const lipschitzRadius = (L: number, t = T): number => L * Math.sqrt(2 * t)

/** (B6) */
export const gaussianOpNorm = (m: number, n: number, s: number, t = T): number => s * (Math.sqrt(m) + Math.sqrt(n) + Math.sqrt(2 * t))

/** Counts the tail events a spec file's checks rely on. */
export interface Ledger { events: number }
export const ledger = (): Ledger => ({ events: 0 })

/** lo <= x <= hi, a check that relies on `events` tail events. */
export const within = (l: Ledger, label: string, x: number, lo: number, hi: number, events = 1): Verdict => {
  l.events += events
  return x >= lo && x <= hi ? ok : failed(`${label}: ${x} is outside [${lo}, ${hi}]`)
}

/** The file's false-failure budget: events * TAIL < 1e-10. */
export const budget = (l: Ledger): Verdict =>
  l.events * TAIL < 1e-10 ? ok : failed(`${l.events} tail events of ${TAIL} each exceed the 1e-10 budget of this file`)

// ---------------------------------------------------------------- matrix helpers

/** sum of squares of all entries: ||A||_F^2 */
export const frob2 = (a: ArrayLike<number>): number => {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i] * a[i]
  return s
}

/** The smaller Gram matrix of A [r, c] row-major: A A^T [r, r] if r <= c, else A^T A [c, c]; same nonzero spectrum. */
export const gram = (a: Float64Array, r: number, c: number): { g: Float64Array; k: number } => {
  if (r > c) {
    const at = new Float64Array(r * c)
    for (let i = 0; i < r; i++) for (let k = 0; k < c; k++) at[k * r + i] = a[i * c + k]
    return gram(at, c, r)
  }
  return { g: denseForward(a, a, r, c, r), k: r } // A A^T as row dot products
}

/** ||A^T A||_F = ||A A^T||_F = sqrt(sum of squared eigenvalues of A^T A). */
export const gramFrobenius = (a: Float64Array, r: number, c: number): number => Math.sqrt(frob2(gram(a, r, c).g))

/**
 * An upper bound on lambda_max(G) = ||A||_op^2 for a PSD Gram G [k, k]:
 * lambda_max^p <= sum_i lambda_i^p = ||G^(p/2)||_F^2 for p = 2^(s+1), so
 * lambda_max <= ||G^(2^s)||_F^(1/2^s), within a factor k^(1/2^(s+1)) of it
 * (s = 3 squarings: 1.39 for k = 200). Each squaring is renormalized by its
 * Frobenius norm (logs kept) so nothing overflows. Rounding: a computed
 * product of a [k, k] with itself errs entrywise by <= k u |a||a| (Higham eq.
 * 3.13), whose Frobenius norm is <= k u ||a||_F^2, while ||a^2||_F >=
 * ||a||_F^2 / sqrt(k) for PSD a (sum l^4 >= (sum l^2)^2 / k): a relative error
 * <= k^1.5 u = 3e-13 per squaring for k = 200. The 1e-9 slack covers three.
 */
export const lambdaMaxBound = (G: Float64Array, k: number, squarings = 3): number => {
  let a = G
  let logScale = 0 // G^(2^i) = e^logScale * a
  for (let i = 0; i < squarings; i++) {
    const f = Math.sqrt(frob2(a))
    if (f === 0) return 0
    const an = a.map((v) => v / f)
    a = denseForward(an, an, k, k, k) // a a^T = a^2: every power of a symmetric G is symmetric
    logScale = 2 * (logScale + Math.log(f))
  }
  const p = 2 ** squarings
  return Math.exp((logScale + Math.log(Math.sqrt(frob2(a)))) / p) * (1 + 1e-9)
}

/** Mean of all entries. */
export const meanOf = (a: ArrayLike<number>): number => {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i]
  return s / a.length
}
