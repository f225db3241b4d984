/**
 * A derivation as checked data (docs/tools/notes.md, section 3).
 *
 * A derivation is a chain of lines s_0 = s_1 = ... = s_K. Each line is what a
 * reader sees (its LaTeX and a one-sentence reason) and an expression that
 * computes the same quantity at a point p of the variables. The top line is the
 * definition, measured independently (a central difference of the forward
 * function, or an exact expectation by enumeration); the bottom line calls the
 * library (`vjp` of the op from src/registry.ts), so a slip in a step or a bug
 * in the library breaks the chain at the link where it happens.
 *
 * The check. Every line k declares how far its value may be from the exact
 * quantity, an error bound e_k(p, i) per element i (float64 rounding of an
 * algebraic line, truncation plus rounding of a central difference, the
 * deviation of a bounded Monte Carlo mean). If every line is within its bound
 * of the same exact number, neighbouring lines satisfy
 *   (1) |s_k(p)_i - s_{k+1}(p)_i| <= e_k(p, i) + e_{k+1}(p, i)
 * which is what `checkPoint` requires, at every point drawn. A wrong step makes
 * two neighbours compute different functions; random points separate two
 * different analytic functions with probability 1 (the Schwartz-Zippel idea,
 * docs/tools/notes.md 3.1), and the bounds keep rounding from passing for
 * a difference.
 *
 * Points come from a fast-check arbitrary (a failure shrinks to a small
 * counterexample) or from a sampler of a key of src/core/random.ts (for
 * points that are themselves distributions). Either way the runs are a pure
 * function of (runs, seed), which the rendered page states.
 */
import fc from 'fast-check'
import { type Key, foldIn, keyFromSeed } from '../src/core/random.ts'
import type { Tensor } from '../src/core/tensor.ts'
import { type Verdict, failed, ok } from '../spec/laws/result.ts'

/** What a line computes: one number, a vector, or a tensor (compared by its data). */
export type Value = number | Float64Array | Tensor

/** A bound on |value_i - exact_i| for one line, and the sentence that justifies it. */
export interface Tolerance<P> {
  /** A short phrase for the rendered page and failure messages, e.g. "float64 rounding, 64 (m + 4) eps S". */
  readonly text: string
  readonly bound: (p: P, value: Float64Array, i: number) => number
}

export interface Step<P> {
  /** The line as displayed (MathJax 3; no align environment, no `{{`). */
  readonly latex: string
  /** Why this line equals the one above it (the first line: what it is), one sentence in plain words. */
  readonly reason: string
  readonly value: (p: P) => Value
  /** This line's error bound; the derivation's `tolerance` when absent. */
  readonly tolerance?: Tolerance<P>
  /** The relation to the line above, as displayed: '=' unless said otherwise (e.g. '\\approx'). */
  readonly relation?: string
}

/** A fast-check arbitrary, or a sampler: one point per key. */
export type Variables<P> = fc.Arbitrary<P> | ((key: Key) => P)

export interface Derivation<P = any> {
  /** Stable id, `family/name` or `family/name/part`; the seed is derived from it. */
  readonly id: string
  readonly title: string
  /** Markdown: the setting, notation and what is claimed. */
  readonly intro: string
  readonly variables: Variables<P>
  readonly steps: readonly Step<P>[]
  /** The default error bound of a line (float64 rounding of its algebra). */
  readonly tolerance: Tolerance<P>
  readonly outro?: string
  /** Random points per check; RUNS when absent. */
  readonly runs?: number
}

/** Random points per derivation unless it says otherwise (the project's RUNS). */
export const RUNS = 200

export const runsOf = (d: Derivation): number => d.runs ?? RUNS

/** FNV-1a of the id: the stable 32-bit seed of a derivation (as spec/support/property.ts does for names). */
export const seedOf = (id: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193)
  return h | 0
}

export const toArray = (v: Value): Float64Array =>
  typeof v === 'number' ? Float64Array.of(v) : v instanceof Float64Array ? v : v.data

const fmt = (v: number): string => (Number.isFinite(v) ? v.toPrecision(12) : String(v))

const evaluate = <P>(d: Derivation<P>, k: number, p: P): Float64Array | string => {
  try {
    return toArray(d.steps[k].value(p))
  } catch (e) {
    return `line ${k} threw: ${(e as Error).message}`
  }
}

/** (1) at one point: every pair of neighbouring lines, every element. */
export const checkPoint = <P>(d: Derivation<P>, p: P): Verdict => {
  if (d.steps.length < 2) return failed(`${d.id}: a derivation needs at least two lines`)
  const values = d.steps.map((_, k) => evaluate(d, k, p))
  const bad = values.find((v): v is string => typeof v === 'string')
  if (bad !== undefined) return failed(`${d.id}: ${bad}`)
  const vs = values as Float64Array[]
  for (let k = 1; k < vs.length; k++) {
    const a = vs[k - 1], b = vs[k]
    const ta = d.steps[k - 1].tolerance ?? d.tolerance
    const tb = d.steps[k].tolerance ?? d.tolerance
    if (a.length !== b.length) {
      return failed(`${d.id}: line ${k} has ${b.length} elements, line ${k - 1} has ${a.length}`)
    }
    for (let i = 0; i < a.length; i++) {
      const allowed = ta.bound(p, a, i) + tb.bound(p, b, i)
      const diff = Math.abs(a[i] - b[i])
      if (!(diff <= allowed)) { // NaN anywhere fails
        return failed(
          `${d.id}: line ${k} disagrees with line ${k - 1} at element ${i}: ` +
          `${fmt(b[i])} vs ${fmt(a[i])}, |difference| ${fmt(diff)} > allowed ${fmt(allowed)}\n` +
          `  line ${k - 1}: ${d.steps[k - 1].latex}   [${ta.text}]\n` +
          `  line ${k}: ${d.steps[k].latex}   [${tb.text}]`,
        )
      }
    }
  }
  return ok
}

const isSampler = <P>(v: Variables<P>): v is (key: Key) => P => typeof v === 'function'

/**
 * (1) at `runs` points drawn from `seed`: a pure verdict, never a throw. A
 * failure names the link and how to replay it (the fast-check seed and path,
 * or the sampler's run index).
 */
export const checkDerivation = <P>(d: Derivation<P>, runs: number = runsOf(d), seed: number = seedOf(d.id)): Verdict => {
  const vars = d.variables
  if (isSampler(vars)) {
    const root = keyFromSeed(seed >>> 0)
    for (let r = 0; r < runs; r++) {
      let p: P
      try {
        p = vars(foldIn(root, r))
      } catch (e) {
        return failed(`${d.id}: the sampler threw at run ${r}: ${(e as Error).message}`)
      }
      const v = checkPoint(d, p)
      if (!v.ok) return failed(`${v.message}\n  at run ${r} of ${runs}, seed ${seed} (the point is sampled from foldIn(keyFromSeed(seed >>> 0), run))`)
    }
    return ok
  }
  const details = fc.check(fc.property(vars, (p) => {
    const v = checkPoint(d, p)
    if (!v.ok) throw new Error(v.message)
    return true
  }), { numRuns: runs, seed })
  if (!details.failed) return ok
  const err = details.errorInstance as Error | undefined
  return failed(
    `${err?.message ?? String(details.errorInstance)}\n` +
    `  counterexample: ${fc.stringify(details.counterexample)}\n` +
    `  after ${details.numRuns} runs; replay: fc.check(..., { seed: ${details.seed}, path: "${details.counterexamplePath}" })`,
  )
}
