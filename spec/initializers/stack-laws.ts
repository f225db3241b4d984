/**
 * Conditional laws for one layer of a bias-free dense stack, shared by
 * ./stacks.spec.ts and spec/experiments/activation-stats.spec.ts.
 * A layer: H = h_{l-1} [B, n] given, W [m, n] fresh with iid rows w_j ~ N(0, s2 I),
 * Z = H W^T, h_l = f(Z). Given H, column j of Z is H w_j: the columns are iid
 * across j, and each entry z_sj ~ N(0, s2 ||h_s||^2). Hence:
 *  (Q) sum Z^2 = sum_j w_j^T (H^T H) w_j is a Gaussian quadratic form whose
 *      coefficients are s2 times the eigenvalues of H^T H, each repeated m times:
 *      sum a = m s2 ||H||_F^2, |a|_2 = sqrt(m) s2 ||H^T H||_F, |a|_inf = s2 ||H||_op^2
 *      (bounded above by ./bounds.ts's lambdaMaxBound). Bound (B1).
 *  (R) relu: w_j = eps_j u_j with eps_j = +-1 a fair sign independent of u_j
 *      (the law of w_j is symmetric), and relu(z)^2 + relu(-z)^2 = z^2, so
 *        sum relu(Z)^2 = (1/2) sum Z^2 + (1/2) sum_j eps_j d_j,  d_j = sum_s z_sj |z_sj|,
 *      where |d_j| does not depend on eps_j: (B4) bounds the second term, (Q) the first.
 *  (L) tanh^2: f(w) = (1/B) sum_s tanh(h_s . w)^2 has gradient (1/B) H^T u with
 *      |u_s| = |2 tanh sech^2| <= 4/(3 sqrt 3), so as a function of w/sqrt(s2) ~ N(0, I)
 *      it is L-Lipschitz, L = sqrt(s2) (4/(3 sqrt 3)) ||H||_op / sqrt(B), and the
 *      mean over m iid columns is L/sqrt(m)-Lipschitz: (B5). Its conditional
 *      mean is (1/B) sum_s g(s2 ||h_s||^2), g(v) = E tanh(sqrt(v) Z)^2 (below).
 *  (S) saturation: a Gaussian density is at most 1/(sigma sqrt(2 pi)), so
 *      P(|z_sj| <= a) <= 2a / (sqrt(s2) ||h_s|| sqrt(2 pi)); the saturated fraction
 *      is a mean of m iid column fractions in [0, 1]: (B3).
 */
import { denseForward } from '../../src/initializers/dense.ts'
import {
  frob2, gram, hoeffdingRadius, lambdaMaxBound, lipschitzRadius, quadraticForm, rademacherRadius,
} from './bounds.ts'

export interface Layer { readonly h: Float64Array; readonly B: number; readonly n: number; readonly m: number; readonly s2: number }

/** (Q): an interval for sum Z^2 given H (one two-sided tail event), and an upper bound on ||H||_op. */
export const quadraticInterval = ({ h, B, n, m, s2 }: Layer, squarings = 1): { interval: [number, number]; opNorm: number } => {
  const { g: G, k } = gram(h, B, n)
  const lmax = lambdaMaxBound(G, k, squarings)
  return { interval: quadraticForm(m * s2 * frob2(h), Math.sqrt(m) * s2 * Math.sqrt(frob2(G)), s2 * lmax), opNorm: Math.sqrt(lmax) }
}

/** (R) + (Q): an interval for sum relu(Z)^2 given H (two tail events). */
export const reluInterval = (layer: Layer, z: Float64Array): [number, number] => {
  const { B, m } = layer
  const [a, b] = quadraticInterval(layer).interval
  let sd2 = 0
  for (let j = 0; j < m; j++) {
    let d = 0
    for (let s = 0; s < B; s++) { const v = z[s * m + j]; d += v * Math.abs(v) }
    sd2 += d * d
  }
  const r = rademacherRadius(sd2)
  return [(a - r) / 2, (b + r) / 2]
}

/** g(v) = E tanh(sqrt(v) Z)^2, Z ~ N(0, 1), by the trapezoid rule on [-12, 12].
 * The integrand is analytic in the strip |Im x| < pi / (2 sqrt v) (tanh's poles),
 * so the rule's error is below exp(-2 pi d / h) max|f| (Trefethen & Weideman
 * 2014, Thm 5.1); h = d / 8 makes that e^{-16 pi} < 1e-21. The cut tails weigh
 * at most P(|Z| > 12) < 1e-32. Both far below the (B5) radii (~1e-2). */
export const g = (v: number): number => {
  if (v === 0) return 0
  const d = Math.PI / (2 * Math.sqrt(v))
  const h = Math.min(0.02, d / 8)
  const k = Math.ceil(12 / h)
  let s = 0
  for (let i = -k; i <= k; i++) {
    const x = i * h
    const t = Math.tanh(Math.sqrt(v) * x)
    s += t * t * Math.exp(-x * x / 2)
  }
  return (s * h) / Math.sqrt(2 * Math.PI)
}

export const rowNorms2 = (h: Float64Array, B: number, n: number): Float64Array => {
  const out = new Float64Array(B)
  for (let s = 0; s < B; s++) { let a = 0; for (let i = 0; i < n; i++) a += h[s * n + i] ** 2; out[s] = a }
  return out
}

/** (Q) and (L): an interval for sum Z^2 and one for mean(tanh(Z)^2), given H (two tail events). */
export const tanhIntervals = (layer: Layer): { sumZ2: [number, number]; meanH2: [number, number] } => {
  const { h, B, n, m, s2 } = layer
  const { interval, opNorm } = quadraticInterval(layer, 3)
  const lip = (Math.sqrt(s2) * (4 / (3 * Math.sqrt(3))) * opNorm) / Math.sqrt(B) / Math.sqrt(m)
  const r = lipschitzRadius(lip)
  const norms = rowNorms2(h, B, n)
  let e = 0
  for (let s = 0; s < B; s++) e += g(s2 * norms[s])
  e /= B
  return { sumZ2: interval, meanH2: [e - r, e + r] }
}

/** (S): a lower bound on the fraction of |tanh(z)| > level given H (one tail event). */
export const saturationLowerBound = ({ h, B, n, m, s2 }: Layer, level: number): number => {
  const a = Math.atanh(level)
  const norms = rowNorms2(h, B, n)
  let lower = 0
  for (let s = 0; s < B; s++) lower += 1 - Math.min(1, (2 * a) / (Math.sqrt(s2 * norms[s]) * Math.sqrt(2 * Math.PI)))
  return lower / B - hoeffdingRadius(m, 1)
}

/** The layer's pre-activation, for callers that build their own stacks. */
export const preActivation = ({ h, B, n, m }: Layer, w: Float64Array): Float64Array => denseForward(h, w, B, n, m)
