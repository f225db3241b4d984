/**
 * Errors are values. Every public entry point returns `Either<OpError, A>`; the
 * error names the op, the argument, what was expected and what came, and a hint.
 *
 * Two kinds, because `nn-oracle check` reports them differently
 * (docs/case-format.md, "What check reports"):
 *   - `Invalid`: the input breaks the contract (a shape mismatch, a bad attribute).
 *   - `Unsupported`: a well-formed request the oracle does not implement.
 */
import * as E from 'fp-ts/lib/Either.js'

export type ErrorKind = 'Invalid' | 'Unsupported'

export interface OpError {
  readonly _tag: ErrorKind
  readonly op: string
  readonly arg: string
  readonly expected: string
  readonly received: string
  readonly hint?: string
}

export const invalid = (op: string, arg: string, expected: string, received: string, hint?: string): OpError =>
  ({ _tag: 'Invalid', op, arg, expected, received, ...(hint === undefined ? {} : { hint }) })

export const unsupported = (op: string, arg: string, expected: string, received: string, hint?: string): OpError =>
  ({ _tag: 'Unsupported', op, arg, expected, received, ...(hint === undefined ? {} : { hint }) })

/** `left(invalid(...))`, the common case at a validation edge. */
export const fail = <A = never>(op: string, arg: string, expected: string, received: string, hint?: string): E.Either<OpError, A> =>
  E.left(invalid(op, arg, expected, received, hint))

export const formatError = (e: OpError): string =>
  `${e.op}: ${e.arg}: expected ${e.expected}, got ${e.received}` + (e.hint ? ` (hint: ${e.hint})` : '')

/** A short, bounded rendering of an arbitrary JSON-ish value for error messages. */
export const show = (v: unknown, max = 60): string => {
  let s: string
  try {
    // NaN and the infinities print as themselves, not as JSON's null.
    s = typeof v === 'string' ? JSON.stringify(v) : v === undefined ? 'undefined' : typeof v === 'number' ? String(v)
      : JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? `${x}` : x)) ?? String(v)
  } catch {
    s = '(a value too deep or too large to print)'
  }
  return s.length > max ? s.slice(0, max - 3) + '...' : s
}

export const showShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`
