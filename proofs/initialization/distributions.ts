/**
 * Finite discrete distributions, drawn from keys, and exact expectations over
 * independent draws by enumerating every outcome. A claim about expectations
 * of independent variables that holds for every finite discrete distribution
 * is checked exactly this way, with no sampling error at all; what remains is
 * float64 rounding.
 */
import { type Key, split, uniformArray } from '../../src/core/random.ts'

export interface Dist {
  readonly values: Float64Array
  readonly probs: Float64Array
}

/** E[f(v)] for one variable. */
export const mean = (d: Dist, f: (v: number) => number = (v) => v): number => {
  let s = 0
  for (let k = 0; k < d.values.length; k++) s += d.probs[k] * f(d.values[k])
  return s
}

/** E[f(v_1, ..., v_m)] for independent v_i ~ ds[i]: a sum over all prod |support| outcomes. */
export const expectation = (ds: readonly Dist[], f: (v: Float64Array) => number): number => {
  const m = ds.length
  const idx = new Int32Array(m)
  const v = new Float64Array(m)
  let total = 0
  for (;;) {
    let p = 1
    for (let i = 0; i < m; i++) { p *= ds[i].probs[idx[i]]; v[i] = ds[i].values[idx[i]] }
    total += p * f(v)
    let i = m - 1
    while (i >= 0 && ++idx[i] === ds[i].values.length) idx[i--] = 0
    if (i < 0) return total
  }
}

/** The number of outcomes `expectation` visits. */
export const outcomes = (ds: readonly Dist[]): number => ds.reduce((a, d) => a * d.values.length, 1)

/** Probabilities from weights in [0.1, 1), normalized. */
const weights = (u: Float64Array): Float64Array => {
  const w = u.map((x) => 0.1 + 0.9 * x)
  const s = w.reduce((a, b) => a + b, 0)
  return w.map((x) => x / s)
}

/**
 * A zero-mean distribution on k (2 or 3) points, drawn from `key`: support in
 * [-2, 2], then shifted by its mean, then scaled to variance `variance` when
 * given (a rescaling: every claim here is homogeneous in each variable's scale).
 */
export const zeroMean = (key: Key, variance?: number): Dist => {
  const [kk, kv, kp] = split(key, 3)
  const k = 2 + Math.floor(uniformArray(kk, 1)[0] * 2)
  const probs = weights(uniformArray(kp, k))
  let values = uniformArray(kv, k).map((u) => -2 + 4 * u)
  const mu = mean({ values, probs })
  values = values.map((v) => v - mu)
  if (variance !== undefined) {
    const c = Math.sqrt(variance / mean({ values, probs }, (v) => v * v))
    values = values.map((v) => v * c)
  }
  return { values, probs }
}

/**
 * A distribution symmetric about 0: magnitudes a_1, a_2 in [0.1, 3] each
 * split evenly between -a and +a, and an atom at 0 with probability up to 1/2.
 */
export const symmetric = (key: Key): Dist => {
  const [kk, ka, kp, k0] = split(key, 4)
  const m = 1 + Math.floor(uniformArray(kk, 1)[0] * 2)
  const a = uniformArray(ka, m).map((u) => 0.1 + 2.9 * u)
  const q = weights(uniformArray(kp, m))
  const p0 = 0.5 * uniformArray(k0, 1)[0]
  const values = [0], probs = [p0]
  for (let i = 0; i < m; i++) { values.push(-a[i], a[i]); probs.push(((1 - p0) * q[i]) / 2, ((1 - p0) * q[i]) / 2) }
  return { values: Float64Array.from(values), probs: Float64Array.from(probs) }
}
