/**
 * The case format's JSON Schema (docs/case-format.schema.json) agrees with the
 * parser: every committed case file conforms, the format's own graph and train
 * examples conform, and each broken case of a corpus is rejected by both the
 * schema and `parseCase`. The validator knows every keyword the schema uses.
 */
import * as E from 'fp-ts/lib/Either.js'
import { readFileSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { parseCase } from '../../src/cases/case.ts'
import { CASE_SCHEMA, unsupportedKeywords, validate } from '../../src/cases/schema.ts'

const test = suite('case format: the JSON Schema')

const T = (shape: number[], data: unknown[] | string, dtype = 'float64') => ({ dtype, shape, data })
const base = () => ({ id: 'a', op: 'relu', inputs: { x: T([2], [1, -1]) }, outputs: { y: T([2], [1, 0]) } })

test('every line of the committed case files conforms', () => {
  for (const file of ['docs/examples/pytorch-sample.jsonl', 'spec/crosscheck/vectors-seed3.jsonl', 'spec/crosscheck/edge-cases-seed3.jsonl']) {
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      if (line.trim() === '') return
      const e = validate(JSON.parse(line))
      assert.is(e, undefined, `${file}:${i + 1}: ${e?.pointer} ${e?.message}`)
    })
  }
})

test("the format's graph and train examples conform", () => {
  const graph = {
    id: 'mlp/relu-00', op: 'graph',
    graph: { nodes: [
      { op: 'linear', inputs: { x: 'x', weight: 'w', bias: 'b' }, outputs: { y: 'h' } },
      { op: 'cross_entropy', attrs: { reduction: 'mean' }, inputs: { input: 'h', target: 't' }, outputs: { loss: 'loss' } },
    ] },
    inputs: { x: T([1, 2], [1, 2]), t: T([1], [0], 'int64'), w: T([2, 2], 'AAAAAAAA8D8AAAAAAAAAAAAAAAAAAAAAAAAAAAAA8D8='), b: T([2], [0, 0]) },
    outputs: { loss: T([], [0.5]) }, cotangents: { loss: T([], [1]) }, gradients: { w: T([2, 2], [0, 0, 0, 0]) },
  }
  assert.is(validate(graph), undefined, JSON.stringify(validate(graph)))
  const train = {
    id: 'sgd-00', op: 'train', graph: graph.graph, loss: 'loss', params: ['w', 'b'],
    optimizer: { op: 'sgd', attrs: { lr: 0.05, momentum: 0.9, weight_decay: 5e-4 } },
    param_groups: [{ params: ['b'], attrs: { weight_decay: 0 } }],
    schedule: { kind: 'step', attrs: { step_size: 2, gamma: 0.5 } },
    averaging: { kind: 'ema', attrs: { decay: 0.995 } },
    inputs: { w: graph.inputs.w, b: graph.inputs.b },
    steps: [{ inputs: { x: graph.inputs.x, t: graph.inputs.t } }, {}],
    outputs: { losses: T([2], [0.7, 0.6]), params: { w: graph.inputs.w }, averaged: { w: graph.inputs.w } },
    tolerance: { rtol: 1e-6, atol: 1e-9 },
  }
  assert.is(validate(train), undefined, JSON.stringify(validate(train)))
})

