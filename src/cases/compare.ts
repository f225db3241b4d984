/**
 * The comparison rule of the case format: an actual element a passes against
 * expected e when |a - e| <= atol + rtol |e|; NaN passes only against NaN, an
 * infinity only against the same infinity; shapes must be equal.
 *
 * In `check`, "expected" is the number in the case file (another
 * implementation's) and "actual" is the oracle's, as the format names them.
 */
import type { DType, Tensor } from '../core/tensor.ts'
import { sameShape, unravel } from '../core/tensor.ts'
import type { Tolerance } from './case.ts'

/** Default tolerances by the expected tensor's dtype (case format, `tolerance`). */
export const defaultTolerance = (dtype: DType): Tolerance =>
  dtype === 'float32' ? { rtol: 1e-4, atol: 1e-5 }
    : dtype === 'float64' ? { rtol: 1e-7, atol: 1e-9 }
    : { rtol: 0, atol: 0 } // int64 and bool: exact

export interface Mismatch {
  readonly name: string // e.g. "outputs.y", "gradients.x"
  readonly reason: 'shape' | 'value' | 'missing'
  readonly index?: readonly number[]
  readonly expected?: number
  readonly actual?: number
  readonly abs?: number
  readonly rel?: number
  readonly detail?: string
}

const passes = (a: number, e: number, t: Tolerance): boolean => {
  if (Number.isNaN(e)) return Number.isNaN(a)
  if (!Number.isFinite(e)) return a === e
  if (!Number.isFinite(a)) return false
  return Math.abs(a - e) <= t.atol + t.rtol * Math.abs(e)
}

/** The worst failing element (largest error relative to its allowance), or undefined when all pass. */
export const compareTensor = (
  name: string, expected: Tensor, actual: Tensor | undefined, tol: Tolerance,
  missing = 'the oracle produces no such output for these inputs and attributes',
): Mismatch | undefined => {
  if (actual === undefined) return { name, reason: 'missing', detail: missing }
  if (!sameShape(expected.shape, actual.shape)) {
    return { name, reason: 'shape', detail: `expected shape [${expected.shape.join(', ')}], got [${actual.shape.join(', ')}]` }
  }
  let worst = -1, score = -Infinity
  for (let i = 0; i < expected.data.length; i++) {
    const e = expected.data[i], a = actual.data[i]
    if (passes(a, e, tol)) continue
    const s = Number.isFinite(a) && Number.isFinite(e) ? Math.abs(a - e) / (tol.atol + tol.rtol * Math.abs(e) || Number.MIN_VALUE) : Infinity
    if (s > score) { score = s; worst = i }
  }
  if (worst < 0) return undefined
  const e = expected.data[worst], a = actual.data[worst]
  const abs = Math.abs(a - e)
  return { name, reason: 'value', index: unravel(worst, expected.shape), expected: e, actual: a, abs, rel: e === 0 ? Infinity : abs / Math.abs(e) }
}

/** `actualLabel` names whose number `actual` is: the oracle's in `check`, the implementation's in `fuzz`. */
export const formatMismatch = (m: Mismatch, actualLabel = 'oracle'): string =>
  m.reason !== 'value'
    ? `${m.name}: ${m.detail}`
    : `${m.name}[${m.index!.join(', ')}]: expected ${m.expected}, ${actualLabel} ${m.actual} (abs err ${m.abs!.toExponential(2)}, rel err ${m.rel!.toExponential(2)})`
