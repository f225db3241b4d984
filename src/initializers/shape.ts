/**
 * The edge every initializer shares: a shape is a list of non-negative safe
 * integers, of at least `minRank` dimensions, small enough to allocate.
 *
 * The element cap (2^26 float64 = 512 MiB) turns a request that would crash the
 * process (RangeError from the Float64Array constructor, or the OOM killer)
 * into an error value, as every edge in this project must.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail, show } from '../core/errors.ts'
import type { Shape } from '../core/tensor.ts'

export const MAX_ELEMENTS = 2 ** 26

export const checkShape = (op: string, shape: unknown, minRank = 0, arg = 'shape'): E.Either<OpError, Shape> => {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    return fail(op, arg, 'a list of non-negative integers', show(shape))
  }
  if (shape.length < minRank) {
    return fail(op, arg, `at least ${minRank} dimensions`, `[${shape.join(', ')}]`,
      minRank === 2 ? 'fans are defined for [out, in] or [out, in/groups, ...kernel] weights, as in torch.nn.init' : undefined)
  }
  const size = shape.reduce((a: number, b: number) => a * b, 1)
  if (size > MAX_ELEMENTS) return fail(op, arg, `at most ${MAX_ELEMENTS} elements`, `${size} elements`)
  return E.right(shape as Shape)
}

/** A finite number option (with an optional lower bound), or its default when absent. */
export const numberOption = (op: string, name: string, v: unknown, dflt: number, check: { min?: number; gt?: number } = {}): E.Either<OpError, number> => {
  if (v === undefined) return E.right(dflt)
  if (typeof v !== 'number' || !Number.isFinite(v)) return fail(op, `options.${name}`, 'a finite number', show(v))
  if (check.min !== undefined && v < check.min) return fail(op, `options.${name}`, `a number >= ${check.min}`, show(v))
  if (check.gt !== undefined && !(v > check.gt)) return fail(op, `options.${name}`, `a number > ${check.gt}`, show(v))
  return E.right(v)
}

/** One of a closed set of strings, or its default when absent. */
export const choiceOption = <S extends string>(op: string, name: string, v: unknown, values: readonly S[], dflt: S): E.Either<OpError, S> => {
  if (v === undefined) return E.right(dflt)
  return typeof v === 'string' && (values as readonly string[]).includes(v)
    ? E.right(v as S)
    : fail(op, `options.${name}`, `one of ${values.map((s) => JSON.stringify(s)).join(', ')}`, show(v))
}
