/**
 * The case format's JSON Schema (docs/case-format.schema.json, shipped as
 * `nn-oracle/case-format.schema.json` so that other projects can validate
 * their files with any validator) and the small validator `check` runs it
 * with: a line the schema rejects is reported `invalid` with the JSON Pointer
 * of the first offending value.
 *
 * Why not Ajv: the CLI's only run-time dependency is fp-ts, and the schema
 * uses a dozen keywords. The validator knows exactly those; a schema keyword
 * it does not know is an error (never silently ignored), so the schema cannot
 * grow a rule that `check` would skip.
 */
import schemaJson from '../../docs/case-format.schema.json' with { type: 'json' }

export type Schema = Readonly<Record<string, unknown>> | boolean

export const CASE_SCHEMA: Schema = schemaJson as Schema

/** Where and why a value breaks the schema. */
export interface SchemaError { readonly pointer: string; readonly message: string }

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', '$comment', '$defs'])
const KNOWN = new Set([
  'type', 'required', 'properties', 'additionalProperties', 'patternProperties', 'items', 'minItems',
  'uniqueItems', 'minLength', 'minimum', 'enum', 'const', 'anyOf', 'allOf', 'not', 'if', 'then',
  '$ref', 'minProperties', 'pattern',
])

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

const typeOk = (t: string, v: unknown): boolean =>
  t === 'object' ? isObject(v)
    : t === 'array' ? Array.isArray(v)
    : t === 'string' ? typeof v === 'string'
    : t === 'number' ? typeof v === 'number'
    : t === 'integer' ? typeof v === 'number' && Number.isInteger(v)
    : t === 'boolean' ? typeof v === 'boolean'
    : t === 'null' ? v === null
    : false

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

const esc = (k: string): string => k.replace(/~/g, '~0').replace(/\//g, '~1')

const brief = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v)
  return s.length > 40 ? `${s.slice(0, 37)}...` : s
}

/*
 * `check` runs the schema on every line, so the walk is on its hot path (one
 * visit per tensor element): what depends only on the schema is computed once
 * per schema node, never per value.
 */
