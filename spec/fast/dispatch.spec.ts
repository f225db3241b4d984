/**
 * The catalogue uses the fast path by default and the reference on demand
 * (src/fast/mode.ts, src/fast/dispatch.ts): the registry's entries for the
 * heavy ops are fast/reference pairs; `setReference(true)` (what
 * `check --reference` does) and NN_ORACLE_REFERENCE=1 route every call to the
 * reference; a backward always meets the cache of its own forward, even when
 * the setting changes between the two.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { vjp } from '../../src/core/op.ts'
import { fromArray, make } from '../../src/core/tensor.ts'
import type { Tagged } from '../../src/fast/dispatch.ts'
import { setReference, useReference } from '../../src/fast/mode.ts'
import { lookup } from '../../src/registry.ts'
import { dualOf } from './support.ts'

const test = suite('fast: dispatch')

const FAST_OPS = ['matmul', 'linear', 'conv2d', 'conv_transpose2d', 'batch_norm', 'layer_norm', 'instance_norm', 'group_norm', 'cross_entropy', 'max_pool2d', 'gelu', 'adam_step'] as const

test('the registry pairs every heavy op with its fast path, under the reference\'s name, inputs, outputs and attributes', () => {
  for (const name of FAST_OPS) {
    const d = dualOf(name)
    assert.is(d, lookup(name))
    assert.is(d.fastPath.name, name)
    assert.equal(d.inputs, d.reference.inputs)
    assert.equal(d.fastPath.inputs.map((i) => i.name), d.reference.inputs.map((i) => i.name), name)
    assert.equal(d.fastPath.outputs.map((o) => [o.name, o.grad]), d.reference.outputs.map((o) => [o.name, o.grad]), name)
  }
})

test('fast by default; setReference(true) routes forward to the reference; a backward follows its forward\'s path', () => {
  assert.is(useReference(), false, 'run the specs without NN_ORACLE_REFERENCE')
  const op = dualOf('layer_norm')
  const attrs = E.getOrElseW(() => { throw new Error('attrs') })(op.parseAttrs({ normalized_shape: [3] }))
  const x = fromArray([2, 3], [1, 2, 4, -1, 0, 5])
  const fast = op.forward(attrs, { x })
  assert.ok(E.isRight(fast) && (fast.right.cache as Tagged<unknown, unknown>).fast === true)
  const was = setReference(true)
  try {
    const ref = op.forward(attrs, { x })
    assert.ok(E.isRight(ref) && (ref.right.cache as Tagged<unknown, unknown>).fast === false)
    // the fast forward's cache, differentiated while the reference is forced: the fast backward still runs
    const g = { y: fromArray([2, 3], [1, 0, 0, 0, 1, 0]) }
    if (E.isRight(fast) && E.isRight(ref)) {
      const a = op.backward(attrs, fast.right.cache, g).x.data, b = op.backward(attrs, ref.right.cache, g).x.data
      assert.equal(Array.from(a), Array.from(b))
    }
    const v = vjp(op, attrs, { x }, g)
    assert.ok(E.isRight(v))
  } finally {
    setReference(was)
  }
  assert.is(useReference(), false)
})

test('with the reference forced, a vector-Jacobian product takes the reference: the fast op\'s one-pass product declines', () => {
  const op = dualOf('cross_entropy')
  const attrs = E.getOrElseW(() => { throw new Error('attrs') })(op.parseAttrs({}))
  const inputs = { input: fromArray([2, 3], [0.3, -1.2, 2.5, 1.7, 0.1, -0.4]), target: make([2], Float64Array.of(2, 0), 'int64') }
  const cot = { loss: fromArray([], [1]) }
  assert.ok(op.fused !== undefined && op.fused(attrs, inputs, cot) !== undefined, 'the one-pass product runs by default')
  const was = setReference(true)
  try {
    assert.is(op.fused!(attrs, inputs, cot), undefined)
    const v = vjp(op, attrs, inputs, cot), r = vjp(op.reference, attrs, inputs, cot)
    assert.ok(E.isRight(v) && E.isRight(r))
    if (E.isRight(v) && E.isRight(r)) assert.equal(Array.from(v.right.gradients.input.data), Array.from(r.right.gradients.input.data))
  } finally {
    setReference(was)
  }
})

test('NN_ORACLE_REFERENCE=1 forces the reference in a fresh process; unset or 0 does not', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url))
  const probe = "import('./src/fast/mode.ts').then((m) => process.stdout.write(String(m.useReference())))"
  const run = (value: string | undefined) => {
    const env = { ...process.env }
    delete env.NN_ORACLE_REFERENCE
    if (value !== undefined) env.NN_ORACLE_REFERENCE = value
    return spawnSync(process.execPath, ['--import', 'tsx', '-e', probe], { cwd: root, env, encoding: 'utf8' }).stdout
  }
  assert.is(run('1'), 'true')
  assert.is(run('0'), 'false')
})

test.run()
