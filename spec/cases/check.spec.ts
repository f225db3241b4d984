import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { parseLine } from '../../src/cases/case.ts'
import { evaluate } from '../../src/cases/evaluate.ts'
import { decodeTensor, encodeTensor } from '../../src/cases/tensor-json.ts'
import { type CheckOptions, checkFiles } from '../../src/cli/check.ts'
import { Readable } from 'node:stream'
import { fromArray } from '../../src/core/tensor.ts'
import { failed, ok } from '../laws/result.ts'
import { property } from '../support/property.ts'

const test = suite('case format and check')
const SAMPLE = 'docs/examples/pytorch-sample.jsonl'
const tmp = mkdtempSync(join(tmpdir(), 'nn-oracle-check-'))

const run = async (text: string, opts: CheckOptions = {}) => {
  const file = join(tmp, `c${Math.random().toString(36).slice(2)}.jsonl`)
  writeFileSync(file, text)
  const lines: string[] = []
  const results: { line: number; status: string; reason?: string }[] = []
  const report = await checkFiles([file], (l) => lines.push(l), (_f, line, r) => results.push({ line, status: r.status, ...(r.reason ? { reason: r.reason } : {}) }), [], opts)
  return { report, lines, results }
}

test('the shipped PyTorch sample passes in full', async () => {
  const { report, lines } = await run(readFileSync(SAMPLE, 'utf8'))
  assert.is(report.exitCode, 0, lines.slice(0, 5).join('\n'))
})

test('a mangled copy of the sample: each broken line is invalid at its own line number, exit status 2', async () => {
  const src = readFileSync(SAMPLE, 'utf8').split('\n').filter((l) => l.trim() !== '').slice(0, 12)
  const mangle: Record<number, (l: string) => string> = {
    2: (l) => l.slice(0, Math.floor(l.length / 2)), // truncated JSON
    4: (l) => l.replace('"dtype": "float64"', '"dtype": "float16"').replace('"dtype":"float64"', '"dtype":"float16"'), // unknown dtype
    6: (l) => { const c = JSON.parse(l); const k = Object.keys(c.inputs)[0]; c.inputs[k].data = c.inputs[k].data.slice(1); return JSON.stringify(c) }, // data length
    8: (l) => { const c = JSON.parse(l); const k = Object.keys(c.inputs)[0]; c.inputs[k].shape = [4294967296, 4294967296]; return JSON.stringify(c) }, // huge shape
    10: (l) => { const c = JSON.parse(l); c.surprise = true; return JSON.stringify(c) }, // unknown field
  }
  // Line numbers count from 1 and include a blank line we insert after line 3, which is skipped.
  const out = src.map((l, i) => (mangle[i + 1] ? mangle[i + 1](l) : l))
  out.splice(3, 0, '')
  const { report, results } = await run(out.join('\n') + '\n')
  const invalidLines = results.filter((r) => r.status === 'invalid').map((r) => r.line)
  assert.equal(invalidLines, [2, 5, 7, 9, 11])
  assert.ok(results.filter((r) => r.status !== 'invalid').every((r) => r.status === 'pass'))
  assert.is(report.exitCode, 2)
})

test('an unknown op is unsupported (exit 1), a failing number is fail (exit 1), a missing file exit 2', async () => {
  const c = { id: 'a', op: 'conv3d', inputs: {}, outputs: { y: encodeTensor(fromArray([1], [0])) } }
  assert.is((await run(JSON.stringify(c))).report.exitCode, 1)
  const x = encodeTensor(fromArray([2], [-1, 2]))
  const bad = { id: 'b', op: 'relu', inputs: { x }, outputs: { y: encodeTensor(fromArray([2], [0, 2.5])) } }
  const r = await run(JSON.stringify(bad))
  assert.is(r.report.exitCode, 1)
  assert.match(r.lines[0], 'outputs.y[1]: expected 2.5, oracle 2')
  const missing = await checkFiles([join(tmp, 'nope.jsonl')], () => {})
  assert.is(missing.exitCode, 2)
})