/** Schema nodes whose keywords were already checked against KNOWN. */
const keywordsChecked = new WeakSet<object>()
/** Compiled `pattern` and `patternProperties` expressions, by source. */
const regexps = new Map<string, RegExp>()
const regexp = (source: string): RegExp => {
  let re = regexps.get(source)
  if (re === undefined) regexps.set(source, (re = new RegExp(source, 'u')))
  return re
}
/** Resolved local `$ref`s, per root schema. */
const refs = new WeakMap<object, Map<string, unknown>>()
const resolve = (root: Schema, ref: string): unknown => {
  if (typeof root !== 'object') return undefined
  let table = refs.get(root)
  if (table === undefined) refs.set(root, (table = new Map()))
  if (!table.has(ref)) table.set(ref, ref.replace(/^#\//, '').split('/').reduce<any>((o, k) => o?.[k], root))
  return table.get(ref)
}

/** Primitives compare by value; objects and arrays by their JSON. */
const equal = (a: unknown, b: unknown): boolean => a === b || (typeof a === 'object' && a !== null && same(a, b))

/**
 * The walk runs in one of two modes. Quiet (`at` undefined) only decides pass
 * or fail: no pointer or message is built, and every failure is FAIL. Loud
 * (`at` a JSON Pointer) builds the first error in full. A valid line, the
 * usual case, costs one quiet walk; an invalid one a second, loud walk.
 */
const FAIL: SchemaError = { pointer: '', message: '' }
type At = string | undefined
const failAt = (at: At, message: string): SchemaError => (at === undefined ? FAIL : { pointer: at || '/', message })
const child = (at: At, key: string | number): At => (at === undefined ? undefined : `${at}/${typeof key === 'number' ? key : esc(key)}`)

/**
 * The first error of `value` against `schema` (undefined when it conforms).
 * `root` resolves local `$ref`s (`#/$defs/name`).
 */
export const validate = (value: unknown, schema: Schema = CASE_SCHEMA, root: Schema = schema): SchemaError | undefined =>
  walk(value, schema, root, undefined) === undefined ? undefined : walk(value, schema, root, '')

const walk = (value: unknown, schema: Schema, root: Schema, at: At): SchemaError | undefined => {
  if (schema === true) return undefined
  if (schema === false) return failAt(at, 'no value is allowed here')
  if (!keywordsChecked.has(schema)) {
    for (const k of Object.keys(schema)) {
      if (!ANNOTATIONS.has(k) && !KNOWN.has(k)) return failAt(at, `schema keyword ${k} is not supported by this validator`)
    }
    keywordsChecked.add(schema)
  }
  const s = schema as Record<string, any>
  if (s.$ref !== undefined) {
    const target = resolve(root, String(s.$ref))
    if (target === undefined) return failAt(at, `unresolved $ref ${s.$ref}`)
    const e = walk(value, target as Schema, root, at)
    if (e) return e
  }
  if (s.type !== undefined && !typeOk(s.type, value)) return at === undefined ? FAIL : failAt(at, `expected ${s.type}, got ${brief(value)}`)
  if (s.const !== undefined && !equal(s.const, value)) return at === undefined ? FAIL : failAt(at, `expected ${brief(s.const)}, got ${brief(value)}`)
  if (s.enum !== undefined && !(s.enum as unknown[]).some((e) => equal(e, value))) {
    return at === undefined ? FAIL : failAt(at, `expected one of ${(s.enum as unknown[]).map(brief).join(', ')}, got ${brief(value)}`)
  }
  if (typeof value === 'string') {
    if (s.minLength !== undefined && value.length < s.minLength) return failAt(at, `expected a string of at least ${s.minLength} characters`)
    if (s.pattern !== undefined && !regexp(s.pattern).test(value)) return failAt(at, `expected a string matching ${s.pattern}`)
  }
  if (typeof value === 'number' && s.minimum !== undefined && value < s.minimum) return failAt(at, `expected a number >= ${s.minimum}, got ${value}`)
  if (Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems) return failAt(at, `expected at least ${s.minItems} items, got ${value.length}`)
    if (s.uniqueItems === true) {
      const seen = new Set(value.map((v) => JSON.stringify(v)))
      if (seen.size !== value.length) return failAt(at, 'expected unique items')
    }
    if (s.items !== undefined) {
      for (let i = 0; i < value.length; i++) {
        const e = walk(value[i], s.items, root, child(at, i))
        if (e) return e
      }
    }
  }
  if (isObject(value)) {
    if (s.required !== undefined) for (const k of s.required as string[]) if (!(k in value)) return failAt(at, `${k} is required`)
    if (s.minProperties !== undefined && Object.keys(value).length < s.minProperties) return failAt(at, `expected at least ${s.minProperties} entries`)
    const props = (s.properties ?? {}) as Record<string, Schema>
    const patterns = Object.entries((s.patternProperties ?? {}) as Record<string, Schema>)
    for (const [k, v] of Object.entries(value)) {
      let covered = false
      if (k in props) {
        covered = true
        const e = walk(v, props[k], root, child(at, k))
        if (e) return e
      }
      for (const [source, sub] of patterns) {
        if (!regexp(source).test(k)) continue
        covered = true
        const e = walk(v, sub, root, child(at, k))
        if (e) return e
      }
      if (!covered && s.additionalProperties !== undefined) {
        if (s.additionalProperties === false) return at === undefined ? FAIL : { pointer: child(at, k)!, message: `${k}: unknown field` }
        const e = walk(v, s.additionalProperties, root, child(at, k))
        if (e) return e
      }
    }
  }
  if (s.allOf !== undefined) {
    for (const sub of s.allOf as Schema[]) {
      const e = walk(value, sub, root, at)
      if (e) return e
    }
  }
  if (s.anyOf !== undefined) {
    // The first branch that holds settles it (a quiet walk); only when none
    // holds, and the walk is loud, are the branches' errors built and compared.
    let holds = false
    for (const sub of s.anyOf as Schema[]) if (walk(value, sub, root, undefined) === undefined) { holds = true; break }
    if (!holds) {
      if (at === undefined) return FAIL
      const errors = (s.anyOf as Schema[]).map((sub) => walk(value, sub, root, at)!)
      // The deepest error is the most telling (a tensor's bad element, not "expected a string").
      return errors.reduce((a, b) => (b.pointer.length > a.pointer.length ? b : a))
    }
  }
  if (s.not !== undefined && walk(value, s.not, root, undefined) === undefined) return at === undefined ? FAIL : failAt(at, `${brief(value)} is not allowed here`)
  if (s.if !== undefined && walk(value, s.if, root, undefined) === undefined && s.then !== undefined) {
    const e = walk(value, s.then, root, at)
    if (e) return e
  }
  return undefined
}

/**
 * Every keyword of `schema` that `validate` does not know, over all of its
 * subschemas (validate reports one only when a value reaches it). Empty for
 * the shipped schema: a spec holds it so.
 */
export const unsupportedKeywords = (schema: Schema): string[] => {
  if (typeof schema !== 'object' || schema === null) return []
  const s = schema as Record<string, any>
  const own = Object.keys(s).filter((k) => !ANNOTATIONS.has(k) && !KNOWN.has(k))
  const subs: unknown[] = [s.items, s.additionalProperties, s.not, s.if, s.then, ...(s.allOf ?? []), ...(s.anyOf ?? []),
    ...Object.values(s.properties ?? {}), ...Object.values(s.patternProperties ?? {}), ...Object.values(s.$defs ?? {})]
  return [...own, ...subs.flatMap((sub) => unsupportedKeywords(sub as Schema))]
}
