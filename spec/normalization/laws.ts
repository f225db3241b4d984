/**
 * Laws of standardization, as pure predicates over tensors and groups
 * (./groups.ts), usable against any implementation. u = 2^-53 is the unit
 * roundoff and EPS64 = 2u; a naive sum of n terms errs by at most
 * gamma_n sum|terms| with gamma_n = n u / (1 - n u) (Higham, Accuracy and
 * Stability, 3.1), which the bounds below write as n u, and then state in
 * EPS64 = 2u: a factor two of margin, not tuned. Below the normal range an
 * operation errs by an absolute ETA = 2^-1074 instead (gradual underflow,
 * Higham 2.2): drawn values like 5e-324 reach it, so every bound carries the
 * same count of operations times ETA, amplified like the relative part.
 */
export const ETA = Number.MIN_VALUE
import { EPS64 } from '../laws/tolerance.ts'
import { type Verdict, failed, ok } from '../laws/result.ts'
import type { Tensor } from '../../src/core/tensor.ts'
import { type Groups, statsOf } from './groups.ts'

const fmt = (v: number): string => v.toPrecision(6)

/**
 * Without weight and bias, y = xhat has, over each group of n values, mean 0
 * and biased variance var / (var + eps) (1 when eps = 0; eps inside the root
 * is what makes it less than 1).
 *
 * Tolerance for a group with r = 1/sqrt(var + eps), X = max|xhat|, M = max|x|:
 *  - mean: the computed mean m^ errs by e <= (n + 1) u M, which shifts every
 *    xhat by r e; each xhat carries <= 2u X more (a subtraction, a product),
 *    and our own sum adds n u X: |mean y| <= (n + 4) u (r M + X).
 *  - variance: centring on the computed mean of y removes the shift; what
 *    remains is the relative error of sum (x - m^)^2 (n + 3 terms' worth of u),
 *    of r^2 (the root and division of that sum, (n + 9) u), of our squares and
 *    sum ((n + 4) u), against an expectation <= 1; and the shift inflates the
 *    op's variance to var + e^2, giving var / (var + e^2 + eps), off by at most
 *    2 (r e)^2. So (2n + 16) u + 2 (r (n + 1) u M)^2.
 */
export const standardized = (x: Tensor, y: Tensor, groups: Groups, eps: number): Verdict => {
  for (const [k, g] of groups.entries()) {
    // an empty group has no statistics; one value with eps = 0 is 0/0, NaN in PyTorch too
    if (g.length === 0 || (g.length === 1 && eps === 0)) continue
    const sx = statsOf(x.data, g), sy = statsOf(y.data, g)
    const n = g.length, r = 1 / Math.sqrt(sx.variance + eps)
    const tolMean = (n + 4) * EPS64 * (r * sx.maxAbs + sy.maxAbs) + (n + 4) * ETA * (1 + r)
    if (!(Math.abs(sy.mean) <= tolMean)) return failed(`group ${k}: mean of the normalized output ${fmt(sy.mean)}, tolerance ${fmt(tolMean)}`)
    const expected = sx.variance / (sx.variance + eps)
    const tolVar = (2 * n + 16) * EPS64 + 2 * (r * (n + 1) * EPS64 * sx.maxAbs) ** 2
    if (!(Math.abs(sy.variance - expected) <= tolVar)) {
      return failed(`group ${k}: biased variance of the normalized output ${sy.variance}, expected var/(var+eps) = ${expected} (|diff| ${fmt(Math.abs(sy.variance - expected))} > ${fmt(tolVar)})`)
    }
  }
  return ok
}