property(test, 'tensors round-trip through the case format (lists and base64, every dtype)',
  fc.record({ dtype: fc.constantFrom('float32' as const, 'float64' as const, 'int64' as const, 'bool' as const), shape: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }) })
    .chain(({ dtype, shape }) => fc.tuple(fc.constant(dtype), fc.constant(shape), fc.array(
      dtype === 'bool' ? fc.constantFrom(0, 1) : dtype === 'int64' ? fc.integer({ min: -1e6, max: 1e6 }) : fc.double().map((v) => (dtype === 'float32' ? Math.fround(v) : v)),
      { minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) }))),
  ([dtype, shape, values]) => {
    const t = fromArray(shape, values, dtype)
    const viaList = decodeTensor(JSON.parse(JSON.stringify(encodeTensor(t))), 't')
    const bytes = Buffer.alloc(values.length * { float32: 4, float64: 8, int64: 8, bool: 1 }[dtype])
    values.forEach((v, i) => {
      if (dtype === 'float32') bytes.writeFloatLE(v, 4 * i)
      else if (dtype === 'float64') bytes.writeDoubleLE(v, 8 * i)
      else if (dtype === 'int64') bytes.writeBigInt64LE(BigInt(v), 8 * i)
      else bytes.writeUInt8(v, i)
    })
    const via64 = decodeTensor({ dtype, shape, data: bytes.toString('base64') }, 't')
    for (const r of [viaList, via64]) {
      if (E.isLeft(r)) return failed(JSON.stringify(r.left))
      const same = r.right.data.every((x, i) => Object.is(x, values[i]) || (x === 0 && values[i] === 0))
      if (!same) return failed(`decoded ${Array.from(r.right.data)} from ${values}`)
    }
    return ok
  })

// Untrusted input: any string, any JSON value, any mangling of a valid case line, is
// a result (never an exception) and never a pass unless it is a valid case.
const validLine = JSON.stringify({ id: 'r', op: 'relu', inputs: { x: encodeTensor(fromArray([2], [-1, 2])) }, outputs: { y: encodeTensor(fromArray([2], [0, 2])) } })
property(test, 'broken lines are reported, never thrown', fc.oneof(
  fc.string(),
  fc.json(),
  fc.tuple(fc.integer({ min: 0, max: validLine.length }), fc.integer({ min: 0, max: validLine.length }), fc.string({ maxLength: 8 }))
    .map(([a, b, s]) => validLine.slice(0, Math.min(a, b)) + s + validLine.slice(Math.max(a, b))),
), (line) => {
  try {
    const p = parseLine(line)
    if (E.isRight(p)) evaluate(p.right)
    return ok
  } catch (e) {
    return failed(`threw on ${JSON.stringify(line)}: ${(e as Error).message}`)
  }
}, 1000)

const relu = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id, op: 'relu', inputs: { x: encodeTensor(fromArray([2], [-1, 2])) }, outputs: { y: encodeTensor(fromArray([2], [0, 2])) }, ...extra })

test('a line nested 5,000 deep is invalid on its own; the valid lines around it still pass', async () => {
  const deep = '{"id": "deep", "op": "relu", "inputs": ' + '['.repeat(5000) + ']'.repeat(5000) + '}'
  const { report, results } = await run([relu('a'), deep, relu('b')].join('\n') + '\n')
  assert.equal(results.map((r) => r.status), ['pass', 'invalid', 'pass'])
  assert.match(results[1].reason!, 'nested 5001 levels deep; a line may nest at most 64 levels')
  assert.is(report.exitCode, 2)
})

