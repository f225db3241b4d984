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

/**
 * The first error of `value` against `schema` (undefined when it conforms).
 * `root` resolves local `$ref`s (`#/$defs/name`).
 */
export const validate = (value: unknown, schema: Schema = CASE_SCHEMA, root: Schema = schema, at = ''): SchemaError | undefined => {
  if (schema === true) return undefined
  if (schema === false) return { pointer: at || '/', message: 'no value is allowed here' }
  const err = (message: string): SchemaError => ({ pointer: at || '/', message })
  for (const k of Object.keys(schema)) {
    if (!ANNOTATIONS.has(k) && !KNOWN.has(k)) return err(`schema keyword ${k} is not supported by this validator`)
  }
  const s = schema as Record<string, any>
  if (s.$ref !== undefined) {
    const target = String(s.$ref).replace(/^#\//, '').split('/').reduce<any>((o, k) => o?.[k], root)
    if (target === undefined) return err(`unresolved $ref ${s.$ref}`)
    const e = validate(value, target, root, at)
    if (e) return e
  }
  if (s.type !== undefined && !typeOk(s.type, value)) return err(`expected ${s.type}, got ${brief(value)}`)
  if (s.const !== undefined && !same(s.const, value)) return err(`expected ${brief(s.const)}, got ${brief(value)}`)
  if (s.enum !== undefined && !(s.enum as unknown[]).some((e) => same(e, value))) {
    return err(`expected one of ${(s.enum as unknown[]).map(brief).join(', ')}, got ${brief(value)}`)
  }
  if (typeof value === 'string') {
    if (s.minLength !== undefined && value.length < s.minLength) return err(`expected a string of at least ${s.minLength} characters`)
    if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(value)) return err(`expected a string matching ${s.pattern}`)
  }
  if (typeof value === 'number' && s.minimum !== undefined && value < s.minimum) return err(`expected a number >= ${s.minimum}, got ${value}`)
  if (Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems) return err(`expected at least ${s.minItems} items, got ${value.length}`)
    if (s.uniqueItems === true) {
      const seen = new Set(value.map((v) => JSON.stringify(v)))
      if (seen.size !== value.length) return err('expected unique items')
    }
    if (s.items !== undefined) {
      for (let i = 0; i < value.length; i++) {
        const e = validate(value[i], s.items, root, `${at}/${i}`)
        if (e) return e
      }
    }
  }
  if (isObject(value)) {
    for (const k of (s.required ?? []) as string[]) if (!(k in value)) return err(`${k} is required`)
    if (s.minProperties !== undefined && Object.keys(value).length < s.minProperties) return err(`expected at least ${s.minProperties} entries`)
    const props = (s.properties ?? {}) as Record<string, Schema>
    const patterns = Object.entries((s.patternProperties ?? {}) as Record<string, Schema>).map(([p, sub]) => [new RegExp(p, 'u'), sub] as const)
    for (const [k, v] of Object.entries(value)) {
      let covered = false
      if (k in props) {
        covered = true
        const e = validate(v, props[k], root, `${at}/${esc(k)}`)
        if (e) return e
      }
      for (const [re, sub] of patterns) {
        if (!re.test(k)) continue
        covered = true
        const e = validate(v, sub, root, `${at}/${esc(k)}`)
        if (e) return e
      }
      if (!covered && s.additionalProperties !== undefined) {
        if (s.additionalProperties === false) return { pointer: `${at}/${esc(k)}`, message: `${k}: unknown field` }
        const e = validate(v, s.additionalProperties, root, `${at}/${esc(k)}`)
        if (e) return e
      }
    }
  }
  for (const sub of (s.allOf ?? []) as Schema[]) {
    const e = validate(value, sub, root, at)
    if (e) return e
  }
  if (s.anyOf !== undefined) {
    const errors = (s.anyOf as Schema[]).map((sub) => validate(value, sub, root, at))
    if (errors.every((e) => e !== undefined)) {
      // The deepest error is the most telling (a tensor's bad element, not "expected a string").
      return errors.reduce((a, b) => (b!.pointer.length > a!.pointer.length ? b : a))
    }
  }
  if (s.not !== undefined && validate(value, s.not, root, at) === undefined) return err(`${brief(value)} is not allowed here`)
  if (s.if !== undefined && validate(value, s.if, root, at) === undefined && s.then !== undefined) {
    const e = validate(value, s.then, root, at)
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
