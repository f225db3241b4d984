/**
 * What "the fast path agrees with the reference" means, per output element.
 *
 * Two kinds of fast path:
 *  - Same arithmetic, same order (normalizations, max pooling): every sum
 *    runs through the same values in the same order and every other
 *    expression is the reference's, so the results must be the reference's
 *    to the bit. `identical` asserts that (Object.is: -0 and +0 differ, NaN
 *    equals NaN).
 *  - Another exp (GELU, cross entropy: src/fast/exp.ts): their bounds follow
 *    the exp's through each op's own expressions, and are derived beside
 *    their checks in ./pointwise.spec.ts.
 *  - Reassociated sums (matmul, linear, convolution: blocked GEMM): each
 *    output is the same sum of M terms t_i (products of two float64 numbers,
 *    or a bias), added in another order. The bound below is derived, not tuned:
 *
 * With u = 2^-53 and gamma_M = M u / (1 - M u), any order of evaluating a sum
 * of M rounded products satisfies |computed - exact| <= gamma_M S,
 * S = sum_i |t_i| (Higham, Accuracy and Stability of Numerical Algorithms,
 * 2nd ed., eq. 3.5 and its proof, which holds for every summation order: each
 * term passes through at most M - 1 additions and one multiplication, each
 * with a relative error <= u). The reference and the fast path are two such
 * evaluations, so they differ by at most 2 gamma_M S. S itself is computed in
 * float64 (the reference op on |inputs|, whose every term is |t_i|), within
 * gamma_M S of the exact S: hence the factor (1 + gamma_M). A product below
 * 2^-1022 errs absolutely instead, by at most 2^-1075 (Higham's eta); M of
 * them in each of the two evaluations add 2 M 2^-1075 = M MIN_VALUE.
 *
 *   |fast - reference| <= 2 gamma_M S (1 + gamma_M) + M MIN_VALUE
 *
 * M may be any upper bound on the number of terms in one output's sum; the
 * specs use simple ones (e.g. k + 1 for a product with a bias). A planted bug
 * that drops, duplicates or misplaces a term moves the result by about one
 * |t_i| ~ S / M, far above 2 gamma_M S ~ 2 M u S while M << 2^26.
 */
import type { Tensor } from '../../src/core/tensor.ts'
import { type Verdict, failed, ok } from '../laws/result.ts'

const U = 2 ** -53

export const gamma = (m: number): number => (m * U) / (1 - m * U)

/** The derived bound for two evaluations of a sum of at most m terms whose absolute values sum to s. */
export const reorderTolerance = (m: number, s: number): number => 2 * gamma(m) * s * (1 + gamma(m)) + m * Number.MIN_VALUE

const sameShape = (what: string, fast: Tensor, ref: Tensor): Verdict =>
  fast.shape.join() !== ref.shape.join() || fast.data.length !== ref.data.length
    ? failed(`${what}: fast shape [${fast.shape}], reference [${ref.shape}]`)
    : fast.dtype !== ref.dtype ? failed(`${what}: fast dtype ${fast.dtype}, reference ${ref.dtype}`) : ok

/** fast within the reorder bound of ref, element by element; s = the op on |inputs| (same shape). */
export const withinReorder = (what: string, fast: Tensor, ref: Tensor, s: Tensor, m: number): Verdict => {
  const shape = sameShape(what, fast, ref)
  if (!shape.ok) return shape
  for (let i = 0; i < ref.data.length; i++) {
    const tol = reorderTolerance(m, s.data[i])
    const d = Math.abs(fast.data[i] - ref.data[i])
    if (!(d <= tol)) return failed(`${what}[${i}]: fast ${fast.data[i]}, reference ${ref.data[i]}, |diff| ${d} > derived bound ${tol} (M = ${m}, S = ${s.data[i]})`)
  }
  return ok
}

/** fast equal to ref to the bit, element by element. */
export const identical = (what: string, fast: Tensor, ref: Tensor): Verdict => {
  const shape = sameShape(what, fast, ref)
  if (!shape.ok) return shape
  for (let i = 0; i < ref.data.length; i++) {
    if (!Object.is(fast.data[i], ref.data[i])) return failed(`${what}[${i}]: fast ${fast.data[i]}, reference ${ref.data[i]} (must be identical)`)
  }
  return ok
}

/** Every named tensor of `ref` identical in `fast`, and no extra names. */
export const identicalAll = (what: string, fast: Readonly<Record<string, Tensor>>, ref: Readonly<Record<string, Tensor>>): Verdict => {
  const fk = Object.keys(fast).sort().join(), rk = Object.keys(ref).sort().join()
  if (fk !== rk) return failed(`${what}: fast gives {${fk}}, reference {${rk}}`)
  for (const k of Object.keys(ref)) {
    const v = identical(`${what}.${k}`, fast[k], ref[k])
    if (!v.ok) return v
  }
  return ok
}
