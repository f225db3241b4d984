/**
 * Eigen-decomposition of a symmetric matrix by the cyclic Jacobi method
 * (Golub & Van Loan, Matrix Computations, 4th ed., section 8.5), for PCA.
 *
 * Each rotation J in the (p, q) plane zeroes a_pq of A' = J^T A J:
 *   (1) theta = (a_qq - a_pp) / (2 a_pq)
 *   (2) t = sign(theta) / (|theta| + sqrt(theta^2 + 1))    the smaller root of t^2 + 2 theta t - 1 = 0
 *   (3) c = 1 / sqrt(t^2 + 1),  s = t c
 *   (4) columns p, q of A and V: (c a_p - s a_q, s a_p + c a_q); then the same on rows of A
 * Sweeps over all p < q until the off-diagonal mass is below u^2 ||A||_F^2
 * (the diagonal is then the spectrum to within a few ulps of ||A||). Chosen
 * over QR iteration for its accuracy on small eigenvalues (Demmel & Veselic
 * 1992), which whitening divides by, and for its few lines; it costs
 * ~6 D^3 flops per sweep, seconds at D = 784.
 *
 * Output: eigenvalues in descending order and the matching unit eigenvectors
 * as ROWS (PCA's components); each vector's largest-magnitude entry is made
 * positive (the first such on ties), so the result does not depend on the
 * sign choices of the rotations.
 */

export interface Eigen {
  readonly values: Float64Array
  /** [D, D] row-major, row k the eigenvector of values[k] */
  readonly vectors: Float64Array
  readonly sweeps: number
}

const MAX_SWEEPS = 100

/** A is [d, d] row-major and symmetric (the caller's invariant); it is not written to. */
export const symmetricEigen = (a0: Float64Array, d: number): Eigen => {
  const a = Float64Array.from(a0)
  const v = new Float64Array(d * d)
  for (let i = 0; i < d; i++) v[i * d + i] = 1
  let frob = 0
  for (let i = 0; i < a.length; i++) frob += a[i] * a[i]
  const target = Number.EPSILON * Number.EPSILON * frob
  let sweeps = 0
  for (; sweeps < MAX_SWEEPS; sweeps++) {
    let off = 0
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += 2 * a[p * d + q] * a[p * d + q]
    if (off <= target) break
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q]
        if (apq === 0) continue
        const theta = (a[q * d + q] - a[p * d + p]) / (2 * apq) // (1)
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1)) // (2)
        const c = 1 / Math.sqrt(t * t + 1), s = t * c // (3)
        for (let k = 0; k < d; k++) { // (4) columns
          const akp = a[k * d + p], akq = a[k * d + q]
          a[k * d + p] = c * akp - s * akq
          a[k * d + q] = s * akp + c * akq
          const vkp = v[k * d + p], vkq = v[k * d + q]
          v[k * d + p] = c * vkp - s * vkq
          v[k * d + q] = s * vkp + c * vkq
        }
        for (let k = 0; k < d; k++) { // (4) rows
          const apk = a[p * d + k], aqk = a[q * d + k]
          a[p * d + k] = c * apk - s * aqk
          a[q * d + k] = s * apk + c * aqk
        }
        a[p * d + q] = 0
        a[q * d + p] = 0
      }
    }
  }
  const order = Array.from({ length: d }, (_, i) => i).sort((i, j) => a[j * d + j] - a[i * d + i] || i - j)
  const values = new Float64Array(d)
  const vectors = new Float64Array(d * d)
  order.forEach((col, row) => {
    values[row] = a[col * d + col]
    let big = 0
    for (let k = 1; k < d; k++) if (Math.abs(v[k * d + col]) > Math.abs(v[big * d + col])) big = k
    const sign = v[big * d + col] < 0 ? -1 : 1
    for (let k = 0; k < d; k++) vectors[row * d + k] = sign * v[k * d + col]
  })
  return { values, vectors, sweeps }
}
