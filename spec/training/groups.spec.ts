/**
 * Parameter groups and frozen parameters (src/optimizers/param-groups.ts,
 * src/training/groups.ts), for every optimizer of the train-case format:
 *   - frozen parameters (in no group) are bitwise unchanged after any number
 *     of steps, even when the gradients name them and decay is on
 *   - a group with weight decay 0 moves exactly as the same optimizer without
 *     decay: bitwise, over k steps of a real training run
 *   - a parameter the loss never reaches gets no update at all (no decay, no
 *     momentum), as PyTorch skips a None gradient
 *   - per-parameter state: two parameters trained together move as each alone
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import type { Tensors } from '../../src/core/op.ts'
import { keyFromSeed, normal, split } from '../../src/core/random.ts'
import { fromArray } from '../../src/core/tensor.ts'
import * as G from '../../src/graph/index.ts'
import { paramGroups } from '../../src/optimizers/param-groups.ts'
import { type Objective, fold, start } from '../../src/training/fold.ts'
import { groupsFor } from '../../src/training/groups.ts'
import { fromAttrs } from '../../src/training/optimizers.ts'
import { failed, ok } from '../laws/result.ts'
import { property } from '../support/property.ts'
import { batches, bitwiseEqual, mlp, unwrap } from './support.ts'

const test = suite('training: parameter groups and frozen parameters')

/** Every optimizer with decay and (where it has one) momentum on. */
const DECAYED: [string, Record<string, unknown>][] = [
  ['sgd', { lr: 0.1, momentum: 0.9, weight_decay: 0.1 }],
  ['sgd', { lr: 0.1, momentum: 0.9, nesterov: true, weight_decay: 0.1 }],
  ['adam', { lr: 0.01, weight_decay: 0.1 }],
  ['adamw', { lr: 0.01, weight_decay: 0.1 }],
  ['rmsprop', { lr: 0.01, momentum: 0.5, centered: true, weight_decay: 0.1 }],
  ['adagrad', { lr: 0.1, lr_decay: 0.01, weight_decay: 0.1 }],
]

const optArb = fc.constantFrom(...DECAYED)
const seedArb = fc.integer({ min: 0, max: 2 ** 31 - 1 })

property(test, 'frozen parameters are bitwise unchanged after any number of steps, even with gradients and decay', fc.tuple(optArb, seedArb, fc.integer({ min: 1, max: 6 })), ([[name, attrs], seed, k]) => {
  const net = mlp(keyFromSeed(seed), [3, 4, 2])
  const names = Object.keys(net.params)
  const trained = names.filter((n) => n.startsWith('fc2'))
  const opt = unwrap(paramGroups([{ params: trained, optimizer: unwrap(fromAttrs(name, attrs)) }]))
  let params: Tensors = net.params
  let state = opt.init(params)
  const keys = split(keyFromSeed(seed + 1), k)
  for (let i = 0; i < k; i++) {
    // Gradients for EVERY parameter, frozen ones included (PyTorch computes them when requires_grad is on).
    const grads = Object.fromEntries(names.map((n, j) => [n, normal(split(keys[i], names.length)[j], params[n].shape)]))
    const r = opt.update(grads, state, params)
    if (E.isLeft(r)) return failed(r.left.arg)
    params = r.right.params
    state = r.right.state
  }
  for (const n of names.filter((n) => !trained.includes(n))) if (!bitwiseEqual(params[n].data, net.params[n].data)) return failed(`${name}: frozen ${n} moved`)
  for (const n of trained) if (bitwiseEqual(params[n].data, net.params[n].data)) return failed(`${name}: trained ${n} did not move (the law would be vacuous)`)
  return ok
}, 30)

const objective = (net: ReturnType<typeof mlp>, trainable: readonly string[]): Objective =>
  ({ compiled: unwrap(G.compile(net.graph)), loss: net.loss, fixed: {}, trainable })

property(test, 'a group with weight decay 0 moves exactly as the optimizer without decay (bitwise, k steps)', fc.tuple(optArb, seedArb, fc.integer({ min: 1, max: 5 })), ([[name, attrs], seed, k]) => {
  const net = mlp(keyFromSeed(seed), [3, 4, 2])
  const names = Object.keys(net.params)
  const obj = objective(net, names)
  const bs = batches(keyFromSeed(seed + 1), k, 4, 3, 2)
  const { weight_decay: _wd, ...noDecay } = attrs
  const grouped = unwrap(groupsFor(name, names, attrs, [{ params: names, attrs: { weight_decay: 0 } }]))
  const plain = unwrap(groupsFor(name, names, name === 'adamw' ? { ...noDecay, weight_decay: 0 } : noDecay, []))
  const a = unwrap(fold(obj, grouped, start(grouped, net.params), bs))
  const b = unwrap(fold(obj, plain, start(plain, net.params), bs))
  for (const n of names) if (!bitwiseEqual(a.carry.params[n].data, b.carry.params[n].data)) return failed(`${name}: ${n} differs between a weight-decay-0 group and no decay`)
  if (!a.losses.every((l, i) => Object.is(l, b.losses[i]))) return failed(`${name}: losses differ`)
  return ok
}, 24)