/** Broken cases: [what is wrong, the case]. Each must be rejected by the schema and by the parser. */
const BROKEN: [string, unknown][] = [
  ['not an object', [1, 2]],
  ['no id', (({ id, ...r }) => r)(base())],
  ['empty id', { ...base(), id: '' }],
  ['no op', (({ op, ...r }) => r)(base())],
  ['no inputs', (({ inputs, ...r }) => r)(base())],
  ['neither outputs nor gradients', (({ outputs, ...r }) => r)(base())],
  ['unknown field', { ...base(), expected: {} }],
  ['attrs not an object', { ...base(), attrs: [1] }],
  ['unknown dtype', { ...base(), inputs: { x: T([2], [1, 2], 'float16') } }],
  ['negative dim', { ...base(), inputs: { x: T([-2], [1, 2]) } }],
  ['fractional dim', { ...base(), inputs: { x: T([1.5], [1, 2]) } }],
  ['a word for an element', { ...base(), inputs: { x: T([2], [1, 'nan']) } }],
  ['a tensor with an extra field', { ...base(), inputs: { x: { ...T([2], [1, 2]), layout: 'nchw' } } }],
  ['tolerance with only rtol', { ...base(), tolerance: { rtol: 1e-3 } }],
  ['negative tolerance', { ...base(), tolerance: { rtol: -1, atol: 0 } }],
  ['tolerance with an unknown field', { ...base(), tolerance: { rtol: 0, atol: 0, ulp: 1 } }],
  ['base64 with bad characters', { ...base(), inputs: { x: T([1], '!!!!') } }],
  ['a graph node with an unknown field', { ...base(), op: 'graph', graph: { nodes: [{ op: 'relu', inputs: { x: 'x' }, outputs: { y: 'y' }, note: 1 }] } }],
  ['a graph with an unknown field', { ...base(), op: 'graph', graph: { nodes: [], name: 'n' } }],
  ['a train case with duplicate params', { id: 't', op: 'train', graph: { nodes: [] }, loss: 'y', params: ['x', 'x'], optimizer: { op: 'sgd', attrs: { lr: 1 } }, inputs: { x: T([], [1]) }, steps: [{}], outputs: { losses: T([1], [1]) } }],
  ['a train step with an unknown field', { id: 't', op: 'train', graph: { nodes: [] }, loss: 'y', params: ['x'], optimizer: { op: 'sgd', attrs: { lr: 1 } }, inputs: { x: T([], [1]) }, steps: [{ note: 1 }], outputs: { losses: T([1], [1]) } }],
  ['a train case with empty outputs', { id: 't', op: 'train', graph: { nodes: [] }, loss: 'y', params: ['x'], optimizer: { op: 'sgd', attrs: { lr: 1 } }, inputs: { x: T([], [1]) }, steps: [{}], outputs: {} }],
]

test('each broken case is rejected by the schema and by the parser', () => {
  for (const [why, c] of BROKEN) {
    assert.ok(validate(c) !== undefined, `the schema accepts a case with ${why}`)
    assert.ok(E.isLeft(parseCase(c)), `the parser accepts a case with ${why}`)
  }
})

test('valid variants are accepted by both: scalars, base64, non-finite strings, bool, tolerance', () => {
  const ok: unknown[] = [
    base(),
    { ...base(), inputs: { x: T([], [2]) }, outputs: { y: T([], [2]) } },
    { ...base(), inputs: { x: T([1], 'AAAAAAAA8D8=') } },
    { ...base(), inputs: { x: T([3], ['NaN', 'Infinity', '-Infinity']) } },
    { ...base(), op: 'dropout', inputs: { x: T([2], [1, 2]), mask: T([2], [true, false], 'bool') } },
    { ...base(), tolerance: { rtol: 1e-3, atol: 0 } },
    { ...base(), outputs: undefined, gradients: { x: T([2], [1, 0]) }, cotangents: { y: T([2], [1, 1]) } },
    // Degenerate but well formed: no nodes, no steps; an averaging kind the oracle lacks is unsupported, not invalid.
    { id: 'g', op: 'graph', graph: { nodes: [] }, inputs: { x: T([1], [1]) }, outputs: { x: T([1], [1]) } },
    { id: 't', op: 'train', graph: { nodes: [{ op: 'relu', inputs: { x: 'x' }, outputs: { y: 'y' } }] }, loss: 'y', params: [],
      optimizer: { op: 'sgd', attrs: { lr: 1 } }, averaging: { kind: 'swa' }, inputs: { x: T([1], [1]) }, steps: [], outputs: { losses: T([0], []) } },
  ].map((c) => JSON.parse(JSON.stringify(c)))
  for (const c of ok) {
    assert.is(validate(c), undefined, `schema: ${JSON.stringify(validate(c))} for ${JSON.stringify(c).slice(0, 120)}`)
    assert.ok(E.isRight(parseCase(c)), `parser rejects ${JSON.stringify(c).slice(0, 120)}`)
  }
})

test('the error names the JSON Pointer of the offending value', () => {
  const e = validate({ ...base(), inputs: { x: T([2], [1, 'nan']) } })
  assert.is(e?.pointer, '/inputs/x/data/1')
})

test('the validator knows every keyword the schema uses (none is silently skipped)', () => {
  const probe = validate({}, { minimum: 0, maximum: 1 } as never)
  assert.match(probe?.message ?? '', 'not supported')
  assert.equal(unsupportedKeywords(CASE_SCHEMA), [])
  assert.equal(unsupportedKeywords({ properties: { a: { maximum: 1 } } }), ['maximum'])
})

test.run()
