/**
 * Attribute schemas: each op declares its attributes once, with the defaults of
 * docs/case-format.md's catalogue, and gets a parser that fills defaults,
 * checks types and ranges, and rejects names the catalogue does not list.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, invalid, show } from './errors.ts'

export type RawAttrs = Readonly<Record<string, unknown>>
/** Parses one attribute value; `undefined` means the attribute was omitted. */
export type AttrParser<A> = (op: string, name: string, v: unknown) => E.Either<OpError, A>

const bad = (op: string, name: string, expected: string, v: unknown) => E.left(invalid(op, `attrs.${name}`, expected, show(v)))

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v)

export const number = (dflt?: number, check?: { min?: number; max?: number; gt?: number; lt?: number }): AttrParser<number> =>
  (op, name, v) => {
    if (v === undefined) return dflt === undefined ? bad(op, name, 'a number (required)', v) : E.right(dflt)
    if (typeof v !== 'number' || !Number.isFinite(v)) return bad(op, name, 'a finite number', v)
    if (check?.min !== undefined && v < check.min) return bad(op, name, `a number >= ${check.min}`, v)
    if (check?.max !== undefined && v > check.max) return bad(op, name, `a number <= ${check.max}`, v)
    if (check?.gt !== undefined && !(v > check.gt)) return bad(op, name, `a number > ${check.gt}`, v)
    if (check?.lt !== undefined && !(v < check.lt)) return bad(op, name, `a number < ${check.lt}`, v)
    return E.right(v)
  }

export const integer = (dflt?: number, min?: number): AttrParser<number> => (op, name, v) => {
  if (v === undefined) return dflt === undefined ? bad(op, name, 'an integer (required)', v) : E.right(dflt)
  if (!isInt(v)) return bad(op, name, 'an integer', v)
  if (min !== undefined && v < min) return bad(op, name, `an integer >= ${min}`, v)
  return E.right(v)
}

/** true/false; 0 and 1 too, as ONNX and many exporters write flags. */
export const boolean = (dflt: boolean): AttrParser<boolean> => (op, name, v) =>
  v === undefined ? E.right(dflt)
    : typeof v === 'boolean' ? E.right(v)
    : v === 0 || v === 1 ? E.right(v === 1)
    : bad(op, name, 'true or false', v)

export const oneOf = <S extends string>(values: readonly S[], dflt?: S): AttrParser<S> => (op, name, v) => {
  if (v === undefined) return dflt === undefined ? bad(op, name, `one of ${values.join(', ')} (required)`, v) : E.right(dflt)
  return typeof v === 'string' && (values as readonly string[]).includes(v)
    ? E.right(v as S)
    : bad(op, name, `one of ${values.map((s) => JSON.stringify(s)).join(', ')}`, v)
}

/** A list of integers; a bare integer is a list of one, as PyTorch's normalized_shape=5 is. */
export const intList = (min = 0, dflt?: readonly number[]): AttrParser<number[]> => (op, name, v) => {
  if (v === undefined) return dflt === undefined ? bad(op, name, 'a list of integers (required)', v) : E.right([...dflt])
  if (isInt(v) && v >= min) return E.right([v])
  if (!Array.isArray(v) || !v.every(isInt) || v.some((x) => x < min)) return bad(op, name, `a list of integers >= ${min}`, v)
  return E.right([...v])
}

/** `int` or `[h, w]` (stride, dilation, kernel_size, output_padding). */
export const pair = (min: number, dflt?: number | null): AttrParser<[number, number]> => (op, name, v) => {
  if (v === undefined) {
    return dflt === undefined || dflt === null ? bad(op, name, 'an int or [h, w] (required)', v) : E.right([dflt, dflt])
  }
  if (isInt(v) && v >= min) return E.right([v, v])
  if (Array.isArray(v) && v.length === 2 && v.every(isInt) && v.every((x) => x >= min)) return E.right([v[0], v[1]])
  return bad(op, name, `an int >= ${min} or [h, w] of such ints`, v)
}

/** Padding per side, [top, left, bottom, right], from an int, [ph, pw] or the 4-value form. */
export type Pad4 = readonly [number, number, number, number]
export const padding = (dflt = 0): AttrParser<Pad4> => (op, name, v) => {
  if (v === undefined) return E.right([dflt, dflt, dflt, dflt])
  if (isInt(v) && v >= 0) return E.right([v, v, v, v])
  if (Array.isArray(v) && v.every(isInt) && v.every((x) => x >= 0)) {
    if (v.length === 2) return E.right([v[0], v[1], v[0], v[1]])
    if (v.length === 4) return E.right([v[0], v[1], v[2], v[3]])
  }
  return bad(op, name, 'an int >= 0, [ph, pw] or [top, left, bottom, right] of such ints', v)
}

/** An attribute that may be given or absent with no default (e.g. layer_norm's `axis`). */
export const optional = <A>(p: AttrParser<A>): AttrParser<A | undefined> => (op, name, v) =>
  v === undefined ? E.right(undefined) : p(op, name, v)

export type Schema<A> = { readonly [K in keyof A]: AttrParser<A[K]> }

/**
 * A parser for a whole attribute record: every declared attribute parsed (with
 * its default), every undeclared name rejected.
 */
export const schema = <A>(fields: Schema<A>) => (op: string, raw: RawAttrs | undefined): E.Either<OpError, A> => {
  const given = raw ?? {}
  const known = Object.keys(fields)
  for (const k of Object.keys(given)) {
    if (!known.includes(k)) {
      return E.left(invalid(op, `attrs.${k}`, known.length ? `one of the attributes ${known.join(', ')}` : 'no attributes', `unknown attribute ${show(k)}`))
    }
  }
  const out: Record<string, unknown> = {}
  for (const k of known) {
    const r = (fields as Record<string, AttrParser<unknown>>)[k](op, k, given[k])
    if (E.isLeft(r)) return r
    out[k] = r.right
  }
  return E.right(out as A)
}

export const noAttrs = schema<Record<string, never>>({})
