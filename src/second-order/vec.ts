/**
 * Flat float64 vectors and small dense matrices (row-major n x n), the
 * arithmetic the second-order methods share. Every function allocates its
 * result; none writes into an argument.
 */
export type Vec = Float64Array

export const dot = (a: Vec, b: Vec): number => {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i] * b[i]
  return s
}
/** a + t b */
export const axpy = (a: Vec, t: number, b: Vec): Vec => a.map((v, i) => v + t * b[i])
export const scale = (a: Vec, t: number): Vec => a.map((v) => v * t)
export const sub = (a: Vec, b: Vec): Vec => a.map((v, i) => v - b[i])
export const neg = (a: Vec): Vec => a.map((v) => -v)
export const absMax = (a: Vec): number => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0)
export const absSum = (a: Vec): number => a.reduce((m, v) => m + Math.abs(v), 0)
export const norm = (a: Vec): number => Math.sqrt(dot(a, a))

/** y = M x for M n x n row-major. */
export const matVec = (M: Vec, x: Vec): Vec => {
  const n = x.length
  const y = new Float64Array(n)
  for (let i = 0; i < n; i++) { let s = 0; for (let j = 0; j < n; j++) s += M[i * n + j] * x[j]; y[i] = s }
  return y
}

export const identity = (n: number, s = 1): Vec => {
  const I = new Float64Array(n * n)
  for (let i = 0; i < n; i++) I[i * n + i] = s
  return I
}

/**
 * Solve M x = b by Gaussian elimination with partial pivoting; undefined when
 * a pivot is zero or not finite (M singular to working precision).
 */
export const solve = (M: Vec, b: Vec): Vec | undefined => {
  const n = b.length
  const A = Float64Array.from(M), x = Float64Array.from(b)
  for (let c = 0; c < n; c++) {
    let p = c
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r * n + c]) > Math.abs(A[p * n + c])) p = r
    const piv = A[p * n + c]
    if (piv === 0 || !Number.isFinite(piv)) return undefined
    if (p !== c) {
      for (let j = 0; j < n; j++) { const t = A[c * n + j]; A[c * n + j] = A[p * n + j]; A[p * n + j] = t }
      const t = x[c]; x[c] = x[p]; x[p] = t
    }
    for (let r = c + 1; r < n; r++) {
      const f = A[r * n + c] / piv
      if (f === 0) continue
      for (let j = c; j < n; j++) A[r * n + j] -= f * A[c * n + j]
      x[r] -= f * x[c]
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r]
    for (let j = r + 1; j < n; j++) s -= A[r * n + j] * x[j]
    x[r] = s / A[r * n + r]
  }
  return x
}

/** Cholesky factor L (lower, row-major) of a symmetric M, or undefined when M is not positive definite. */
export const cholesky = (M: Vec, n: number): Vec | undefined => {
  const L = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = M[i * n + j]
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k]
      if (i === j) {
        if (!(s > 0)) return undefined
        L[i * n + i] = Math.sqrt(s)
      } else {
        L[i * n + j] = s / L[j * n + j]
      }
    }
  }
  return L
}
