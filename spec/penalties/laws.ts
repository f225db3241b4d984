/**
 * Laws every penalty of this family obeys, as pure predicates over an op with
 * a scalar `loss` output and one input `w`.
 */
import * as E from 'fp-ts/lib/Either.js'
import { formatError } from '../../src/core/errors.ts'
import { type Op, vjp } from '../../src/core/op.ts'
import { type Tensor, fromArray, scalar } from '../../src/core/tensor.ts'
import { type Verdict, failed, ok } from '../laws/result.ts'
import { EPS64, TOL } from '../laws/tolerance.ts'

export type Attrs = Readonly<Record<string, unknown>>

/** The penalty and its gradient at w (cotangent 1), or the error as text. */
export const run = (op: Op, attrs: Attrs, w: Tensor): E.Either<string, { loss: number; dw: Float64Array }> => {
  const a = op.parseAttrs(attrs)
  if (E.isLeft(a)) return E.left(formatError(a.left))
  const r = vjp(op, a.right, { w }, { loss: scalar(1) })
  if (E.isLeft(r)) return E.left(formatError(r.left))
  if (r.right.outputs.loss.shape.length !== 0) return E.left(`loss of shape [${r.right.outputs.loss.shape}], expected []`)
  return E.right({ loss: r.right.outputs.loss.data[0], dw: r.right.gradients.w.data })
}

const value = (op: Op, attrs: Attrs, w: Tensor): number => {
  const r = run(op, attrs, w)
  return E.isLeft(r) ? NaN : r.right.loss
}

/**
 * Rounding bound for a penalty of n weights: a sum of n nonnegative terms,
 * each within OP_ULPS ulps (a product or two), is within (n + OP_ULPS) EPS64
 * times itself of the real sum (Higham, eq. 3.5); `size` bounds the value.
 * With gradual underflow each operation also carries an absolute error of at
 * most half the smallest subnormal (Higham, eq. 2.8: fl(x op y) = (x op y)(1 +
 * d) + e, |e| <= 2^-1075), which the relative term cannot cover when the
 * values themselves are subnormal: hence the (n + OP_ULPS) MIN_VALUE term.
 */
export const sumTol = (n: number, size: number): number => (n + TOL.OP_ULPS) * (EPS64 * size + Number.MIN_VALUE)

/**
 * Positive homogeneity of degree k: f(c w) = |c|^k f(w). Both sides are sums
 * of n nonnegative terms, so each is within sumTol of its real value.
 */
export const homogeneous = (op: Op, attrs: Attrs, k: number, w: Tensor, c: number): Verdict => {
  const lhs = value(op, attrs, fromArray(w.shape, w.data.map((v) => c * v)))
  const rhs = Math.abs(c) ** k * value(op, attrs, w)
  const tol = 2 * sumTol(w.data.length, Math.abs(rhs) + Math.abs(lhs))
  return Math.abs(lhs - rhs) <= tol ? ok : failed(`f(${c} w) = ${lhs}, |c|^${k} f(w) = ${rhs}, |diff| ${Math.abs(lhs - rhs)} > ${tol}`)
}

/**
 * Convexity along a segment: f(t a + (1 - t) b) <= t f(a) + (1 - t) f(b),
 * up to the rounding of the three evaluations (each within sumTol of itself).
 */
export const convex = (op: Op, attrs: Attrs, a: Tensor, b: Tensor, t: number): Verdict => {
  const mid = value(op, attrs, fromArray(a.shape, a.data.map((v, i) => t * v + (1 - t) * b.data[i])))
  const fa = value(op, attrs, a), fb = value(op, attrs, b)
  const chord = t * fa + (1 - t) * fb
  const tol = 2 * sumTol(a.data.length, Math.abs(fa) + Math.abs(fb) + Math.abs(mid))
  return mid <= chord + tol ? ok : failed(`f(mid) = ${mid} above the chord ${chord} (t = ${t})`)
}