/**
 * The gradient with respect to x is orthogonal to the directions the output
 * cannot see: shifting a group by a constant never changes y, so the gradient
 * sums to zero over each group. Scaling a group's deviations x - mu changes y
 * only through eps, and (5) of src/normalization/standardize.ts gives exactly
 *   <dx, xhat>_group = r eps / (var + eps) <dxhat, xhat>_group
 * so dx is orthogonal to xhat when eps = 0, whatever gamma, and not otherwise.
 * When gamma = 1 (no weight) dxhat is the cotangent g itself, which lets us
 * check the identity for every eps; with a weight we check only eps = 0.
 *
 * Tolerance, with A >= max |dxhat| = max |g gamma|, X = sqrt(n) >= max |xhat|,
 * M = max |x|: each dx_i = r/n (n dxhat_i - S1 - xhat_i S2) is computed
 * within (n + 6) u r A (2 + X^2) (the sums S1, S2 of n terms, then a handful of
 * operations); summing n of them adds n u of their size; and the formula,
 * exact for the computed xhat, sums over a group to -(r/n) S2 sum(xhat), with
 * |sum xhat| <= n (n + 4) u (r M + X) as in `standardized`. In all:
 *   |sum dx| <= (n + 4) EPS64 n r A ((2 + X^2) + X (r M + X))
 * and for <dx, xhat> the same times X (|S2| <= n A X covers the op's own
 * 1 - sum(xhat^2)/n being eps/(var + eps) only to (n + 9) u), plus
 * (n + 4) EPS64 r sum |g xhat| for the expected value's own rounding.
 */
export const gradientCentred = (x: Tensor, dx: Tensor, groups: Groups, eps: number, maxDxhat: number, gWhenGammaIsOne?: Tensor): Verdict => {
  for (const [k, g] of groups.entries()) {
    if (g.length < 2) continue
    const sx = statsOf(x.data, g)
    const n = g.length, r = 1 / Math.sqrt(sx.variance + eps)
    const X = Math.sqrt(n)
    const tolSum = (n + 4) * EPS64 * n * r * maxDxhat * ((2 + X * X) + X * (r * sx.maxAbs + X)) + (n + 4) * n * ETA * (1 + r) * (2 + X * X)
    let sum = 0, along = 0, gx = 0, gxAbs = 0
    for (const i of g) {
      const xhat = (x.data[i] - sx.mean) * r
      sum += dx.data[i]
      along += dx.data[i] * xhat
      if (gWhenGammaIsOne !== undefined) { gx += gWhenGammaIsOne.data[i] * xhat; gxAbs += Math.abs(gWhenGammaIsOne.data[i] * xhat) }
    }
    if (!(Math.abs(sum) <= tolSum)) return failed(`group ${k}: sum of dx ${fmt(sum)}, tolerance ${fmt(tolSum)}`)
    if (gWhenGammaIsOne !== undefined) {
      const expected = (r * eps / (sx.variance + eps)) * gx
      const tol = tolSum * X + (n + 4) * EPS64 * r * gxAbs
      if (!(Math.abs(along - expected) <= tol)) return failed(`group ${k}: <dx, xhat> ${fmt(along)}, expected r eps/(var + eps) <g, xhat> = ${fmt(expected)}, tolerance ${fmt(tol)}`)
    } else if (eps === 0 && !(Math.abs(along) <= tolSum * X)) {
      return failed(`group ${k} (eps 0): <dx, xhat> ${fmt(along)}, tolerance ${fmt(tolSum * X)}`)
    }
  }
  return ok
}

/** Elementwise |a - b| <= tol(i), shapes equal. */
export const closeTensors = (what: string, a: Tensor | undefined, b: Tensor | undefined, tol: (i: number) => number): Verdict => {
  if (a === undefined || b === undefined) return failed(`${what}: ${a === undefined ? 'first' : 'second'} missing`)
  if (a.shape.join() !== b.shape.join()) return failed(`${what}: shapes [${a.shape}] and [${b.shape}]`)
  for (let i = 0; i < a.data.length; i++) {
    if (!(Math.abs(a.data[i] - b.data[i]) <= tol(i))) return failed(`${what}[${i}]: ${a.data[i]} vs ${b.data[i]} (|diff| ${fmt(Math.abs(a.data[i] - b.data[i]))} > ${fmt(tol(i))})`)
  }
  return ok
}

/** Bitwise equality, -0 and 0 apart, NaN equal to NaN. */
export const identical = (what: string, a: Tensor | undefined, b: Tensor | undefined): Verdict => {
  if (a === undefined || b === undefined) return failed(`${what}: ${a === undefined ? 'first' : 'second'} missing`)
  if (a.shape.join() !== b.shape.join()) return failed(`${what}: shapes [${a.shape}] and [${b.shape}]`)
  for (let i = 0; i < a.data.length; i++) if (!Object.is(a.data[i], b.data[i])) return failed(`${what}[${i}]: ${a.data[i]} vs ${b.data[i]}`)
  return ok
}
