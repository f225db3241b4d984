/**
 * check's fast paths against their definitions (docs/performance.md, "check"):
 *
 * - the compiled schema (`validate`) against the schema walk (`validateGeneric`)
 *   on committed cases, on the format's graph and train examples, and on
 *   random manglings of them: the same verdict and the same first error;
 * - chunked line reading (`readLineBatches`, lines decoded straight from the
 *   chunk) against a plain split of the whole byte string, over random bytes
 *   (invalid UTF-8, CRLF, byte-order marks, long lines) cut into random chunks;
 * - the bracket count that lets a line skip the exact depth scan: a line is
 *   reported too deep exactly when it is, whichever brackets it nests with.
 *
 * Every random choice comes from fast-check under the fixed seed of its test
 * name (spec/support/property.ts); no tolerance is involved (exact equality).
 */
import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { MAX_DEPTH, nestingDepth, parseLine } from '../../src/cases/case.ts'
import { type Line, readLineBatches, readLines } from '../../src/cases/lines.ts'
import { decodeTensor } from '../../src/cases/tensor-json.ts'
import { type Schema, conforms, validate, validateGeneric } from '../../src/cases/schema.ts'
import { failed, ok } from '../laws/result.ts'
import { property, seedOf } from '../support/property.ts'

const test = suite('case format: fast paths against their definitions')