test('the biases-excluded split: weights decay, biases in a weight-decay-0 group do not (one step, by hand)', () => {
  const net = mlp(keyFromSeed(3), [3, 4, 2])
  const names = Object.keys(net.params)
  const biases = names.filter((n) => n.endsWith('.bias'))
  const lr = 0.1, wd = 0.5
  const opt = unwrap(groupsFor('sgd', names, { lr, weight_decay: wd }, [{ params: biases, attrs: { weight_decay: 0 } }]))
  const grads = Object.fromEntries(names.map((n) => [n, { ...net.params[n], data: new Float64Array(net.params[n].data.length) }]))
  const r = unwrap(opt.update(grads, opt.init(net.params), net.params))
  for (const n of names) {
    const expected = biases.includes(n) ? net.params[n].data : net.params[n].data.map((p) => p + -lr * (wd * p))
    assert.ok(bitwiseEqual(r.params[n].data, Float64Array.from(expected)), n)
  }
})

test('a parameter the loss never reaches gets no update at all: no decay, no momentum, no state', () => {
  const net = mlp(keyFromSeed(4), [3, 4, 2])
  const graph: G.Graph = { nodes: [...net.graph.nodes, { op: 'mul', inputs: { a: 'spare', b: 'spare' }, outputs: { y: 'unused' } }] }
  const spare = fromArray([2], [1.5, -2])
  const names = [...Object.keys(net.params), 'spare']
  const obj: Objective = { compiled: unwrap(G.compile(graph)), loss: 'loss', fixed: {}, trainable: names }
  for (const [name, attrs] of DECAYED) {
    const opt = unwrap(groupsFor(name, names, attrs, []))
    const r = unwrap(fold(obj, opt, start(opt, { ...net.params, spare }), batches(keyFromSeed(5), 3, 4, 3, 2)))
    assert.ok(bitwiseEqual(r.carry.params.spare.data, spare.data), `${name}: spare moved`)
    assert.ok((r.carry.state as { perParam: Record<string, unknown> }).perParam.spare === undefined, `${name}: spare has state`)
  }
})

test('a group learning rate of 0 leaves its parameters unchanged while the others train', () => {
  const net = mlp(keyFromSeed(6), [3, 4, 2])
  const names = Object.keys(net.params)
  const obj = objective(net, names)
  const opt = unwrap(groupsFor('sgd', names, { lr: 0.1, momentum: 0.9 }, [{ params: ['fc1.weight', 'fc1.bias'], attrs: { lr: 0 } }]))
  const r = unwrap(fold(obj, opt, start(opt, net.params), batches(keyFromSeed(7), 3, 4, 3, 2)))
  assert.ok(bitwiseEqual(r.carry.params['fc1.weight'].data, net.params['fc1.weight'].data))
  assert.not.ok(bitwiseEqual(r.carry.params['fc2.weight'].data, net.params['fc2.weight'].data))
})

test('group errors are values: a name in two groups, a grouped name not trained, an unknown optimizer, lbfgs unsupported', () => {
  const bad = [
    groupsFor('sgd', ['a', 'b'], { lr: 1 }, [{ params: ['a'] }, { params: ['a'] }]),
    groupsFor('sgd', ['a'], { lr: 1 }, [{ params: ['b'] }]),
    groupsFor('nadam', ['a'], {}, []),
    groupsFor('sgd', ['a'], {}, []),
    groupsFor('sgd', ['a'], { lr: 1, bogus: 2 }, []),
  ]
  for (const r of bad) assert.ok(E.isLeft(r) && r.left._tag === 'Invalid', JSON.stringify(r))
  const l = groupsFor('lbfgs', ['a'], {}, [])
  assert.ok(E.isLeft(l) && l.left._tag === 'Unsupported')
  const ams = groupsFor('adam', ['a'], { amsgrad: true }, [])
  assert.ok(E.isLeft(ams) && ams.left._tag === 'Unsupported')
})

test.run()
