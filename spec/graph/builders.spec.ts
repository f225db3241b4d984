/**
 * The network builders (src/graph/builders.ts): shapes line up (the built
 * graph compiles and runs on a batch of the stated input shape), each layer
 * is initialized by the initializer it names (PyTorch's default: every weight
 * and bias within 1/sqrt(fan_in)), batch norm layers drop the bias before
 * them and list their affine parameters as exempt from decay, and bad
 * options are error values.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { keyFromSeed, normal } from '../../src/core/random.ts'
import { fromArray } from '../../src/core/tensor.ts'
import * as G from '../../src/graph/index.ts'
import { unwrap } from './support.ts'

const test = suite('graph builders')

const runs = (net: G.Network, x: number[]) => {
  const c = unwrap(G.compile(net.graph))
  const n = x[0]
  const r = unwrap(G.forward(c, { ...net.params, ...net.buffers, x: normal(keyFromSeed(1), x), t: fromArray([n], new Array(n).fill(0), 'int64') }))
  return r.values
}

test('mlp, cnn and residual build, compile and run; logits have [N, classes]', () => {
  const m = unwrap(G.mlp(keyFromSeed(1), { sizes: [5, 7, 3], dropout: 0.2, training: false, batchNorm: true }))
  assert.equal(runs(m, [4, 5]).logits.shape, [4, 3])
  const c = unwrap(G.cnn(keyFromSeed(2), { input: [1, 8, 8], conv: [{ channels: 2 }, { channels: 3, kernel: 3, pool: 2 }], hidden: [6], classes: 4, batchNorm: true, dropout: 0.1, training: false }))
  assert.equal(runs(c, [2, 1, 8, 8]).logits.shape, [2, 4])
  const r = unwrap(G.residual(keyFromSeed(3), { channels: 3, classes: 2, training: false }))
  assert.equal(runs(r, [2, 3, 4, 4]).logits.shape, [2, 2])
})

test('PyTorch default init: every weight and bias within 1/sqrt(fan_in), and not all zero', () => {
  const c = unwrap(G.cnn(keyFromSeed(4), { input: [2, 6, 6], conv: [{ channels: 3 }], hidden: [5], classes: 2 }))
  const fanIn: Record<string, number> = { conv1: 2 * 9, fc1: 3 * 3 * 3, fc2: 5 }
  for (const [k, t] of Object.entries(c.params)) {
    const bound = 1 / Math.sqrt(fanIn[k.split('.')[0]])
    assert.ok(t.data.every((v) => Math.abs(v) <= bound), `${k} within ${bound}`)
    assert.ok(t.data.some((v) => v !== 0), `${k} drawn`)
  }
})

test('per-layer init by initializer name: zeros for layer 1, kaiming_normal for layer 2; bias default zeros', () => {
  const m = unwrap(G.mlp(keyFromSeed(5), { sizes: [4, 6, 3], init: [{ weight: { name: 'zeros' } }, { weight: { name: 'kaiming_normal', options: { nonlinearity: 'relu' } }, bias: { name: 'constant', options: { value: 0.5 } } }] }))
  assert.ok(m.params['fc1.weight'].data.every((v) => v === 0))
  assert.ok(m.params['fc1.bias'].data.every((v) => v === 0))
  assert.ok(m.params['fc2.weight'].data.some((v) => v !== 0))
  assert.ok(m.params['fc2.bias'].data.every((v) => v === 0.5))
})

test('batch norm: no bias before it (unless asked), its affine parameters exempt from decay, running statistics as buffers', () => {
  const m = unwrap(G.mlp(keyFromSeed(6), { sizes: [4, 6, 3], batchNorm: true }))
  assert.equal(Object.keys(m.params).sort(), ['bn1.bias', 'bn1.weight', 'fc1.weight', 'fc2.bias', 'fc2.weight'])
  assert.equal([...m.noDecay].sort(), ['bn1.bias', 'bn1.weight', 'fc2.bias'])
  assert.equal(Object.keys(m.buffers).sort(), ['bn1.running_mean', 'bn1.running_var'])
  const withBias = unwrap(G.mlp(keyFromSeed(6), { sizes: [4, 6, 3], batchNorm: true, biasBeforeNorm: true }))
  assert.ok(withBias.params['fc1.bias'] !== undefined)
  // After a training-mode forward the running statistics move; nextBuffers hands them back.
  const values = runs(m, [5, 4])
  const next = G.nextBuffers(m, values)
  assert.not.equal(Array.from(next['bn1.running_mean'].data), Array.from(m.buffers['bn1.running_mean'].data))
})

test('bad options are error values', () => {
  const bad = [
    G.mlp(keyFromSeed(1), { sizes: [4] }),
    G.mlp(keyFromSeed(1), { sizes: [4, 0, 2] }),
    G.mlp(keyFromSeed(1), { sizes: [4, 2], dropout: 1 }),
    G.mlp(keyFromSeed(1), { sizes: [4, 2], init: { weight: { name: 'no_such_init' } } }),
    G.cnn(keyFromSeed(1), { input: [1, 2, 2], conv: [{ channels: 2, kernel: 5, padding: 0 }], classes: 2 }),
    G.cnn(keyFromSeed(1), { input: [1, 8, 8] as unknown as [number, number, number], conv: [], classes: 0 }),
    G.residual(keyFromSeed(1), { channels: 0, classes: 2 }),
  ]
  for (const r of bad) assert.ok(E.isLeft(r) && r.left._tag === 'Invalid', JSON.stringify(r).slice(0, 120))
})

test('withMode flips batch norm and dropout only, and leaves the input graph alone', () => {
  const m = unwrap(G.mlp(keyFromSeed(7), { sizes: [4, 6, 3], batchNorm: true, dropout: 0.5 }))
  const ev = G.withMode(m.graph, false)
  assert.ok(ev.nodes.filter((n) => n.op === 'batch_norm' || n.op === 'dropout').every((n) => n.attrs?.training === false))
  assert.ok(m.graph.nodes.filter((n) => n.op === 'batch_norm' || n.op === 'dropout').every((n) => n.attrs?.training === true))
})

test.run()