const T = (shape: number[], data: unknown[] | string, dtype = 'float64') => ({ dtype, shape, data })
const GRAPH = {
  id: 'mlp', op: 'graph',
  graph: { nodes: [
    { op: 'linear', inputs: { x: 'x', weight: 'w', bias: 'b' }, outputs: { y: 'h' } },
    { op: 'cross_entropy', attrs: { reduction: 'mean' }, inputs: { input: 'h', target: 't' }, outputs: { loss: 'loss' } },
  ] },
  inputs: { x: T([1, 2], [1, 2]), t: T([1], [0], 'int64'), w: T([2, 2], 'AAAAAAAA8D8AAAAAAAAAAAAAAAAAAAAAAAAAAAAA8D8='), b: T([2], [0, 0]) },
  outputs: { loss: T([], [0.5]) }, cotangents: { loss: T([], [1]) }, gradients: { w: T([2, 2], [0, 0, 0, 0]) },
}
const TRAIN = {
  id: 'sgd', op: 'train', graph: GRAPH.graph, loss: 'loss', params: ['w', 'b'],
  optimizer: { op: 'sgd', attrs: { lr: 0.05, momentum: 0.9 } }, param_groups: [{ params: ['b'], attrs: { weight_decay: 0 } }],
  schedule: { kind: 'step', attrs: { step_size: 2, gamma: 0.5 } }, averaging: { kind: 'ema', attrs: { decay: 0.995 } },
  inputs: { w: GRAPH.inputs.w, b: GRAPH.inputs.b }, steps: [{ inputs: { x: GRAPH.inputs.x, t: GRAPH.inputs.t } }, {}],
  outputs: { losses: T([2], [0.7, 0.6]), params: { w: GRAPH.inputs.w }, averaged: { w: GRAPH.inputs.w } },
  tolerance: { rtol: 1e-6, atol: 1e-9 },
}
/** Valid cases to mangle: the shortest lines of each committed file (small, so that a mangling lands anywhere), and the examples above. */
const BASES: unknown[] = [
  ...['docs/examples/pytorch-sample.jsonl', 'spec/crosscheck/vectors-seed3.jsonl', 'spec/crosscheck/edge-cases-seed3.jsonl'].flatMap((file) =>
    readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').sort((a, b) => a.length - b.length).slice(0, 12)),
  JSON.stringify(GRAPH), JSON.stringify(TRAIN),
].map((l) => JSON.parse(typeof l === 'string' ? l : JSON.stringify(l)))

/** Paths to values inside `v` (the root included); of an array, its first two elements only, so that a tensor's data does not crowd out the rest. */
const paths = (v: unknown, at: (string | number)[] = []): (string | number)[][] =>
  [at, ...(Array.isArray(v) ? v.slice(0, 2).flatMap((x, i) => paths(x, [...at, i]))
    : typeof v === 'object' && v !== null ? Object.entries(v).flatMap(([k, x]) => paths(x, [...at, k])) : [])]

/** Keys a mangling may add: the format's own, a tensor's, and names every object inherits. */
const KEYS = ['id', 'op', 'attrs', 'inputs', 'outputs', 'gradients', 'cotangents', 'tolerance', 'graph', 'loss', 'params', 'steps',
  'optimizer', 'schedule', 'averaging', 'nodes', 'dtype', 'shape', 'data', 'rtol', 'atol', 'x', 'toString', 'constructor', '__proto__', 'hasOwnProperty']
/** Near misses of the format's own values. */
const NEAR: unknown[] = ['graph', 'train', 'relu', '', 'NaN', 'nan', 'Infinity', 'float16', 'int64', 'bool', 'AAAA', 'AA=', '!!!!', -1, 0.5, 1e300, -0, true, null, [], {}, [[1]],
  { dtype: 'float64', shape: [1], data: [1] }, { dtype: 'bool', shape: [2], data: [true, 'NaN'] }, { rtol: 0, atol: 0 }, { op: 'relu', inputs: {}, outputs: {} },
  ['w', 'w'], ['b', 'w', 'b'], { nodes: [] }, { kind: 'x', attrs: 1 }, [{}], [{ params: ['w'], note: 1 }]]
/** The values a key is added with in the exhaustive sweep (fewer than NEAR: it runs for every key on every object). */
const ADDED: unknown[] = ['', -1, 0.5, null, {}, [], ['w', 'w'], { dtype: 'float64', shape: [1], data: [1] }]
/** Values a mangling may put in: JSON values, and mostly near misses. */
const VALUE = fc.oneof({ arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 1 }, { arbitrary: fc.constantFrom(...NEAR), weight: 3 })

type Mangle = { at: number; how: 'set' | 'delete' | 'add' | 'wrap'; key: string; value: unknown }
const MANGLE: fc.Arbitrary<Mangle> = fc.record({ at: fc.nat(), how: fc.constantFrom('set', 'delete', 'add', 'wrap'), key: fc.constantFrom(...KEYS), value: VALUE })

const mangle = (base: unknown, ms: readonly Mangle[]): unknown => {
  // A JSON round trip, as check sees a line: an added "__proto__" key stays an own property.
  let v: unknown = JSON.parse(JSON.stringify(base))
  for (const m of ms) {
    const all = paths(v)
    const path = all[m.at % all.length]
    if (path.length === 0) { v = m.how === 'wrap' ? [v] : m.how === 'set' ? m.value : v; continue }
    const parent = path.slice(0, -1).reduce<any>((o, k) => o[k], v)
    const last = path[path.length - 1]
    if (m.how === 'set') parent[last] = m.value
    else if (m.how === 'wrap') parent[last] = [parent[last]]
    else if (m.how === 'delete') { if (Array.isArray(parent)) parent.splice(last as number, 1); else delete parent[last] }
    else {
      const target = parent[last]
      if (typeof target === 'object' && target !== null && !Array.isArray(target)) Object.defineProperty(target, m.key, { value: m.value, enumerable: true, writable: true, configurable: true })
      else if (Array.isArray(target)) target.push(m.value)
    }
    v = JSON.parse(JSON.stringify(v))
  }
  return v
}

/** The compiled verdict is the walk's, and so is validate's first error. */
const agree = (v: unknown, schema?: Schema) => {
  const verdict = schema === undefined ? conforms(v) : conforms(v, schema)
  const compiled = schema === undefined ? validate(v) : validate(v, schema)
  const generic = schema === undefined ? validateGeneric(v) : validateGeneric(v, schema)
  return verdict === (generic === undefined) && JSON.stringify(compiled) === JSON.stringify(generic)
    ? ok : failed(`compiled ${verdict ? 'conforms' : 'fails'} with ${JSON.stringify(compiled)}, walk ${JSON.stringify(generic)} for ${JSON.stringify(v).slice(0, 300)}`)
}

test('the compiled schema passes every base case, as the walk does', () => {
  for (const b of BASES) {
    assert.is(validateGeneric(b), undefined)
    assert.is(validate(b), undefined)
  }
})

property(test, 'the compiled schema and the walk agree on mangled cases: the same verdict, the same first error',
  fc.tuple(fc.nat(BASES.length - 1), fc.array(MANGLE, { minLength: 1, maxLength: 3 })), ([i, ms]) => agree(mangle(BASES[i], ms)), 600)

test('the compiled schema and the walk agree on every one-value edit of the graph, train and two single-op cases', () => {
  // Exhaustive where the random manglings are thin: each key of the format set
  // on each object, and each value replaced, by each near miss.
  const bases = [BASES[0], BASES.find((b) => JSON.stringify(b).includes('"bool"')) ?? BASES[1], GRAPH, TRAIN]
  let n = 0
  for (const base of bases) {
    const all = paths(base)
    all.forEach((path, at) => {
      const target = path.reduce<any>((o, k) => o[k], base)
      const edits: Mangle[] = NEAR.map((value) => ({ at: 0, how: 'set', key: 'x', value }))
      if (typeof target === 'object' && target !== null && !Array.isArray(target)) for (const key of KEYS) for (const value of ADDED) edits.push({ at: 0, how: 'add', key, value })
      for (const e of edits) {
        const v = mangle(base, [{ ...e, at }])
        const r = agree(v)
        n++
        if (!r.ok) assert.unreachable(`${JSON.stringify(path)} ${e.how} ${e.key} ${JSON.stringify(e.value)}: ${r.message}`)
      }
    })
  }
  assert.ok(n > 10000, `${n} edits`)
})

property(test, 'the compiled schema and the walk agree on arbitrary JSON', fc.jsonValue({ maxDepth: 4 }), (v) => agree(v), 300)

/** Small schemas for the keywords and corners the case schema does not reach. */
const SCHEMAS: Schema[] = [
  { type: 'integer', minimum: 2 }, { type: 'null' }, { type: ['string', 'number'] } as never, { const: { a: [1, 2] } }, { const: null },
  { enum: [1, 'a', null, [1], { b: 2 }] }, { type: 'array', minItems: 2, uniqueItems: true, items: { type: 'number' } },
  { type: 'object', minProperties: 2, patternProperties: { '^x': { type: 'string', minLength: 2, pattern: '^x[a-z]*$' } }, additionalProperties: { type: 'boolean' } },
  { not: { type: 'string' } }, { allOf: [{ minimum: 0 }, { not: { const: 3 } }] }, { anyOf: [{ type: 'string' }, { enum: [1, 2] }, { type: 'boolean' }] },
  { if: { type: 'number' }, then: { minimum: 10 } }, { $ref: '#/$defs/missing' }, { items: false }, { additionalProperties: true, properties: { a: false } },
  { $defs: { list: { type: 'array', items: { anyOf: [{ type: 'number' }, { $ref: '#/$defs/list' }] } } }, $ref: '#/$defs/list' },
  { type: 'object', maximum: 3 } as never, { required: ['toString', 'a'] },
]

property(test, 'the compiled schema and the walk agree on small schemas over arbitrary JSON',
  fc.tuple(fc.nat(SCHEMAS.length - 1), fc.oneof(fc.jsonValue({ maxDepth: 3 }), VALUE)), ([i, v]) => agree(v, SCHEMAS[i]), 600)

test('a key named like an Object.prototype member is an ordinary key (own properties only)', () => {
  const base = { id: 'a', op: 'relu', inputs: { x: T([2], [1, -1]) }, outputs: { y: T([2], [1, 0]) } }
  const lines = [JSON.stringify({ ...base, toString: 1 }), JSON.stringify({ ...base, inputs: { constructor: 5 } }),
    JSON.stringify(base).replace('"inputs":{', '"inputs":{"__proto__":5,')]
  const pointers = ['/toString', '/inputs/constructor', '/inputs/__proto__']
  lines.forEach((l, i) => {
    assert.is(validate(JSON.parse(l))?.pointer, pointers[i], l)
    assert.is(validateGeneric(JSON.parse(l))?.pointer, pointers[i], l)
  })
  assert.is(validate({ a: 1 }, { required: ['toString'] })?.message, 'toString is required')
})

/* Line reading: the definition is a split of the whole byte string. */

/** What `readLines` must give for `bytes` read whole: one entry per line break, then the rest when any byte was read. */
const reference = (bytes: Buffer, max: number): Line[] => {
  const out: Line[] = []
  if (bytes.length === 0) return out
  const decoder = new TextDecoder('utf-8', { fatal: true })
  let start = 0, number = 1
  for (;;) {
    const nl = bytes.indexOf(0x0a, start)
    const end = nl < 0 ? bytes.length : nl
    const offset = nl < 0 ? bytes.length : nl + 1
    const n = number++
    if (end - start > max) out.push({ kind: 'too-long', number: n, bytes: end - start, offset })
    else {
      const body = bytes.subarray(start, end > start && bytes[end - 1] === 0x0d ? end - 1 : end)
      try { out.push({ kind: 'line', number: n, text: decoder.decode(body), offset }) } catch { out.push({ kind: 'bad-utf8', number: n, offset }) }
    }
    if (nl < 0) return out
    start = nl + 1
  }
}

/** The first line that differs, named (uvu's diff of thousands of lines would take minutes). */
const sameLines = (got: readonly Line[], want: readonly Line[]): void => {
  for (let i = 0; i < Math.max(got.length, want.length); i++) {
    const a = JSON.stringify(got[i]), b = JSON.stringify(want[i])
    if (a !== b) assert.unreachable(`line ${i + 1} of ${want.length}: got ${a}, want ${b}`)
  }
}

/** Pieces of a line: text (with multi-byte characters), a BOM, CR, a bad byte, a truncated character. */
const PIECE = fc.oneof(
  { arbitrary: fc.string({ maxLength: 6 }).map((s) => Buffer.from(s)), weight: 3 },
  { arbitrary: fc.constantFrom('é', '€', '😀', 'ab', '{"a":1}', ' ').map((s) => Buffer.from(s)), weight: 3 },
  { arbitrary: fc.constantFrom([0xef, 0xbb, 0xbf], [0x0d], [0x0d, 0x0a], [0x0a], [0x0a, 0xef, 0xbb, 0xbf]).map((b) => Buffer.from(b)), weight: 4 },
  // Rarer, so that most chunks are valid and take the direct path.
  { arbitrary: fc.constantFrom([0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0x80], [0x80]).map((b) => Buffer.from(b)), weight: 1 },
)

test('chunked line reading gives the lines of a plain split, however the bytes are cut', async () => {
  const name = 'chunked line reading gives the lines of a plain split'
  const r = await fc.check(fc.asyncProperty(
    fc.array(PIECE, { maxLength: 40 }), fc.array(fc.nat(64), { maxLength: 8 }), fc.constantFrom(4, 8, 16, 1 << 20), fc.boolean(),
    async (pieces, cuts, max, strings) => {
      const bytes = Buffer.concat(pieces)
      const chunks: Buffer[] = []
      let at = 0
      for (const c of cuts) { chunks.push(bytes.subarray(at, Math.min(bytes.length, at + c))); at = Math.min(bytes.length, at + c) }
      if (at < bytes.length || chunks.length === 0) chunks.push(bytes.subarray(at))
      const source = () => Readable.from(strings && bytes.every((b) => b < 0x80) ? chunks.map((c) => c.toString('latin1')) : chunks, { objectMode: true })
      const want = reference(bytes, max)
      // An empty final chunk still counts as having read something (the readers see one chunk or more): only no chunk at all gives no line.
      const got: Line[] = []
      for await (const batch of readLineBatches(source(), max)) got.push(...batch)
      const each: Line[] = []
      for await (const line of readLines(source(), max)) each.push(line)
      const expected: Line[] = chunks.length > 0 && bytes.length === 0 ? [{ kind: 'line', number: 1, text: '', offset: 0 }] : want
      sameLines(got, expected)
      sameLines(each, expected)
    }), { numRuns: 400, seed: seedOf(name), endOnFailure: true }) // no shrinking: each try reads streams, and a failure is plain from the bytes
  if (r.failed) throw new Error(`${name}: ${fc.stringify(r.counterexample)}: ${String((r.errorInstance as Error)?.message ?? r.errorInstance).slice(0, 600)}`)
})

test('a file read from disk in large chunks gives the same lines as the split', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { tmpdir } = await import('node:os')
  const dir = mkdtempSync(join(tmpdir(), 'nn-oracle-lines-'))
  // 3 MiB of lines of varied lengths (some over the limit), some with a BOM or a CRLF end, one invalid: several chunks, lines across their edges.
  const lines = Array.from({ length: 30000 }, (_, i) => (i % 50 === 7 ? '\ufeff' : '') + 'x'.repeat((i * 37) % 200) + (i % 3 === 0 ? '\r' : ''))
  const bytes = Buffer.concat([Buffer.from(lines.join('\n')), Buffer.from([0x0a, 0xff, 0x0a])])
  const file = join(dir, 'l.jsonl')
  writeFileSync(file, bytes)
  const got: Line[] = []
  for await (const batch of readLineBatches(file, 150)) got.push(...batch)
  rmSync(dir, { recursive: true })
  sameLines(got, reference(bytes, 150))
})

