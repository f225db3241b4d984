/**
 * exp in plain float64 arithmetic, about twice as fast as V8's `Math.exp`
 * (a call into fdlibm per element; 3.35 against 6.3-6.6 ns a call here, 4M
 * calls, with the 128-entry table it had then), for the fast paths whose
 * cost is exp (cross entropy, GELU).
 * Table-driven (Tang 1989, "Table-driven implementation of the exponential
 * function in IEEE floating-point arithmetic", ACM TOMS 15(2)), N = 512:
 *   (1) k = round(v N / ln 2),  j = k mod N,  e = (k - j) / N
 *   (2) r = v - k ln2/N, evaluated as (v - k L1) + lo - k L2, L1 + L2 = ln2/N
 *   (3) exp(v + lo) = 2^e 2^(j/N) exp(r),  exp(r) ~ p(r) = sum_{i<=4} r^i / i!
 * Why N = 512 and degree 4 (until session 6, N = 128 and degree 5): the
 * smaller |r| makes the truncation error still negligible with one
 * multiplication and one addition fewer, and the 4 KiB table still sits in
 * L1 beside a row of cross entropy. The SIMD rows of ./softmax-rows.ts went
 * from 6.3-6.7 to 5.8 ms (4096 rows of 1000, one thread, the function
 * alone); a 2048-entry table with degree 3 took the function to 5.3 ms but
 * the rows from memory from 9.7-10.3 to 11.6-11.9 ms (its 16 KiB table
 * competes with the rows for L1), and added 0.3 u to the bound.
 *
 * Error bound, relative to the exact exp(v + lo), u = 2^-53, for v + lo in
 * [-708, 709] and |lo| <= 2^-13 (derivation; the constants are the ones below):
 *  - (1): s = v + lo and s N/ln2 each round once, so |s N/ln2 - k| <= 1/2 +
 *    2 u 709 N/ln2 < 0.5001 and the exact r of (2) has |r| <= 0.5001 ln2/N < 0.000678.
 *  - (2): k L1 is exact (L1 has 32 significant bits, |k| <= 709 N/ln2 + 1 < 2^19);
 *    v - k L1, + lo and - k L2 each round once, on values below |r| + |lo| +
 *    |k L2| (|k L2| < 2^19 1.91e-10/N < 2e-7), and L1 + L2 misses ln2/N by <= u |L2|:
 *    |r_computed - r| <= u (3 |r| + 2 |lo| + 3 |k L2|) < 0.0021 u + 2^-12 u < 0.003 u.
 *    exp turns an absolute error d of its argument into a relative one <= 1.0001 d.
 *  - Truncation: |exp(r) - p(r)| <= |r|^5/120 e^|r| < 1.2e-18 < 0.011 u.
 *  - Horner's rounding: each step rounds once; the last (1 + r s) rounds by
 *    <= u (1 + |r|), the inner ones reach the result scaled by |r| <= 0.00068
 *    (and the rounded coefficients 1/6, 1/24 by |r|^3/6 u), all relative to
 *    p >= 0.9993: < 1.004 u.
 *  - T[j] = 2^(j/N) from Math.pow: within 1 ulp, <= 2u relative (V8's pow is
 *    fdlibm's, error < 1 ulp).
 *  - T[j] p rounds once: u. The scaling by 2^e is exact: the domain keeps the
 *    result normal (exp(-708) > 2^-1022) and finite.
 * Sum: 0.003 + 0.011 + 1.004 + 2 + 1 = 4.018 units of u; the products of the
 * (1 + eps) factors add less than 1e-15 u. Hence
 *   (4) |fexp(v, lo) - exp(v + lo)| <= 4.02 u exp(v + lo)
 * EXP_REL below is 4.1 u. Outside the domain (results that underflow to
 * subnormals, overflow, NaN) fexp is Math.exp(v + lo), within 1 ulp (2u).
 * spec/fast/exp.spec.ts checks (4) against Math.exp (itself within 1 ulp).
 */

export const LOG_N = 9
export const N = 1 << LOG_N // 512
export const SHIFT = 6755399441055744 // 1.5 * 2^52: v + SHIFT - SHIFT rounds v to an integer (|v| < 2^51)
export const INV_L = N / Math.LN2
/**
 * ln2/N split as fdlibm's ln2_hi + ln2_lo (e_exp.c), divided by N: L1 has 32
 * significant bits, so k L1 is exact for |k| <= 2^21; L1 + L2 is ln2/N to
 * about 2^-85 relative (Math.LN2 / N alone, off by up to u relative, would
 * put |k| u ln2/N ~ 700 u into r at |v| ~ 700).
 */
export const L1 = 6.93147180369123816490e-01 / N
export const L2 = 1.90821492927058770002e-10 / N
export const C3 = 1 / 6, C4 = 1 / 24

/** T[j] = 2^(j/N), (3). */
export const T = new Float64Array(N)
for (let j = 0; j < N; j++) T[j] = Math.pow(2, j / N)

/** P[e + 1100] = 2^e exactly for e in [-1100, 1100] (built by exact doublings and halvings). */
const P = new Float64Array(2201)
P[1100] = 1
for (let e = 1; e <= 1100; e++) { P[1100 + e] = P[1099 + e] * 2; P[1100 - e] = P[1101 - e] / 2 }

/** The bound (4), rounded up: 4.1 u. */
export const EXP_REL = 4.1 * 2 ** -53

/** exp(v + lo) for a small correction lo (|lo| <= 2^-13; 0 for a plain exp), within (4). */
export const fexp = (v: number, lo: number): number => {
  const s = v + lo
  if (!(s >= -708 && s <= 709)) return Math.exp(s) // subnormal or overflowing results, NaN
  const k = s * INV_L + SHIFT - SHIFT // (1)
  const r = ((v - k * L1) + lo) - k * L2 // (2)
  // k as an int32 (exact: |k| < 2^19), so that j = k mod N and e = (k - j) / N are
  // integer operations, & and an arithmetic shift (floor division by N = 2^9, also for
  // negative k); the same values as in float arithmetic, a fifth faster per call
  // (4M calls: 3.35 against 4.13 ns each), the float forms being conversions per index.
  const ki = k | 0
  const p = 1 + r * (1 + r * (0.5 + r * (C3 + r * C4))) // (3)
  return T[ki & (N - 1)] * p * P[1100 + (ki >> LOG_N)] // (3)
}
