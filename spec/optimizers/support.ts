/**
 * Shared pieces of the optimizer specs: convex quadratics, trajectories of an
 * optimizer value, comparisons with PyTorch's recorded numbers, and snapshots
 * for the purity law.
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, formatError } from '../../src/core/errors.ts'
import { type Tensor, fromArray } from '../../src/core/tensor.ts'
import type { Optimizer, Params } from '../../src/optimizers/optimizer.ts'
import { type Verdict, failed, ok } from '../laws/result.ts'
import { EPS64 } from '../laws/tolerance.ts'
import { GRADS, P0, type StepRecord } from './torch-1.13.ts'

/**
 * fast-check's `fc.double` picks doubles roughly uniformly over their bit
 * patterns: nine in ten draws in [0, 1] fall below 1e-10, so a learning rate
 * or beta drawn that way is almost always ~0 and a wrong formula goes unseen.
 * `real` draws uniformly on a grid of 2^24 steps (endpoints included) three
 * times in four, and keeps `fc.double`'s extreme values the fourth time.
 */
export const uniformIn = (min: number, max: number): fc.Arbitrary<number> =>
  fc.integer({ min: 0, max: 2 ** 24 }).map((i) => (i === 2 ** 24 ? max : min + ((max - min) * i) / 2 ** 24))

export const real = (min: number, max: number): fc.Arbitrary<number> =>
  fc.oneof({ weight: 3, arbitrary: uniformIn(min, max) }, { weight: 1, arbitrary: fc.double({ min, max, noNaN: true }).map((v) => (Object.is(v, -0) ? 0 : v)) })

export const realTensor = (shape: readonly number[], min = -3, max = 3): fc.Arbitrary<Tensor> =>
  fc.array(real(min, max), { minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) }).map((vs) => fromArray(shape, vs))

export const unwrap = <A>(r: E.Either<OpError, A>): A => {
  if (E.isLeft(r)) throw new Error(formatError(r.left))
  return r.right
}

/**
 * f(theta) = 1/2 theta^T A theta - b^T theta with A = B^T B + 0.1 I symmetric
 * positive definite. L = ||A||_F >= lambda_max(A) is a valid smoothness
 * constant (an over-estimate only makes the rate conditions stricter).
 */
export interface Quadratic { readonly n: number; readonly A: Float64Array; readonly b: Float64Array; readonly L: number }

export const quadratic = (n: number, B: readonly number[], b: readonly number[]): Quadratic => {
  const A = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? 0.1 : 0
      for (let k = 0; k < n; k++) s += B[k * n + i] * B[k * n + j]
      A[i * n + j] = s
    }
  }
  return { n, A, b: Float64Array.from(b), L: Math.sqrt(A.reduce((s, a) => s + a * a, 0)) }
}

export const quadraticArb = fc.integer({ min: 1, max: 4 }).chain((n) => fc.record({
  B: fc.array(real(-1, 1), { minLength: n * n, maxLength: n * n }),
  b: fc.array(real(-3, 3), { minLength: n, maxLength: n }),
  theta0: fc.array(real(-3, 3), { minLength: n, maxLength: n }),
}).map(({ B, b, theta0 }) => ({ q: quadratic(n, B, b), theta0: fromArray([n], theta0) })))

export const f = (q: Quadratic, t: Float64Array): number => {
  let s = 0
  for (let i = 0; i < q.n; i++) {
    let Ai = 0
    for (let j = 0; j < q.n; j++) Ai += q.A[i * q.n + j] * t[j]
    s += 0.5 * t[i] * Ai - q.b[i] * t[i]
  }
  return s
}

/** sum of the absolute terms of f's evaluation, the scale of its rounding error. */
export const fAbs = (q: Quadratic, t: Float64Array): number => {
  let s = 0
  for (let i = 0; i < q.n; i++) {
    for (let j = 0; j < q.n; j++) s += 0.5 * Math.abs(t[i] * q.A[i * q.n + j] * t[j])
    s += Math.abs(q.b[i] * t[i])
  }
  return s
}

export const grad = (q: Quadratic, t: Float64Array): Float64Array => {
  const g = new Float64Array(q.n)
  for (let i = 0; i < q.n; i++) {
    let s = -q.b[i]
    for (let j = 0; j < q.n; j++) s += q.A[i * q.n + j] * t[j]
    g[i] = s
  }
  return g
}

