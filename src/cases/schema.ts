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
 * `root` resolves local `$ref`s (`#/$defs/name`). Pass or fail is decided by
 * the schema compiled into closures (`compile`, below); only a failing value
 * gets the loud walk. `validateGeneric` decides with the quiet walk instead:
 * the definition the compiled form is held to (spec/cases/schema.spec.ts).
 */
export const validate = (value: unknown, schema: Schema = CASE_SCHEMA, root: Schema = schema): SchemaError | undefined =>
  compile(schema, root)(value) ? undefined : walk(value, schema, root, '')

/** Whether `value` conforms, as the compiled schema decides it (`validate`'s first step). */
export const conforms = (value: unknown, schema: Schema = CASE_SCHEMA, root: Schema = schema): boolean => compile(schema, root)(value)

/** `validate` with the quiet walk deciding: slower, and the reference. */
export const validateGeneric = (value: unknown, schema: Schema = CASE_SCHEMA, root: Schema = schema): SchemaError | undefined =>
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
    // Own properties only (JSON Schema's rule): `in` would find toString and
    // __proto__ on every object, and let such a key past additionalProperties.
    if (s.required !== undefined) for (const k of s.required as string[]) if (!Object.hasOwn(value, k)) return failAt(at, `${k} is required`)
    if (s.minProperties !== undefined && Object.keys(value).length < s.minProperties) return failAt(at, `expected at least ${s.minProperties} entries`)
    const props = (s.properties ?? {}) as Record<string, Schema>
    const patterns = Object.entries((s.patternProperties ?? {}) as Record<string, Schema>)
    for (const [k, v] of Object.entries(value)) {
      let covered = false
      if (Object.hasOwn(props, k)) {
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

/*
 * The compiled form of the quiet walk. `walk` reads every keyword of a schema
 * node again for every value it visits (a tensor's elements pass through four
 * nodes each); `compile` reads them once and returns a test that runs exactly
 * the checks the node has, in `walk`'s order: the quiet walk partially
 * evaluated on the schema. What depends only on the schema (the keyword list,
 * regexps, `$ref` targets, the JSON of `const` and `enum` objects) is settled
 * at compile time. It only says whether a value conforms: the error of a value
 * that does not is built by the loud walk, so messages and pointers are the
 * walk's by construction.
 */
type Test = (value: unknown) => boolean

const yes: Test = () => true
const no: Test = () => false

/** Compiled nodes per root (a `$ref` resolves against the root, so one node may compile differently under two roots). */
const compiledByRoot = new WeakMap<object, WeakMap<object, { test?: Test }>>()
const compiledUnderBooleanRoot = new WeakMap<object, { test?: Test }>()

const compile = (schema: Schema, root: Schema): Test => {
  if (schema === true) return yes
  if (schema === false) return no
  // Not a schema at all (a $ref to a number, say): left to walk, whatever it makes of it.
  if (typeof schema !== 'object' || schema === null) return (v) => walk(v, schema, root, undefined) === undefined
  let table = typeof root === 'object' && root !== null ? compiledByRoot.get(root) : compiledUnderBooleanRoot
  if (table === undefined) compiledByRoot.set(root as object, (table = new WeakMap()))
  const cell = table.get(schema)
  // A cell without its test is a node being compiled: a `$ref` cycle, which calls through the cell.
  if (cell !== undefined) return cell.test ?? ((v) => cell.test!(v))
  const fresh: { test?: Test } = {}
  table.set(schema, fresh)
  fresh.test = compileNode(schema as Record<string, any>, root)
  return fresh.test
}

/** All of a node's tests, in order. */
const every = (tests: Test[]): Test =>
  tests.length === 0 ? yes
    : tests.length === 1 ? tests[0]
    : tests.length === 2 ? ((a, b): Test => (v) => a(v) && b(v))(tests[0], tests[1])
    : tests.length === 3 ? ((a, b, c): Test => (v) => a(v) && b(v) && c(v))(tests[0], tests[1], tests[2])
    : (v) => {
      for (let i = 0; i < tests.length; i++) if (!tests[i](v)) return false
      return true
    }

/**
 * A test that looks only at the value's `typeof` (number, string, boolean)
 * and at a few primitive values: `type` and primitive `enum` nodes, and
 * `anyOf` over such tests (a tensor element: a number, a boolean, or one of
 * "NaN", "Infinity", "-Infinity"). Such an `anyOf` is merged into one test,
 * and an array of them is checked by one loop with no call per element.
 */
interface Simple { readonly number: boolean; readonly string: boolean; readonly boolean: boolean; readonly values: ReadonlySet<unknown> }
const simpleOf = new WeakMap<Test, Simple>()

/** The test for a Simple; `values` never holds NaN, so Set.has (SameValueZero) agrees with ===. */
const simpleTest = (d: Simple): Test => {
  const { number, string, boolean, values } = d
  const t: Test = (v) => {
    const k = typeof v
    return (k === 'number' ? number : k === 'string' ? string : k === 'boolean' ? boolean : false) || values.has(v)
  }
  simpleOf.set(t, d)
  return t
}
const NONE: ReadonlySet<unknown> = new Set()

const typeTest = (t: unknown): Test =>
  t === 'object' ? isObject
    : t === 'array' ? Array.isArray
    : t === 'string' || t === 'number' || t === 'boolean' ? simpleTest({ number: t === 'number', string: t === 'string', boolean: t === 'boolean', values: NONE })
    : t === 'integer' ? (v) => typeof v === 'number' && Number.isInteger(v)
    : t === 'null' ? (v) => v === null
    : no

/** `equal(x, v)` for some x of `options`: primitives by ===, objects and arrays by their JSON. */
const oneOf = (options: readonly unknown[]): Test => {
  // === never finds NaN: leaving it out of the set keeps SameValueZero from finding it.
  const prims = new Set(options.filter((x) => (typeof x !== 'object' || x === null) && !Number.isNaN(x)))
  const jsons = new Set(options.filter((x) => typeof x === 'object' && x !== null).map((x) => JSON.stringify(x)))
  return jsons.size === 0 ? simpleTest({ number: false, string: false, boolean: false, values: prims })
    : (v) => prims.has(v) || jsons.has(JSON.stringify(v)!)
}

/** `anyOf`: one merged test when every branch is Simple. */
const anyTest = (subs: Test[]): Test => {
  const simple = subs.map((t) => simpleOf.get(t))
  if (subs.length > 0 && simple.every((d) => d !== undefined)) {
    const ds = simple as Simple[]
    return simpleTest({
      number: ds.some((d) => d.number), string: ds.some((d) => d.string), boolean: ds.some((d) => d.boolean),
      values: new Set(ds.flatMap((d) => [...d.values])),
    })
  }
  return subs.length === 2 ? ((a, b): Test => (v) => a(v) || b(v))(subs[0], subs[1]) : (v) => subs.some((t) => t(v))
}

const compileNode = (s: Record<string, any>, root: Schema): Test => {
  for (const k of Object.keys(s)) if (!ANNOTATIONS.has(k) && !KNOWN.has(k)) return no
  const tests: Test[] = []
  if (s.$ref !== undefined) {
    const target = resolve(root, String(s.$ref))
    tests.push(target === undefined ? no : compile(target as Schema, root))
  }
  if (s.type !== undefined) tests.push(typeTest(s.type))
  if (s.const !== undefined) tests.push(oneOf([s.const]))
  if (s.enum !== undefined) tests.push(oneOf(s.enum as unknown[]))
  if (s.minLength !== undefined || s.pattern !== undefined) {
    const min = s.minLength, re = s.pattern !== undefined ? regexp(s.pattern) : undefined
    tests.push((v) => typeof v !== 'string' || ((min === undefined || !(v.length < min)) && (re === undefined || re.test(v))))
  }
  if (s.minimum !== undefined) {
    const min = s.minimum
    tests.push((v) => !(typeof v === 'number' && v < min))
  }
  if (s.minItems !== undefined || s.uniqueItems === true || s.items !== undefined) tests.push(arrayTest(s, root))
  if (s.required !== undefined || s.minProperties !== undefined || s.properties !== undefined
    || s.patternProperties !== undefined || s.additionalProperties !== undefined) tests.push(objectTest(s, root))
  if (s.allOf !== undefined) tests.push(every((s.allOf as Schema[]).map((sub) => compile(sub, root))))
  if (s.anyOf !== undefined) tests.push(anyTest((s.anyOf as Schema[]).map((sub) => compile(sub, root))))
  if (s.not !== undefined) {
    const not = compile(s.not, root)
    tests.push((v) => !not(v))
  }
  if (s.if !== undefined && s.then !== undefined) {
    const cond = compile(s.if, root), then = compile(s.then, root)
    tests.push((v) => !cond(v) || then(v))
  }
  return every(tests)
}

const arrayTest = (s: Record<string, any>, root: Schema): Test => {
  const minItems = s.minItems, unique = s.uniqueItems === true
  const item = s.items !== undefined ? compile(s.items, root) : undefined
  const simple = item !== undefined ? simpleOf.get(item) : undefined
  const items: Test | undefined = simple !== undefined ? simpleItems(simple) : item === undefined ? undefined : (v) => {
    const a = v as unknown[]
    for (let i = 0; i < a.length; i++) if (!item(a[i])) return false
    return true
  }
  return (v) => {
    if (!Array.isArray(v)) return true
    if (minItems !== undefined && v.length < minItems) return false
    if (unique && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) return false
    return items === undefined || items(v)
  }
}

/** Every element of an array passes a Simple test: the test's body inlined in the loop. */
const simpleItems = ({ number, string, boolean, values }: Simple): Test => (v) => {
  const a = v as unknown[]
  for (let i = 0; i < a.length; i++) {
    const x = a[i], k = typeof x
    if (!(k === 'number' ? number : k === 'string' ? string : k === 'boolean' ? boolean : false) && !values.has(x)) return false
  }
  return true
}

const objectTest = (s: Record<string, any>, root: Schema): Test => {
  const required = s.required as string[] | undefined, minProperties = s.minProperties
  const props = new Map(Object.entries((s.properties ?? {}) as Record<string, Schema>).map(([k, sub]) => [k, compile(sub, root)]))
  const patterns = Object.entries((s.patternProperties ?? {}) as Record<string, Schema>).map(([source, sub]) => ({ re: regexp(source), test: compile(sub, root) }))
  const additional = s.additionalProperties === undefined ? undefined : compile(s.additionalProperties, root)
  return (v) => {
    if (!isObject(v)) return true
    if (required !== undefined) for (const k of required) if (!Object.hasOwn(v, k)) return false
    const keys = Object.keys(v)
    if (minProperties !== undefined && keys.length < minProperties) return false
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i], x = v[k]
      const p = props.get(k)
      let covered = p !== undefined
      if (p !== undefined && !p(x)) return false
      for (let j = 0; j < patterns.length; j++) {
        if (!patterns[j].re.test(k)) continue
        covered = true
        if (!patterns[j].test(x)) return false
      }
      if (!covered && additional !== undefined && !additional(x)) return false
    }
    return true
  }
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
