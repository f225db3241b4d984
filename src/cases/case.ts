/**
 * One case of the case format (docs/case-format.md, "Case"), parsed and
 * checked for structure. Whether the op exists and accepts these attributes
 * and inputs is decided later, by `evaluate`.
 */
import * as E from 'fp-ts/lib/Either.js'
import { show } from '../core/errors.ts'
import type { Tensor } from '../core/tensor.ts'
import { isPlainObject, tensorMap, tolerance } from './fields.ts'
import { type Composite, isComposite, parseComposite } from './composite.ts'
import { validate } from './schema.ts'

export type { Tolerance } from './fields.ts'
import type { Tolerance } from './fields.ts'

export interface Case {
  readonly id: string
  readonly op: string
  readonly attrs: Readonly<Record<string, unknown>>
  readonly inputs: Readonly<Record<string, Tensor>>
  readonly outputs?: Readonly<Record<string, Tensor>>
  readonly cotangents?: Readonly<Record<string, Tensor>>
  readonly gradients?: Readonly<Record<string, Tensor>>
  readonly tolerance?: Tolerance
  /** A graph or train case's own fields (case format v2; ./composite.ts). */
  readonly composite?: Composite
}

/** Why a line is not a case; `id`/`op` when they could be read, for the report. */
export interface CaseError { readonly reason: string; readonly id?: string; readonly op?: string }

const FIELDS = ['id', 'op', 'attrs', 'inputs', 'outputs', 'cotangents', 'gradients', 'tolerance'] as const


/** Parse one JSON value (already `JSON.parse`d) into a case. */
export const parseCase = (v: unknown): E.Either<CaseError, Case> => {
  if (!isPlainObject(v)) return E.left({ reason: `expected a case object, got ${show(v)}` })
  const id = typeof v.id === 'string' && v.id.length > 0 ? v.id : undefined
  const op = typeof v.op === 'string' && v.op.length > 0 ? v.op : undefined
  const fail = (reason: string) => E.left<CaseError>({ reason, ...(id ? { id } : {}), ...(op ? { op } : {}) })
  if (id !== undefined && isComposite(op)) return E.mapLeft((reason: string): CaseError => ({ reason, id, op }))(parseComposite(v, id, op))
  for (const k of Object.keys(v)) {
    if (!(FIELDS as readonly string[]).includes(k)) return fail(`${k}: unknown field (a case has ${FIELDS.join(', ')})`)
  }
  if (id === undefined) return fail(`id: expected a non-empty string, got ${show(v.id)}`)
  if (op === undefined) return fail(`op: expected a non-empty string, got ${show(v.op)}`)
  if (v.attrs !== undefined && !isPlainObject(v.attrs)) return fail(`attrs: expected an object, got ${show(v.attrs)}`)
  if (v.inputs === undefined) return fail('inputs: required')
  if (v.outputs === undefined && v.gradients === undefined) return fail('a case needs outputs or gradients (it has neither)')
  // A case that names no expected tensor checks nothing: reported, never a pass.
  const named = (m: unknown) => (isPlainObject(m) ? Object.keys(m).length : 1)
  if (named(v.outputs ?? {}) + named(v.gradients ?? {}) === 0) return fail('outputs, gradients: a case must name at least one expected tensor (both are empty, so it would check nothing)')

  const inputs = tensorMap(v.inputs, 'inputs')
  if (E.isLeft(inputs)) return fail(inputs.left)
  const maps: Record<string, Record<string, Tensor> | undefined> = {}
  for (const field of ['outputs', 'cotangents', 'gradients'] as const) {
    if (v[field] === undefined) continue
    const r = tensorMap(v[field], field)
    if (E.isLeft(r)) return fail(r.left)
    maps[field] = r.right
  }
  let tol: Tolerance | undefined
  if (v.tolerance !== undefined) {
    const r = tolerance(v.tolerance)
    if (E.isLeft(r)) return fail(r.left)
    tol = r.right
  }
  return E.right({
    id, op,
    attrs: (v.attrs as Record<string, unknown> | undefined) ?? {},
    inputs: inputs.right,
    ...(maps.outputs ? { outputs: maps.outputs } : {}),
    ...(maps.cotangents ? { cotangents: maps.cotangents } : {}),
    ...(maps.gradients ? { gradients: maps.gradients } : {}),
    ...(tol ? { tolerance: tol } : {}),
  })
}

/** How deep a line may nest: a case needs about 6 levels, a graph case about 8. */
export const MAX_DEPTH = 64

/** The deepest nesting of arrays and objects in a JSON text (strings skipped), without parsing it. */
export const nestingDepth = (text: string): number => {
  let depth = 0, max = 0, inString = false
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    if (inString) {
      if (ch === 0x5c) i++ // backslash: skip the escaped character
      else if (ch === 0x22) inString = false
    } else if (ch === 0x22) inString = true
    else if (ch === 0x5b || ch === 0x7b) { if (++depth > max) max = depth }
    else if (ch === 0x5d || ch === 0x7d) depth--
  }
  return max
}

/**
 * The number of `[` and `{` in `text`, counted up to `limit + 1`: a bound on
 * its nesting depth (each level opens with one of them), found with the
 * native `indexOf` instead of a loop over every character.
 */
export const openings = (text: string, limit: number): number => {
  let n = 0
  for (let i = text.indexOf('['); i >= 0 && n <= limit; i = text.indexOf('[', i + 1)) n++
  for (let i = text.indexOf('{'); i >= 0 && n <= limit; i = text.indexOf('{', i + 1)) n++
  return n
}

/** Parse one line of a .jsonl file. */
export const parseLine = (line: string): E.Either<CaseError, Case> => {
  // Checked before parsing: deep nesting would overflow the stack of whatever
  // walks the value. Most lines have too few brackets to nest that deep, and
  // skip the exact count (a scan of every character, 8% of check's time).
  if (openings(line, MAX_DEPTH) > MAX_DEPTH) {
    const depth = nestingDepth(line)
    if (depth > MAX_DEPTH) return E.left({ reason: `nested ${depth} levels deep; a line may nest at most ${MAX_DEPTH} levels (a case needs about 6)` })
  }
  let v: unknown
  try {
    v = JSON.parse(line)
  } catch (e) {
    return E.left({ reason: `not valid JSON: ${(e as Error).message.slice(0, 120)}` })
  }
  const parsed = parseCase(v)
  if (E.isLeft(parsed)) return parsed
  // The published JSON Schema (./schema.ts) has the last word on structure: a
  // line the parser accepts but the schema rejects is invalid too, so that a
  // file another project validated with the schema is exactly what check takes.
  const bad = validate(v)
  return bad === undefined ? parsed : E.left({ reason: `${bad.pointer}: ${bad.message} (docs/case-format.schema.json)`, id: parsed.right.id, op: parsed.right.op })
}
