/**
 * `fuzz` finds planted bugs and reports them usefully: found within the runs,
 * shrunk to a small case whose error stays clearly above the tolerance, with a
 * regression line that `check` fails until the implementation is fixed, and
 * the oracle's numbers beside it.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { checkFiles } from '../../src/cli/check.ts'
import { startImpl } from '../../src/fuzz/impl.ts'
import { SHRINK_FLOOR_CAP, fuzz } from '../../src/fuzz/run.ts'
import { proxy } from './hostile.ts'
import { scratchDir } from '../support/scratch.ts'

const test = suite('fuzz: differential testing through a process boundary')
const tmp = scratchDir('nn-oracle-fuzz-')
const IMPL = 'docs/examples/impl/impl.mjs'

const fuzzWith = async (command: string, op: string, runs: number, seed = 1) =>
  fuzz({ op, impl: startImpl(command, { timeoutMs: 5000 }), runs, seed })

const checkLine = async (line: string) => {
  const file = join(tmp, `c${Math.random().toString(36).slice(2)}.jsonl`)
  writeFileSync(file, line + '\n')
  return (await checkFiles([file], () => {})).exitCode
}

test('the example implementation agrees with the oracle on relu, mse_loss, batch_norm and conv2d', async () => {
  for (const op of ['relu', 'mse_loss', 'batch_norm', 'conv2d']) {
    const r = await fuzzWith(`node ${IMPL}`, op, 40)
    assert.is(r.kind, 'pass', `${op}: ${JSON.stringify(r).slice(0, 300)}`)
    if (r.kind === 'pass') assert.is(r.compared, 40)
  }
})

test("a planted bug (batch norm's backward without its 1/N) is found and shrunk to a small case", async () => {
  const src = readFileSync(IMPL, 'utf8')
  const planted = src.replace('dx[i] = training ? (gamma[c] * r / M)', 'dx[i] = training ? (gamma[c] * r)')
  assert.is.not(planted, src, 'the planting must change the source')
  const file = join(tmp, 'impl-bug.mjs')
  writeFileSync(file, planted)
  const r = await fuzzWith(`node ${file}`, 'batch_norm', 100)
  assert.is(r.kind, 'mismatch')
  if (r.kind !== 'mismatch') return
  assert.match(r.detail, 'gradients.x')
  const c = JSON.parse(r.caseLine)
  assert.ok(c.inputs.x.data.length <= 4, `shrunk case still has x of shape ${JSON.stringify(c.inputs.x.shape)}`)
  assert.is(c.attrs.training, true)
})

test('shrinking keeps the error clearly above the tolerance (biased running variance: not 1.01 x rtol), and the report says the multiple', async () => {
  const src = readFileSync(IMPL, 'utf8')
  const planted = src.replace('momentum * v * M / (M - 1)', 'momentum * v')
  assert.is.not(planted, src)
  const file = join(tmp, 'impl-biased.mjs')
  writeFileSync(file, planted)
  for (const seed of [1, 2, 3]) {
    const r = await fuzzWith(`node ${file}`, 'batch_norm', 100, seed)
    assert.is(r.kind, 'mismatch')
    if (r.kind !== 'mismatch') continue
    assert.match(r.detail, 'outputs.running_var')
    assert.match(r.detail, /x the tolerance/)
    // The first failure's multiple r0 is at least as large as the shrunk one, which must stay >= min(r0, 100).
    assert.ok(r.ratio! >= Math.min(SHRINK_FLOOR_CAP, 10), `seed ${seed}: shrunk to ${r.ratio} x the tolerance: ${r.detail}`)
    assert.ok((r.diagnosis ?? []).some((d) => d.includes('biased batch variance')), JSON.stringify(r.diagnosis))
  }
})

test('a magnitude-dependent bug (relu off by 1e-6 y^2) shrinks to values whose error stays far above the tolerance, not to its edge', async () => {
  // The error 1e-6 y^2 against the allowance 1e-9 + 1e-7 |y| is about 10 |y| tolerances: shrinking the
  // values toward 0 would end near 1 x the tolerance; the floor min(r0, 100) keeps it at the first failure's size.
  const r = await fuzzWith(proxy('square', 'true', 'r.outputs.y.data = r.outputs.y.data.map((v) => v + 1e-6 * v * v)'), 'relu', 100)
  assert.is(r.kind, 'mismatch')
  if (r.kind !== 'mismatch') return
  assert.ok(r.ratio! >= 5, `shrunk to ${r.ratio} x the tolerance: ${r.detail}`)
  assert.ok(JSON.parse(r.caseLine).inputs.x.data.length <= 2, r.caseLine)
})

test("the regression line carries the implementation's numbers (check fails on it) and the oracle's beside it (check passes)", async () => {
  const r = await fuzzWith(proxy('always', 'true'), 'conv2d', 50)
  assert.is(r.kind, 'mismatch')
  if (r.kind !== 'mismatch') return
  assert.is(await checkLine(r.caseLine), 1, 'check must fail on the implementation\'s numbers')
  const fixed = { ...JSON.parse(r.caseLine), ...JSON.parse(r.oracle) }
  assert.is(await checkLine(JSON.stringify(fixed)), 0, 'the oracle\'s numbers pass')
})

// Bugs that show only in part of the shape space: found within 300 runs and shrunk below 2 KB.
const planted: [string, string, (c: { inputs: { x: { shape: number[] } }; attrs: Record<string, unknown> }) => boolean][] = [
  ['batch >= 3', 'c.inputs.x.shape[0] >= 3', (c) => c.inputs.x.shape[0] === 3],
  ['groups > 1', '(c.attrs.groups ?? 1) > 1', (c) => c.attrs.groups === 2],
  ['dilation > 1', '[].concat(c.attrs.dilation ?? 1).some((d) => d > 1)', (c) => ([] as number[]).concat(c.attrs.dilation as number[]).some((d) => d === 2)],
]
for (const [name, when, minimal] of planted) {
  test(`conv2d corrupted only when ${name}: found within 300 runs, shrunk to a case under 2 KB at the boundary`, async () => {
    const r = await fuzzWith(proxy(name.replace(/\W+/g, '-'), when), 'conv2d', 300)
    assert.is(r.kind, 'mismatch', JSON.stringify(r).slice(0, 300))
    if (r.kind !== 'mismatch') return
    assert.ok(r.runs <= 300)
    const bytes = Buffer.byteLength(r.caseLine)
    assert.ok(bytes < 2048, `shrunk case is ${bytes} bytes: ${r.caseLine}`)
    const c = JSON.parse(r.caseLine)
    assert.ok(minimal(c), `not shrunk to the boundary: ${JSON.stringify(c.attrs)} x ${JSON.stringify(c.inputs.x.shape)}`)
  })
}

test.run()
