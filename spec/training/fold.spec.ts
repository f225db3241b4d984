/**
 * The fold with keys and buffers (src/training/fold.ts):
 *   - `train` draws step i's batch and dropout masks from foldIn(key, i): the
 *     same key gives the same bits, another key another run
 *   - with `updates`, batch norm's running statistics are fed back step to
 *     step, and equal the PyTorch update rule applied by hand to the batch
 *     statistics each step saw
 *   - a loss that is not a scalar, or not a value, is an error value
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { keyFromSeed, normal, split } from '../../src/core/random.ts'
import * as G from '../../src/graph/index.ts'
import { type Objective, fold, lossAndGrads, start, train } from '../../src/training/fold.ts'
import { groupsFor } from '../../src/training/groups.ts'
import { bitwiseEqual, labels, unwrap } from './support.ts'

const test = suite('training: the fold with keys and buffers')

test('train: batches and dropout masks from the key; same key same bits, another key another run', () => {
  const net = unwrap(G.mlp(keyFromSeed(1), { sizes: [3, 8, 2], dropout: 0.5 }))
  const names = Object.keys(net.params)
  const opt = unwrap(groupsFor('sgd', names, { lr: 0.1, momentum: 0.9 }, []))
  const obj: Objective = { compiled: unwrap(G.compile(net.graph)), loss: 'loss', fixed: {}, trainable: names }
  const batch = (_i: number, k: ReturnType<typeof keyFromSeed>) => { const [a, b] = split(k); return { x: normal(a, [4, 3]), t: labels(b, 4, 2) } }
  const run = (seed: number) => unwrap(train(obj, opt, start(opt, net.params), 4, keyFromSeed(seed), batch))
  const a = run(10), b = run(10), c = run(11)
  assert.ok(a.losses.every((l, i) => Object.is(l, b.losses[i])))
  for (const n of names) assert.ok(bitwiseEqual(a.carry.params[n].data, b.carry.params[n].data), n)
  assert.not.ok(a.losses.every((l, i) => Object.is(l, c.losses[i])))
})

test('batch norm running statistics are carried step to step: (1 - m) old + m batch, the variance unbiased', () => {
  const net = unwrap(G.mlp(keyFromSeed(2), { sizes: [3, 4, 2], batchNorm: true }))
  const names = Object.keys(net.params)
  const opt = unwrap(groupsFor('sgd', names, { lr: 0 }, [])) // lr 0: the parameters stay, so the batch statistics are easy to recompute
  const obj: Objective = { compiled: unwrap(G.compile(net.graph)), loss: 'loss', fixed: {}, trainable: names, updates: net.bufferUpdates }
  const xs = [normal(keyFromSeed(3), [5, 3]), normal(keyFromSeed(4), [5, 3], 1, 2)]
  const bs = xs.map((x, i) => ({ x, t: labels(keyFromSeed(5 + i), 5, 2) }))
  const r = unwrap(fold(obj, opt, start(opt, net.params, net.buffers), bs))
  let mean = Array.from(net.buffers['bn1.running_mean'].data), vr = Array.from(net.buffers['bn1.running_var'].data)
  for (const b of bs) {
    const h = unwrap(lossAndGrads(obj, net.params, net.buffers, b)).values[net.graph.nodes[1].inputs.x]
    for (let c = 0; c < 4; c++) {
      const col = [0, 1, 2, 3, 4].map((i) => h.data[i * 4 + c])
      const mu = col.reduce((s, v) => s + v, 0) / 5
      const unbiased = col.reduce((s, v) => s + (v - mu) ** 2, 0) / 4
      mean[c] = 0.9 * mean[c] + 0.1 * mu
      vr[c] = 0.9 * vr[c] + 0.1 * unbiased
    }
  }
  // The two sides differ only in the order of 5-term sums and one multiply-add: a few ulps, under 1e-15
  // relative for these O(1) statistics; 1e-14 leaves a factor of ten.
  const got = r.carry.buffers
  mean.forEach((v, c) => assert.ok(Math.abs(got['bn1.running_mean'].data[c] - v) <= 1e-14 * (1 + Math.abs(v)), `mean ${c}`))
  vr.forEach((v, c) => assert.ok(Math.abs(got['bn1.running_var'].data[c] - v) <= 1e-14 * (1 + Math.abs(v)), `var ${c}`))
})

test('a loss that is not a scalar, or not a node output, is an error value', () => {
  const net = unwrap(G.mlp(keyFromSeed(8), { sizes: [3, 2] }))
  const compiled = unwrap(G.compile(net.graph))
  const b = { x: normal(keyFromSeed(9), [2, 3]), t: labels(keyFromSeed(10), 2, 2) }
  for (const loss of ['logits', 'nope', 'x']) {
    const r = lossAndGrads({ compiled, loss, fixed: {}, trainable: [] }, net.params, {}, b)
    assert.ok(E.isLeft(r) && r.left._tag === 'Invalid', loss)
  }
})

test.run()
