/**
 * Defining identities and invariances as pure predicates over functions of
 * named float64 tensors, so that any implementation (an oracle op, a user's
 * layer behind an adapter) can be held to them.
 */
import * as E from 'fp-ts/lib/Either.js'
import { compute } from '../../src/cases/evaluate.ts'
import { compareTensor } from '../../src/cases/compare.ts'
import { formatError } from '../../src/core/errors.ts'
import { type Tensor, dot, make, sizeOf } from '../../src/core/tensor.ts'
import type { Tensors } from '../../src/core/op.ts'
import { lookup } from '../../src/registry.ts'
import { type Verdict, failed, ok } from './result.ts'
import { EPS64 } from './tolerance.ts'

const sumAbsProducts = (a: Tensor, b: Tensor): number => a.data.reduce((s, v, i) => s + Math.abs(v * b.data[i]), 0)

/**
 * Agreement with the oracle: the implementation's outputs (and, given
 * cotangents, its gradients) for a case match the oracle's within a tolerance.
 * The default tolerance is the case format's float64 one.
 */
export const agreesWithOracle = (
  op: string, attrs: Readonly<Record<string, unknown>>, inputs: Tensors,
  theirs: { outputs: Tensors; gradients?: Tensors }, cotangents: Tensors = {},
  tol = { rtol: 1e-7, atol: 1e-9 },
): Verdict => {
  const o = lookup(op)
  if (o === undefined) return failed(`agreesWithOracle: no op ${op} in the catalogue`)
  const r = compute(o, { id: 'law', op, attrs, inputs, cotangents, outputs: theirs.outputs, ...(theirs.gradients ? { gradients: theirs.gradients } : {}) })
  if (E.isLeft(r)) return failed(`agreesWithOracle: ${formatError(r.left)}`)
  for (const [field, mine] of [['outputs', r.right.outputs], ['gradients', r.right.gradients]] as const) {
    for (const [name, t] of Object.entries(theirs[field] ?? {})) {
      const m = compareTensor(`${field}.${name}`, mine[name] ?? t, mine[name] === undefined ? undefined : t, tol, 'the oracle has no such tensor')
      if (m) return failed(`agreesWithOracle(${op}): ${m.name}${m.index ? `[${m.index.join(', ')}]` : ''}: oracle ${m.expected ?? ''}, yours ${m.actual ?? ''} ${m.detail ?? ''}`)
    }
  }
  return ok
}

/**
 * Adjointness of two linear maps: <f(x), y> = <x, g(y)> (conv_transpose2d is
 * conv2d's adjoint; a VJP is the adjoint of its JVP). Both sides are sums of
 * the same products in different orders: the bound is (n + m) EPS64 times the
 * larger sum of |products|.
 */
export const adjoint = (f: (x: Tensor) => Tensor, g: (y: Tensor) => Tensor, x: Tensor, y: Tensor): Verdict => {
  const fx = f(x), gy = g(y)
  const lhs = dot(fx, y), rhs = dot(x, gy)
  const bound = (sizeOf(fx.shape) + sizeOf(x.shape)) * EPS64 * Math.max(sumAbsProducts(fx, y), sumAbsProducts(x, gy))
  return Math.abs(lhs - rhs) <= bound ? ok : failed(`adjoint: <f(x), y> = ${lhs}, <x, g(y)> = ${rhs}, |diff| > ${bound}`)
}

/**
 * Invariance: f(t(x)) = f(x) elementwise (softmax under a shift along its
 * axis). `ulps` says how many rounding errors of the output's size the two
 * computations may differ by; the caller states why.
 */
export const invariant = (f: (x: Tensor) => Tensor, t: (x: Tensor) => Tensor, x: Tensor, ulps: number): Verdict => {
  const a = f(x), b = f(t(x))
  for (let i = 0; i < a.data.length; i++) {
    const tol = ulps * EPS64 * Math.max(1, Math.abs(a.data[i]))
    if (!(Math.abs(a.data[i] - b.data[i]) <= tol)) return failed(`invariant: element ${i}: ${a.data[i]} became ${b.data[i]} (tol ${tol})`)
  }
  return ok
}

/**
 * Sums to a constant along an axis: softmax rows sum to 1, a normalization's
 * gradient sums to 0 over each group. Tolerance: n terms of size <= scale
 * summed in float64, (n + 1) EPS64 scale.
 */
export const sumsTo = (t: Tensor, axis: number, target: number, scale = 1): Verdict => {
  const ax = axis < 0 ? axis + t.shape.length : axis
  const n = t.shape[ax], inner = sizeOf(t.shape.slice(ax + 1)), outer = sizeOf(t.shape.slice(0, ax))
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
    let s = 0
    for (let k = 0; k < n; k++) s += t.data[(o * n + k) * inner + i]
    if (!(Math.abs(s - target) <= (n + 1) * EPS64 * scale * Math.max(1, n))) return failed(`sumsTo: slice (${o}, ${i}) sums to ${s}, not ${target}`)
  }
  return ok
}

/**
 * An exact expectation over a finite distribution: sum_k p_k f(k) = expected
 * (dropout's training output averaged over all masks equals its evaluation
 * output). Tolerance: K terms summed, K EPS64 sum|p_k f(k)|.
 */
export const exactExpectation = (outcomes: readonly { p: number; value: Tensor }[], expected: Tensor): Verdict => {
  const n = expected.data.length
  const mean = new Float64Array(n), abs = new Float64Array(n)
  for (const { p, value } of outcomes) for (let i = 0; i < n; i++) { mean[i] += p * value.data[i]; abs[i] += Math.abs(p * value.data[i]) }
  for (let i = 0; i < n; i++) {
    const tol = (outcomes.length + 1) * EPS64 * Math.max(abs[i], Math.abs(expected.data[i]))
    if (!(Math.abs(mean[i] - expected.data[i]) <= tol)) return failed(`exactExpectation: element ${i}: E = ${mean[i]}, expected ${expected.data[i]}`)
  }
  return ok
}

/** Zero mean and unit (biased) variance over the last `k` axes, up to eps: what every normalization promises. */
export const standardized = (t: Tensor, k: number, eps = 0): Verdict => {
  const m = sizeOf(t.shape.slice(t.shape.length - k)), groups = t.data.length / m
  for (let g = 0; g < groups; g++) {
    let mean = 0, v = 0
    for (let i = 0; i < m; i++) mean += t.data[g * m + i]
    mean /= m
    for (let i = 0; i < m; i++) v += (t.data[g * m + i] - mean) ** 2
    v /= m
    // Each xhat_i is exact to a few ulps of its size (<= sqrt(m)); sums of m of them add m EPS64 sqrt(m).
    const tol = 8 * m * EPS64 * Math.sqrt(m)
    if (!(Math.abs(mean) <= tol)) return failed(`standardized: group ${g} has mean ${mean}`)
    if (eps === 0 && !(Math.abs(v - 1) <= tol * Math.sqrt(m))) return failed(`standardized: group ${g} has variance ${v}`)
    if (eps > 0 && !(v <= 1)) return failed(`standardized: group ${g} has variance ${v} > 1 with eps ${eps}`)
  }
  return ok
}

export const tensor = (shape: readonly number[], data: ArrayLike<number>): Tensor => make(shape, Float64Array.from(data))
