/**
 * The gradient law: a hand-derived VJP agrees with central finite differences.
 *
 * For a function with inputs x and outputs y, and cotangents c, define the
 * scalar  f(x) = sum_k <c_k, y_k(x)>.  Its gradient is exactly the VJP J^T c,
 * so two checks follow:
 *   elementwise  d f / d x_j   ~ (f(x + h e_j) - f(x - h e_j)) / 2h   for every j
 *   directional  <J^T c, v>    ~ (f(x + h v)   - f(x - h v))   / 2h   for random v
 * The first pins every entry on small inputs; the second covers large inputs at
 * the cost of three evaluations per direction. Tolerances: ./tolerance.ts.
 */
import type { Key } from '../../src/core/random.ts'
import { keyFromSeed, split, uniformArray } from '../../src/core/random.ts'
import { type Tensor, make, sizeOf } from '../../src/core/tensor.ts'
import type { Tensors } from '../../src/core/op.ts'
import { type Verdict, failed, ok } from './result.ts'
import { EPS64, TOL, centralDifferenceTolerance, rounding, truncation } from './tolerance.ts'

/** Anything with a forward and a VJP over named float64 tensors: an oracle op, or a user's layer. */
export interface Differentiable {
  readonly forward: (inputs: Tensors) => Tensors
  readonly vjp: (inputs: Tensors, cotangents: Tensors) => Tensors
}

export interface GradientLawOptions {
  /** Inputs to differentiate with respect to. */
  readonly wrt: readonly string[]
  /** 'auto' (default): elementwise when the wrt inputs hold at most `elementwiseLimit` numbers. */
  readonly mode?: 'auto' | 'elementwise' | 'directional'
  readonly elementwiseLimit?: number
  /** Random directions for the directional check (default 3), drawn from `key`. */
  readonly directions?: number
  readonly key?: Key
  /** Relative step (default TOL.STEP). */
  readonly step?: number
}

/** f(x) = sum_k <c_k, y_k(x)> and S = sum |c y|, the size its rounding error scales with. */
const pairing = (outputs: Tensors, cot: Tensors): { f: number; s: number; n: number } => {
  let f = 0, s = 0, n = 0
  for (const k of Object.keys(cot)) {
    const y = outputs[k], c = cot[k]
    if (y === undefined) continue
    for (let i = 0; i < c.data.length; i++) {
      const t = c.data[i] * y.data[i]
      f += t
      s += Math.abs(t)
    }
    n += c.data.length
  }
  return { f, s, n }
}

const withData = (inputs: Tensors, name: string, data: Float64Array): Tensors =>
  ({ ...inputs, [name]: make(inputs[name].shape, data, inputs[name].dtype) })

const fmt = (v: number): string => (Number.isFinite(v) ? v.toPrecision(10) : String(v))

export const gradientLaw = (fn: Differentiable, inputs: Tensors, cotangents: Tensors, opts: GradientLawOptions): Verdict => {
  const h0 = opts.step ?? TOL.STEP
  let grads: Tensors
  let base: { f: number; s: number; n: number }
  try {
    grads = fn.vjp(inputs, cotangents)
    base = pairing(fn.forward(inputs), cotangents)
  } catch (e) {
    return failed(`gradient law: forward or vjp threw: ${(e as Error).message}`)
  }
  for (const name of opts.wrt) {
    const g = grads[name]
    if (g === undefined) return failed(`gradient law: no gradient returned for input '${name}'`)
    if (g.data.length !== inputs[name].data.length) {
      return failed(`gradient law: gradient for '${name}' has ${g.data.length} elements, the input ${inputs[name].data.length}`)
    }
  }
  const total = opts.wrt.reduce((a, k) => a + inputs[k].data.length, 0)
  const mode = opts.mode ?? 'auto'
  const elementwise = mode === 'elementwise' || (mode === 'auto' && total <= (opts.elementwiseLimit ?? 64))
  const f = (ins: Tensors) => pairing(fn.forward(ins), cotangents)

  try {
    if (elementwise) {
      for (const name of opts.wrt) {
        const x = inputs[name].data
        for (let j = 0; j < x.length; j++) {
          const h = h0 * Math.max(1, Math.abs(x[j]))
          const plus = Float64Array.from(x); plus[j] += h
          const minus = Float64Array.from(x); minus[j] -= h
          const fp = f(withData(inputs, name, plus)), fm = f(withData(inputs, name, minus))
          const numeric = (fp.f - fm.f) / (2 * h)
          const analytic = grads[name].data[j]
          const tol = centralDifferenceTolerance(h, analytic, base.n, Math.max(base.s, fp.s, fm.s))
          if (!(Math.abs(numeric - analytic) <= tol)) {
            return failed(
              `gradient law (elementwise): d/d ${name}[${j}]: analytic ${fmt(analytic)}, central difference ${fmt(numeric)}, ` +
              `|diff| ${fmt(Math.abs(numeric - analytic))} > tol ${fmt(tol)} (h ${h})`,
            )
          }
        }
      }
      return ok
    }
    const keys = split(opts.key ?? keyFromSeed(0), opts.directions ?? 3)
    for (const [d, key] of keys.entries()) {
      // Rademacher direction v in {-1, 1}^n: |v_i| = 1 keeps the step h per coordinate.
      const parts = split(key, opts.wrt.length)
      const v = opts.wrt.map((name, i) => Float64Array.from(uniformArray(parts[i], inputs[name].data.length), (u) => (u < 0.5 ? -1 : 1)))
      const scaleX = Math.max(1, ...opts.wrt.map((k) => inputs[k].data.reduce((m, x) => Math.max(m, Math.abs(x)), 0)))
      const h = h0 * scaleX
      const shifted = (sign: number): Tensors => opts.wrt.reduce<Tensors>((acc, name, i) => {
        const x = inputs[name].data
        return withData(acc, name, Float64Array.from(x, (xi, j) => xi + sign * h * v[i][j]))
      }, inputs)
      const fp = f(shifted(1)), fm = f(shifted(-1))
      const numeric = (fp.f - fm.f) / (2 * h)
      let analytic = 0, absTerms = 0
      opts.wrt.forEach((name, i) => grads[name].data.forEach((gj, j) => { analytic += gj * v[i][j]; absTerms += Math.abs(gj) }))
      // Along v the third derivative D^3 f[v, v, v] gathers every coordinate moved
      // (|v_i| = 1): truncation with m = total; the analytic sum <g, v> of
      // `total` terms adds its own rounding, total * EPS64 * sum |g|.
      const tol = truncation(h, total, absTerms) + rounding(h, base.n, Math.max(base.s, fp.s, fm.s)) + total * EPS64 * absTerms
      if (!(Math.abs(numeric - analytic) <= tol)) {
        return failed(
          `gradient law (directional, direction ${d}): <J^T c, v> ${fmt(analytic)}, central difference ${fmt(numeric)}, ` +
          `|diff| ${fmt(Math.abs(numeric - analytic))} > tol ${fmt(tol)} over ${total} coordinates (h ${h})`,
        )
      }
    }
    return ok
  } catch (e) {
    return failed(`gradient law: forward threw on a perturbed input: ${(e as Error).message}`)
  }
}

/** Total number of differentiable scalars, for choosing shapes. */
export const countOf = (ts: readonly Tensor[]): number => ts.reduce((a, t) => a + sizeOf(t.shape), 0)
