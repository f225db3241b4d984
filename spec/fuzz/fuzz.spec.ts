import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { startImpl } from '../../src/fuzz/impl.ts'
import { fuzz } from '../../src/fuzz/run.ts'

const test = suite('fuzz: differential testing through a process boundary')
const tmp = mkdtempSync(join(tmpdir(), 'nn-oracle-fuzz-'))
const IMPL = 'docs/examples/impl/impl.mjs'
const FAKE = 'spec/fuzz/fake-impl.mjs'

const fuzzWith = async (command: string, op: string, runs: number, timeoutMs = 5000, shrink = true) => {
  const impl = startImpl(command, timeoutMs)
  try { return await fuzz({ op, impl, runs, seed: 1, shrink }) } finally { impl.close() }
}

test('the example implementation agrees with the oracle on relu, mse_loss and batch_norm', async () => {
  for (const op of ['relu', 'mse_loss', 'batch_norm']) {
    const r = await fuzzWith(`node ${IMPL}`, op, 40)
    assert.is(r.kind, 'pass', `${op}: ${JSON.stringify(r).slice(0, 300)}`)
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
  // Smallest batch norm case in training: N = 2 samples of one channel, no spatial dims.
  assert.ok(c.inputs.x.data.length <= 4, `shrunk case still has x of shape ${JSON.stringify(c.inputs.x.shape)}`)
  assert.is(c.attrs.training, true)
  assert.ok(c.outputs && c.gradients, 'the regression case carries the oracle numbers')
})

test('a mismatch explained by another convention is diagnosed: biased running variance names keras/flax/tfjs/onnx', async () => {
  const src = readFileSync(IMPL, 'utf8')
  const planted = src.replace('momentum * v * M / (M - 1)', 'momentum * v')
  assert.is.not(planted, src)
  const file = join(tmp, 'impl-biased.mjs')
  writeFileSync(file, planted)
  const impl = startImpl(`node ${file}`, 5000)
  try {
    const r = await fuzz({ op: 'batch_norm', impl, runs: 60, seed: 3 })
    assert.is(r.kind, 'mismatch')
    if (r.kind === 'mismatch') assert.ok((r.diagnosis ?? []).some((d) => d.includes('biased batch variance')), JSON.stringify(r.diagnosis))
  } finally { impl.close() }
})

// Every misbehaviour is a fault (exit status 3 on the command line), reported,
// within bounded time, never a crash or a hang of nn-oracle itself.
const modes = ['crash', 'hang', 'garbage', 'binary', 'midline', 'warn', 'wrong-id', 'silent-exit', 'decline'] as const
test('misbehaving implementations are faults, never crashes or hangs (property over modes and timing)', async () => {
  await fc.assert(fc.asyncProperty(fc.constantFrom(...modes), fc.integer({ min: 0, max: 3 }), async (mode, after) => {
    const started = Date.now()
    const r = await fuzzWith(`node ${FAKE} ${mode} ${after}`, 'relu', 6, 300, false)
    assert.is(r.kind, 'fault', `${mode} after ${after}: ${JSON.stringify(r).slice(0, 200)}`)
    assert.ok(Date.now() - started < 60000)
  }), { numRuns: 12, seed: 7 })
})

test('a reply line past the 64 MiB limit is a fault, not unbounded memory', async () => {
  const r = await fuzzWith(`node ${FAKE} huge 0`, 'relu', 2, 5000, false)
  assert.is(r.kind, 'fault')
  if (r.kind === 'fault') assert.match(r.detail, 'longer than')
})

test('a shrunk fault still reports the smallest case it found', async () => {
  const r = await fuzzWith(`node ${FAKE} crash 2`, 'relu', 6, 2000)
  assert.is(r.kind, 'fault')
  if (r.kind === 'fault') assert.ok(JSON.parse(r.caseLine).inputs.x.data.length >= 1)
})

test('a command that does not exist is a fault with a message', async () => {
  const r = await fuzzWith('/nonexistent/impl --flag', 'relu', 3, 2000)
  assert.is(r.kind, 'fault')
  if (r.kind === 'fault') assert.match(r.detail, 'exited')
})

test.run()
