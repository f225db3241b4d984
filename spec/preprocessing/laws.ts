/**
 * Laws of fitted preprocessing, as pure predicates over a data matrix or
 * images and what the fit returned. Each tolerance's argument sits beside it.
 * u = 2^-53 is the unit roundoff; EPS64 = 2u.
 */
import { type Tensor, sizeOf } from '../../src/core/tensor.ts'
import { EPS64 } from '../laws/tolerance.ts'
import { type Verdict, failed, ok } from '../laws/result.ts'

const fmt = (v: number): string => v.toPrecision(6)

/** Groups of flat positions: per feature (x.shape[1:]) or per channel (axis 1). */
export const groupsOf = (shape: readonly number[], per: 'feature' | 'channel'): number[][] => {
  const n = sizeOf(shape), feat = sizeOf(shape.slice(1)), inner = sizeOf(shape.slice(2))
  const m = per === 'feature' ? feat : shape[1]
  const g: number[][] = Array.from({ length: m }, () => [])
  for (let i = 0; i < n; i++) g[per === 'feature' ? i % feat : Math.floor(i / inner) % shape[1]].push(i)
  return g
}

/**
 * Standardized training data y = (x - mean) / std has, per group k of n
 * entries, mean 0 and (biased) variance 1 within rounding:
 *   |mean(y)| <= n EPS64 (max|x| / std + 2 max|y|)
 *     the fitted mean's summation error is <= (n - 1) u max|x| (recursive
 *     sum, Higham 3.5), so sum (x - mean_hat) / n <= n u max|x| / std; each y
 *     carries 2u relative error; this check's own sum adds n u max|y|.
 *   |var(y) - 1| <= (2n + 16) EPS64 max(1, max y^2)
 *     the fitted variance and this check's variance are both sums of n
 *     squares (relative error <= (n + 2) u each), the root and the divisions
 *     add a few u: the two agree to (2n + 8) u relative, doubled for the margin.
 * A constant group (std fitted as 1, ../../src/preprocessing/scaler.ts (3))
 * must come out exactly 0.
 */
export const standardizedLaw = (x: Tensor, y: Tensor, std: Tensor, per: 'feature' | 'channel'): Verdict => {
  const groups = groupsOf(x.shape, per)
  for (const [k, g] of groups.entries()) {
    const n = g.length
    let maxX = 0, maxY = 0, s = 0, constant = true
    for (const i of g) { maxX = Math.max(maxX, Math.abs(x.data[i])); maxY = Math.max(maxY, Math.abs(y.data[i])); s += y.data[i]; if (x.data[i] !== x.data[g[0]]) constant = false }
    if (constant) {
      if (g.some((i) => y.data[i] !== 0)) return failed(`group ${k} is constant but standardizes to non-zero values`)
      continue
    }
    const mean = s / n
    let v = 0
    for (const i of g) v += (y.data[i] - mean) ** 2
    v /= n
    const bMean = n * EPS64 * (maxX / Math.abs(std.data[k]) + 2 * maxY)
    const bVar = (2 * n + 16) * EPS64 * Math.max(1, maxY * maxY)
    if (!(Math.abs(mean) <= bMean)) return failed(`group ${k}: mean ${fmt(mean)} beyond ${fmt(bMean)}`)
    if (!(Math.abs(v - 1) <= bVar)) return failed(`group ${k}: variance ${fmt(v)}, |var - 1| beyond ${fmt(bVar)}`)
  }
  return ok
}

/** Biased covariance (1/N) Yc^T Yc of a matrix [N, D], two-pass. */
export const covariance = (y: Tensor): Float64Array => {
  const [n, d] = y.shape
  const mean = new Float64Array(d)
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += y.data[i * d + j] / n
  const c = new Float64Array(d * d)
  for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) c[a * d + b] += (y.data[i * d + a] - mean[a]) * (y.data[i * d + b] - mean[b]) / n
  return c
}

/**
 * The rotated training data Y = Xc P^T has covariance diag(variances), the
 * whitened data (eps = 0) the identity, within
 *   |cov(Y)_ab - delta_ab var_a| <= (N + 32 D) EPS64 R,   R = max_n ||xc_n||^2
 * Each y_na is a dot product of D terms (error <= D u ||xc_n||, Cauchy-Schwarz
 * with unit rows) through rows orthonormal to <= 12 D u (Jacobi: each of its
 * <= 12 sweeps, checked by eigen.spec.ts at these sizes, loses O(D u)); a
 * covariance entry averages N products y_na y_nb, each <= R, adding N u R.
 * Whitened entries divide by sqrt(var_a var_b), and so does their bound.
 */
export const pcaLaw = (xc: Tensor, y: Tensor, variances: Tensor, whiten: boolean): Verdict => {
  const [n, d] = xc.shape
  let r = 0
  for (let i = 0; i < n; i++) { let s = 0; for (let j = 0; j < d; j++) s += xc.data[i * d + j] ** 2; r = Math.max(r, s) }
  const c = covariance(y)
  const base = (n + 32 * d) * EPS64 * r
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) {
      const va = variances.data[a], vb = variances.data[b]
      const want = a !== b ? 0 : whiten ? 1 : va
      const tol = whiten ? base / Math.sqrt(va * vb) + 4 * EPS64 : base
      if (!(Math.abs(c[a * d + b] - want) <= tol)) {
        return failed(`cov[${a}, ${b}] = ${fmt(c[a * d + b])}, expected ${want}${whiten ? ' (whitened)' : ''} within ${fmt(tol)}`)
      }
    }
  }
  return ok
}