test('tensor data: numbers are copied straight for float dtypes only; int64 and bool elements are still checked', () => {
  const bad: [string, unknown[], string][] = [
    ['int64', [1, 1.5], 'inputs.x.data[1]: expected an integer within +-2^53 for dtype int64, got 1.5'],
    ['int64', [2 ** 53, 0], 'inputs.x.data[0]: expected an integer within +-2^53 for dtype int64, got 9007199254740992'],
    ['bool', [true, 1], 'inputs.x.data[1]: expected true or false for dtype bool, got 1'],
    ['float64', [1, 'nan'], 'inputs.x.data[1]: expected a number or "NaN", "Infinity", "-Infinity" for dtype float64, got "nan"'],
  ]
  for (const [dtype, data, message] of bad) {
    const r = decodeTensor({ dtype, shape: [2], data }, 'inputs.x')
    assert.ok(E.isLeft(r), `${dtype} ${JSON.stringify(data)} accepted`)
    if (E.isLeft(r)) assert.is(`${r.left.path}: expected ${r.left.reason}`, message)
  }
  const good = decodeTensor({ dtype: 'float32', shape: [4], data: [0.5, 'NaN', -0, '-Infinity'] }, 'x')
  assert.ok(E.isRight(good))
  if (E.isRight(good)) assert.equal(Array.from(good.right.data), [0.5, NaN, -0, -Infinity])
})