test('a line longer than the size limit is invalid with its size and the limit; the others pass', async () => {
  const big = relu('big', { attrs: {} }).replace('"attrs":{}', `"attrs":{"x":"${'a'.repeat(3000)}"}`)
  const { results } = await run([relu('a'), big, relu('b')].join('\n') + '\n', { maxLineBytes: 2000 })
  assert.equal(results.map((r) => r.status), ['pass', 'invalid', 'pass'])
  assert.match(results[1].reason!, /line of \d+ bytes; a line may hold at most 2000 bytes/)
})

test('vacuous cases are reported, never passed: empty outputs, empty gradients, an empty file', async () => {
  const x = encodeTensor(fromArray([2], [-1, 2]))
  for (const extra of [{ outputs: {} }, { gradients: {} }, { outputs: {}, gradients: {} }]) {
    const { report, results } = await run(JSON.stringify({ id: 'v', op: 'relu', inputs: { x }, ...extra }) + '\n')
    assert.is(results[0].status, 'invalid', JSON.stringify(extra))
    assert.match(results[0].reason!, 'at least one expected tensor')
    assert.is(report.exitCode, 2)
  }
  for (const text of ['', '\n\n  \n']) {
    const errors: string[] = []
    const { report } = await run(text, { onError: (l) => errors.push(l) })
    assert.is(report.exitCode, 2)
    assert.is(report.empty.length, 1)
    assert.match(errors.join('\n'), 'no cases')
  }
})

test("expected tensors' dtypes are checked against the op's outputs: int64 for a float output, float for indices, an int64 gradient", async () => {
  const x = encodeTensor(fromArray([2], [-1, 2]))
  const asInt = { id: 'i', op: 'relu', inputs: { x }, outputs: { y: { dtype: 'int64', shape: [2], data: [0, 2] } } }
  let r = await run(JSON.stringify(asInt))
  assert.is(r.results[0].status, 'invalid')
  assert.match(r.results[0].reason!, "outputs.y: expected a float32 or float64 tensor (the op's output y is float64), got int64")
  const pool = { id: 'p', op: 'max_pool2d', attrs: { kernel_size: 2 }, inputs: { x: encodeTensor(fromArray([1, 1, 2, 2], [1, 2, 3, 4])) }, outputs: { indices: { dtype: 'float64', shape: [1, 1, 1, 1], data: [3] } } }
  r = await run(JSON.stringify(pool))
  assert.is(r.results[0].status, 'invalid')
  assert.match(r.results[0].reason!, 'outputs.indices: expected a int64 tensor')
  const grad = { id: 'g', op: 'relu', inputs: { x }, cotangents: { y: encodeTensor(fromArray([2], [1, 1])) }, gradients: { x: { dtype: 'int64', shape: [2], data: [0, 1] } } }
  r = await run(JSON.stringify(grad))
  assert.is(r.results[0].status, 'invalid')
  assert.match(r.results[0].reason!, 'gradients.x: expected a float32 or float64 tensor (a gradient), got int64')
})

test('an output past the size limit is an invalid case with a reason (conv_transpose2d, stride 1e5), not an internal error', async () => {
  const c = { id: 'huge', op: 'conv_transpose2d', attrs: { stride: 100000 }, inputs: { x: encodeTensor(fromArray([1, 1, 3, 3], new Array(9).fill(1))), weight: encodeTensor(fromArray([1, 1, 2, 2], [1, 1, 1, 1])) }, outputs: { y: encodeTensor(fromArray([1], [0])) } }
  const { results } = await run([JSON.stringify(c), relu('after')].join('\n'))
  assert.equal(results.map((r) => r.status), ['invalid', 'pass'])
  assert.match(results[0].reason!, 'outputs hold at most 134217728 elements')
  assert.not.match(results[0].reason!, 'internal error')
})

test('check - reads standard input', async () => {
  const lines: string[] = []
  const report = await checkFiles(['-'], (l) => lines.push(l), () => {}, [], { stdin: Readable.from([relu('a') + '\n', relu('b')]) })
  assert.is(report.exitCode, 0, lines.join('\n'))
  assert.is(report.byOp.get('relu')!.pass, 2)
})

test.run()