/**
 * Rounding slack of a descent check V(next) <= V(prev) on a quadratic.
 *  - Evaluating f: n^2 + n products and sums, error <= (n^2 + n + 2) u fAbs
 *    at each of the two points. `kinetic` is the absolute size of any other
 *    terms of V and of their own rounding (a sum of n squares times
 *    constants, and the buffer's rounding times the buffer), charged the same.
 *  - The computed iterate is the exact update of the computed previous one
 *    plus a rounding e with |e_i| <= 8 u (2|prev_i| + |next_i| + spread_i):
 *    the update formulas take at most 8 rounded operations, each relative to
 *    numbers no larger than |prev| + |step| <= 2|prev| + |next|, plus
 *    `spread` for quantities that can exceed that (a look-ahead point formed
 *    from theta and lr mu b); f moves by at most |grad f(next)| . |e| + L |e|^2.
 * In EPS64 = 2u units the sum below bounds all of it, plus 8 MIN_VALUE for
 * roundings that underflow (absolute errors).
 */
export const descentSlack = (q: Quadratic, prev: Float64Array, next: Float64Array, kinetic = 0, spread?: ArrayLike<number>): number => {
  const g = grad(q, next)
  let ge = 0, e2 = 0
  for (let i = 0; i < q.n; i++) {
    const e = 8 * EPS64 * (2 * Math.abs(prev[i]) + Math.abs(next[i]) + (spread?.[i] ?? 0))
    ge += Math.abs(g[i]) * e
    e2 += e * e
  }
  return (q.n * q.n + q.n + 8) * EPS64 * (fAbs(q, prev) + fAbs(q, next) + kinetic) + ge + q.L * e2 + 8 * Number.MIN_VALUE
}

/** Run an optimizer value on one parameter tensor `w` for K steps of a gradient function. */
export const trajectory = <S>(opt: Optimizer<S>, theta0: Tensor, K: number, gradOf: (t: Float64Array) => Float64Array): { thetas: Float64Array[]; states: S[] } => {
  let params: Params = { w: theta0 }
  let state = opt.init(params)
  const thetas = [theta0.data], states = [state]
  for (let k = 0; k < K; k++) {
    const out = unwrap(opt.update({ w: fromArray(theta0.shape, gradOf(params.w.data)) }, state, params))
    params = out.params
    state = out.state
    thetas.push(params.w.data)
    states.push(state)
  }
  return { thetas, states }
}

/**
 * Agreement with PyTorch's recorded float64 numbers (./torch-1.13.ts). Our
 * arithmetic repeats PyTorch's operation by operation; its vectorized CPU
 * kernels may contract a multiply-add into one rounding, and `**` may round
 * differently from Python's pow, so results can differ by a few ulps per step.
 * Over 3 steps of at most 10 roundings each, on numbers of size |e| + 1:
 * 64 EPS64 (|e| + 1) is a generous bound.
 */
export const closeToTorch = (label: string, actual: ArrayLike<number>, expected: readonly number[]): Verdict => {
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i], a = actual[i]
    if (!(Math.abs(a - e) <= 64 * EPS64 * (Math.abs(e) + 1))) return failed(`${label}[${i}]: ours ${a}, PyTorch 1.13 ${e}`)
  }
  return ok
}

/** Run an optimizer on the recorded gradient sequence and compare params and named state slots with the record. */
export const torchTrajectory = <S>(opt: Optimizer<S>, record: readonly StepRecord[], slots: Record<string, (s: S) => Tensor | undefined>): Verdict => {
  let params: Params = { w: fromArray([4], P0) }
  let state = opt.init(params)
  for (let t = 0; t < GRADS.length; t++) {
    const out = opt.update({ w: fromArray([4], GRADS[t]) }, state, params)
    if (E.isLeft(out)) return failed(formatError(out.left))
    params = out.right.params
    state = out.right.state
    const v = closeToTorch(`step ${t + 1} param`, params.w.data, record[t].param)
    if (!v.ok) return v
    for (const [name, get] of Object.entries(slots)) {
      const exp = record[t][name]
      if (!Array.isArray(exp)) continue
      const got = get(state)
      if (got === undefined) return failed(`step ${t + 1}: no ${name} in our state`)
      const w = closeToTorch(`step ${t + 1} ${name}`, got.data, exp)
      if (!w.ok) return w
    }
  }
  return ok
}

/** Deep copies of every tensor's data reachable in a value, for the purity law. */
export const snapshot = (v: unknown): Float64Array[] => {
  const out: Float64Array[] = []
  const walk = (x: unknown): void => {
    if (x instanceof Float64Array) out.push(Float64Array.from(x))
    else if (x !== null && typeof x === 'object') for (const k of Object.keys(x)) walk((x as Record<string, unknown>)[k])
  }
  walk(v)
  return out
}

export const sameSnapshot = (a: Float64Array[], b: Float64Array[]): boolean =>
  a.length === b.length && a.every((x, i) => x.length === b[i].length && x.every((v, j) => Object.is(v, b[i][j])))
