/**
 * The fast float64 matrix product behind matmul, linear and convolution
 * (forward and backward): C += op(A) op(B), blocked for the caches and tiled
 * for the registers, in plain JavaScript (docs/performance.md says why not
 * WebAssembly or threads).
 *
 *   (1) C[i, j] += sum_{p < k} A(i, p) B(p, j),   i < n, j < m
 *
 * A(i, p) sits at a[ao + i ars + p acs] and B(p, j) at b[bo + p brs + j bcs]:
 * any transpose is a choice of strides, so no caller materializes one. C is
 * row-major [n, m] at offset co and belongs to the caller (it allocated it);
 * A and B are only read.
 *
 * The algorithm is Goto and van de Geijn's (ACM TOMS 34(3), 2008): a KC x NC
 * block of B is packed into NR-column panels, an MC x KC block of A into
 * MR-row panels, and an MR x NR micro-kernel keeps its 16 partial sums in
 * locals (registers) while it streams both panels once. Packing copies every
 * operand into unit-stride order whatever its strides, which is also what
 * makes transposed operands free.
 *
 * Rounding: each C[i, j] is still one sum of k products, accumulated in
 * blocks of KC terms that are then added to C. Any order of summation of k
 * terms has |computed - exact| <= gamma_k sum_p |A(i, p) B(p, j)|, gamma_k =
 * k u / (1 - k u), u = 2^-53 (Higham, Accuracy and Stability, 3.1), the same
 * bound as the reference's i-k-j loop: the two differ by at most 2 gamma_k
 * sum |A B|. The zero padding of edge panels only meets outputs that are
 * discarded, so 0 * Inf never reaches a result (no zero-skipping either).
 */

/** Micro-tile: MR rows of A times NR columns of B (4 x 4: 16 accumulators, measured best). */
const MR = 4
const NR = 4
/** Depth of one block: a KC x NR panel of B (8 KB) stays in L1 across a row of A panels. */
const KC = 256
/** Rows of A per block: MC x KC doubles = 128 KB, within L2. */
const MC = 64
/** Columns of B per block: KC x NC doubles = 1 MB, within L2/L3. */
const NC = 512
/** Below this many multiply-adds, packing costs more than it saves. */
const SMALL = 32 * 32 * 32

// Packing buffers: the kernel's own scratch, reused between calls (single-threaded,
// never handed out), sized for one block.
const packA = new Float64Array(MC * KC)
const packB = new Float64Array(KC * NC)
const edge = new Float64Array(MR * NR)

/** Pack A(i0 .. i0+mc, p0 .. p0+kc) into MR-row panels: panel r holds rows r MR .. r MR + MR - 1, p-major. */
const packPanelsA = (a: Float64Array, ao: number, ars: number, acs: number, i0: number, mc: number, p0: number, kc: number): void => {
  let q = 0
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = Math.min(MR, mc - ir)
    const base = ao + (i0 + ir) * ars + p0 * acs
    if (rows === MR) {
      let s0 = base, s1 = base + ars, s2 = base + 2 * ars, s3 = base + 3 * ars
      for (let p = 0; p < kc; p++) {
        packA[q] = a[s0]; packA[q + 1] = a[s1]; packA[q + 2] = a[s2]; packA[q + 3] = a[s3]
        q += MR; s0 += acs; s1 += acs; s2 += acs; s3 += acs
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < MR; r++) packA[q + r] = r < rows ? a[base + r * ars + p * acs] : 0
        q += MR
      }
    }
  }
}

/** Pack B(p0 .. p0+kc, j0 .. j0+nc) into NR-column panels, p-major inside a panel. */
const packPanelsB = (b: Float64Array, bo: number, brs: number, bcs: number, p0: number, kc: number, j0: number, nc: number): void => {
  let q = 0
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = Math.min(NR, nc - jr)
    const base = bo + p0 * brs + (j0 + jr) * bcs
    if (cols === NR) {
      let s = base
      const c1 = bcs, c2 = 2 * bcs, c3 = 3 * bcs
      for (let p = 0; p < kc; p++) {
        packB[q] = b[s]; packB[q + 1] = b[s + c1]; packB[q + 2] = b[s + c2]; packB[q + 3] = b[s + c3]
        q += NR; s += brs
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let c = 0; c < NR; c++) packB[q + c] = c < cols ? b[base + p * brs + c * bcs] : 0
        q += NR
      }
    }
  }
}

