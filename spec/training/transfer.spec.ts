/**
 * Transfer learning and the fold itself:
 *   - feature extraction: training only the linear head of a network whose
 *     backbone is frozen equals training a linear classifier on features
 *     precomputed by the backbone, bit for bit (losses and head parameters)
 *   - overfitting a tiny batch (the lectures' first sanity check): a small
 *     MLP drives the loss on 6 fixed points below 0.01 within 150 Adam steps
 *   - purity: a fold never writes into its inputs; the same fold twice gives
 *     the same bits
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import fc from 'fast-check'
import type { Tensors } from '../../src/core/op.ts'
import { keyFromSeed, normal } from '../../src/core/random.ts'
import * as G from '../../src/graph/index.ts'
import { type Objective, fold, start } from '../../src/training/fold.ts'
import { groupsFor } from '../../src/training/groups.ts'
import { failed, ok } from '../laws/result.ts'
import { property } from '../support/property.ts'
import { batches, bitwiseEqual, labels, mlp, unwrap } from './support.ts'

const test = suite('training: transfer and the fold')

const OPTS: [string, Record<string, unknown>][] = [
  ['sgd', { lr: 0.1, momentum: 0.9, weight_decay: 1e-3 }],
  ['adam', { lr: 0.01 }],
]

property(test, 'feature extraction on a frozen backbone = a linear classifier trained on precomputed features, bitwise', fc.tuple(fc.constantFrom(...OPTS), fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 5 })), ([[name, attrs], seed, k]) => {
  const net = mlp(keyFromSeed(seed), [3, 5, 4, 2]) // fc1, relu, fc2, relu, fc3 (the head)
  const head = ['fc3.weight', 'fc3.bias']
  const bs = batches(keyFromSeed(seed + 1), k, 4, 3, 2)
  const headNode = net.graph.nodes.find((n) => n.op === 'linear' && n.inputs.weight === 'fc3.weight')!
  const features = headNode.inputs.x

  // (a) the whole network, the head trained: (a1) the backbone as fixed inputs (as a train case
  // freezes what is not in params), (a2) the backbone among the carried parameters but in no group.
  const optA = unwrap(groupsFor(name, head, attrs, []))
  const compiled = unwrap(G.compile(net.graph))
  const headOnly: Tensors = { 'fc3.weight': net.params['fc3.weight'], 'fc3.bias': net.params['fc3.bias'] }
  const backboneParams = Object.fromEntries(Object.entries(net.params).filter(([k]) => !head.includes(k)))
  const a1 = unwrap(fold({ compiled, loss: 'loss', fixed: backboneParams, trainable: head }, optA, start(optA, headOnly), bs))
  const a = unwrap(fold({ compiled, loss: 'loss', fixed: {}, trainable: head }, optA, start(optA, net.params), bs))
  for (const h of head) if (!bitwiseEqual(a1.carry.params[h].data, a.carry.params[h].data)) return failed(`${name}: ${h} differs between a fixed and an ungrouped backbone`)

  // (b) features computed once by the backbone, then a linear classifier alone.
  const backbone = unwrap(G.compile(net.graph))
  const feats = bs.map((b) => ({ [features]: unwrap(G.forward(backbone, { ...net.params, ...b })).values[features], t: b.t }))
  const linear: G.Graph = { nodes: net.graph.nodes.filter((n) => n === headNode || n.op === 'cross_entropy') }
  const optB = unwrap(groupsFor(name, head, attrs, []))
  const b = unwrap(fold({ compiled: unwrap(G.compile(linear)), loss: 'loss', fixed: {}, trainable: head }, optB, start(optB, headOnly), feats))

  if (!a.losses.every((l, i) => Object.is(l, b.losses[i]))) return failed(`${name}: losses differ: ${a.losses} vs ${b.losses}`)
  for (const h of head) if (!bitwiseEqual(a.carry.params[h].data, b.carry.params[h].data)) return failed(`${name}: ${h} differs`)
  return ok
}, 24)

test('overfitting a tiny batch: loss < 0.01 within 150 Adam steps (from log 3 = 1.10 at the start)', () => {
  // 6 points in 2-D, 3 classes, a 2-16-3 MLP: 99 parameters for 6 labels, so the
  // training loss can go to 0; a broken update or gradient stalls far above 0.01.
  const net = mlp(keyFromSeed(11), [2, 16, 3])
  const names = Object.keys(net.params)
  const batch = { x: normal(keyFromSeed(12), [6, 2]), t: labels(keyFromSeed(13), 6, 3) }
  const opt = unwrap(groupsFor('adam', names, { lr: 0.05 }, []))
  const obj: Objective = { compiled: unwrap(G.compile(net.graph)), loss: 'loss', fixed: {}, trainable: names }
  const r = unwrap(fold(obj, opt, start(opt, net.params), Array.from({ length: 150 }, () => batch)))
  const last = r.losses[r.losses.length - 1]
  assert.ok(r.losses[0] > 0.5, `initial loss ${r.losses[0]}`)
  assert.ok(last < 0.01, `loss after 150 steps: ${last}`)
})

test('a fold is pure: inputs untouched, the same fold twice gives the same bits', () => {
  const net = mlp(keyFromSeed(21), [3, 4, 2])
  const names = Object.keys(net.params)
  const before = Object.fromEntries(names.map((n) => [n, Float64Array.from(net.params[n].data)]))
  const bs = batches(keyFromSeed(22), 3, 4, 3, 2)
  const opt = unwrap(groupsFor('rmsprop', names, { momentum: 0.9 }, []))
  const obj: Objective = { compiled: unwrap(G.compile(net.graph)), loss: 'loss', fixed: {}, trainable: names }
  const a = unwrap(fold(obj, opt, start(opt, net.params), bs))
  const b = unwrap(fold(obj, opt, start(opt, net.params), bs))
  for (const n of names) {
    assert.ok(bitwiseEqual(net.params[n].data, before[n]), `${n} was written`)
    assert.ok(bitwiseEqual(a.carry.params[n].data, b.carry.params[n].data), `${n} differs between runs`)
  }
})

test.run()