/* Nesting: the bracket count only lets a line skip the exact scan. */

const NEST = fc.array(fc.constantFrom('[', '{"k":', '["s[{",', '{"\\"[":'), { minLength: 55, maxLength: 75 })
property(test, 'a line is reported too deep exactly when it nests past the limit, with its depth', NEST, (opens) => {
  const close = opens.map((o) => (o.startsWith('[') ? ']' : '}')).reverse().join('')
  const line = `{"id":"d","op":"relu","inputs":{"x":${opens.join('')}1${close}}}`
  const depth = nestingDepth(line)
  const p = parseLine(line)
  const reported = E.isLeft(p) && p.left.reason.startsWith(`nested ${depth} levels deep`)
  return reported === depth > MAX_DEPTH ? ok : failed(`depth ${depth}, parseLine says ${JSON.stringify(E.isLeft(p) ? p.left.reason : 'a case')}`)
}, 300)

test('objects alone, arrays alone: 64 levels pass the depth check, 65 do not', () => {
  for (const [open, close] of [['{"k":', '}'], ['[', ']']]) {
    for (const n of [63, 64]) {
      const line = `{"id":"d","op":"relu","inputs":${open.repeat(n)}1${close.repeat(n)}}`
      const p = parseLine(line)
      const reason = E.isLeft(p) ? p.left.reason : ''
      if (n + 1 > MAX_DEPTH) assert.match(reason, `nested ${n + 1} levels deep`)
      else assert.not.match(reason, 'nested')
    }
  }
})

test.run()