/** The 4 x 4 micro-kernel: c[co + r ldc + s] += sum_p pa[ia + 4p + r] pb[ib + 4p + s]. */
const kernel4x4 = (pa: Float64Array, ia: number, pb: Float64Array, ib: number, kc: number, c: Float64Array, co: number, ldc: number): void => {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0
  for (let p = 0; p < kc; p++) {
    const a0 = pa[ia], a1 = pa[ia + 1], a2 = pa[ia + 2], a3 = pa[ia + 3]
    const b0 = pb[ib], b1 = pb[ib + 1], b2 = pb[ib + 2], b3 = pb[ib + 3]
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3
    ia += MR; ib += NR
  }
  c[co] += c00; c[co + 1] += c01; c[co + 2] += c02; c[co + 3] += c03; co += ldc
  c[co] += c10; c[co + 1] += c11; c[co + 2] += c12; c[co + 3] += c13; co += ldc
  c[co] += c20; c[co + 1] += c21; c[co + 2] += c22; c[co + 3] += c23; co += ldc
  c[co] += c30; c[co + 1] += c31; c[co + 2] += c32; c[co + 3] += c33
}

/** (1) for small products: the plain i-p-j loop, strided (packing would dominate). */
const small = (
  n: number, m: number, k: number,
  a: Float64Array, ao: number, ars: number, acs: number,
  b: Float64Array, bo: number, brs: number, bcs: number,
  c: Float64Array, co: number,
): void => {
  for (let i = 0; i < n; i++) {
    const crow = co + i * m
    for (let p = 0; p < k; p++) {
      const av = a[ao + i * ars + p * acs]
      const brow = bo + p * brs
      for (let j = 0; j < m; j++) c[crow + j] += av * b[brow + j * bcs] // (1)
    }
  }
}

/** (1): C[n, m] (row-major at co) += op(A) op(B) with A(i, p) = a[ao + i ars + p acs], B(p, j) = b[bo + p brs + j bcs]. */
export const gemm = (
  n: number, m: number, k: number,
  a: Float64Array, ao: number, ars: number, acs: number,
  b: Float64Array, bo: number, brs: number, bcs: number,
  c: Float64Array, co: number,
): void => {
  if (n === 0 || m === 0 || k === 0) return
  if (n * m * k <= SMALL || n < MR || m < NR) small(n, m, k, a, ao, ars, acs, b, bo, brs, bcs, c, co)
  else gemmBlocked(n, m, k, a, ao, ars, acs, b, bo, brs, bcs, c, co)
}

/** (1) through packing and the micro-kernel whatever the size (gemm's large path; specs call it on small sizes too). */
export const gemmBlocked = (
  n: number, m: number, k: number,
  a: Float64Array, ao: number, ars: number, acs: number,
  b: Float64Array, bo: number, brs: number, bcs: number,
  c: Float64Array, co: number,
): void => {
  for (let j0 = 0; j0 < m; j0 += NC) {
    const nc = Math.min(NC, m - j0)
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = Math.min(KC, k - p0)
      packPanelsB(b, bo, brs, bcs, p0, kc, j0, nc)
      for (let i0 = 0; i0 < n; i0 += MC) {
        const mc = Math.min(MC, n - i0)
        packPanelsA(a, ao, ars, acs, i0, mc, p0, kc)
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = Math.min(NR, nc - jr)
          const ib = jr * kc
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = Math.min(MR, mc - ir)
            const ia = ir * kc
            const at = co + (i0 + ir) * m + j0 + jr
            if (rows === MR && cols === NR) {
              kernel4x4(packA, ia, packB, ib, kc, c, at, m)
            } else {
              edge.fill(0)
              kernel4x4(packA, ia, packB, ib, kc, edge, 0, NR)
              for (let r = 0; r < rows; r++) for (let s = 0; s < cols; s++) c[at + r * m + s] += edge[r * NR + s]
            }
          }
        }
      }
    }
  }
}

/** Row-major strides of an [r, c] matrix, or of its transpose read in place. */
export const rowMajor = (cols: number): readonly [number, number] => [cols, 1]
export const transposed = (cols: number): readonly [number, number] => [1, cols]

/** Fresh C = op(A) op(B) for row-major A [n, k] (or [k, n] with ta) and B [k, m] (or [m, k] with tb). */
export const matmul2d = (a: Float64Array, ta: boolean, b: Float64Array, tb: boolean, n: number, k: number, m: number): Float64Array => {
  const c = new Float64Array(n * m)
  const [ars, acs] = ta ? transposed(n) : rowMajor(k)
  const [brs, bcs] = tb ? transposed(k) : rowMajor(m)
  gemm(n, m, k, a, 0, ars, acs, b, 0, brs, bcs, c, 0)
  return c
}
