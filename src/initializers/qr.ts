/**
 * Thin QR factorization by Householder reflections, in float64 (Golub & Van
 * Loan, Matrix Computations, 4th ed., Alg. 5.2.1 and 5.1.5):
 * for M [m, n] with m >= n, M = Q R, Q [m, n] with orthonormal columns, R [n, n]
 * upper triangular.
 *   (1) for k = 0..n-1: x = M_k[k:, k], alpha_k = -sign(x_0) ||x||, v_k = x - alpha_k e_1
 *   (2)   M_{k+1} = H_k M_k,  H_k = I - 2 v_k v_k^T / (v_k^T v_k),  so R_kk = alpha_k
 *   (3) Q = H_0 H_1 ... H_{n-1} [I_n; 0]           accumulated backwards
 * alpha_k takes the sign opposite to x_0 so that v_k = x - alpha_k e_1 adds two
 * numbers of one sign: no cancellation, hence backward stability (Higham,
 * Accuracy and Stability, Thm 19.4: ||Q^T Q - I|| = O(m n u)). It also means
 * diag(R) has either sign: LAPACK's (and torch.linalg.qr's) convention, which
 * is why orthogonal init multiplies by sign(diag R) afterwards.
 * Columns that vanish (x = 0) get H_k = I and R_kk = 0.
 */

export interface QR {
  /** [m, n] row-major, orthonormal columns */
  readonly q: Float64Array
  /** [n, n] row-major, upper triangular */
  readonly r: Float64Array
}

export const householderQR = (a: ArrayLike<number>, m: number, n: number): QR => {
  const w = Float64Array.from(a) // works on a copy: the caller's array is never written
  const vs: Float64Array[] = []
  const vv = new Float64Array(n) // v_k^T v_k, 0 for an identity step
  const tmp = new Float64Array(n)
  for (let k = 0; k < n; k++) {
    let norm2 = 0
    for (let i = k; i < m; i++) norm2 += w[i * n + k] * w[i * n + k]
    const norm = Math.sqrt(norm2)
    const alpha = w[k * n + k] >= 0 ? -norm : norm // (1)
    const v = new Float64Array(m - k)
    for (let i = k; i < m; i++) v[i - k] = w[i * n + k]
    v[0] -= alpha // (1)
    let s = 0
    for (let i = 0; i < v.length; i++) s += v[i] * v[i]
    vs.push(v)
    vv[k] = s
    if (s === 0) continue
    // (2) on the trailing block: w[k:, j] -= (2 / s) v (v^T w[k:, j])
    tmp.fill(0, k)
    for (let i = k; i < m; i++) {
      const vi = v[i - k]
      const row = i * n
      for (let j = k; j < n; j++) tmp[j] += vi * w[row + j]
    }
    for (let i = k; i < m; i++) {
      const c = (2 / s) * v[i - k]
      const row = i * n
      for (let j = k; j < n; j++) w[row + j] -= c * tmp[j]
    }
  }
  const r = new Float64Array(n * n)
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) r[i * n + j] = w[i * n + j]
  // (3): Q = [I; 0], then Q <- H_k Q for k = n-1 .. 0; H_k touches rows k.. and,
  // on [I; 0] after H_{n-1} .. H_{k+1}, only columns k.. are non-trivial there
  const q = new Float64Array(m * n)
  for (let i = 0; i < n; i++) q[i * n + i] = 1
  for (let k = n - 1; k >= 0; k--) {
    const s = vv[k]
    if (s === 0) continue
    const v = vs[k]
    tmp.fill(0, k)
    for (let i = k; i < m; i++) {
      const vi = v[i - k]
      const row = i * n
      for (let j = k; j < n; j++) tmp[j] += vi * q[row + j]
    }
    for (let i = k; i < m; i++) {
      const c = (2 / s) * v[i - k]
      const row = i * n
      for (let j = k; j < n; j++) q[row + j] -= c * tmp[j]
    }
  }
  return { q, r }
}
