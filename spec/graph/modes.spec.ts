/**
 * Train and evaluation modes, and what each normalization may look at:
 *   - evaluation mode is deterministic: a network with dropout and batch norm,
 *     put in evaluation mode by `withMode(graph, false)`, gives the same bits
 *     whatever key the run gets (dropout is the identity, batch norm uses its
 *     running statistics), and one sample's output does not depend on the
 *     other samples of the batch
 *   - in training mode the key matters (the masks are drawn from it), so the
 *     first law is not vacuous
 *   - layer, instance and group norm compute each sample's statistics from
 *     that sample alone: replacing the other samples leaves its output
 *     bit-for-bit unchanged (batch norm, by contrast, does depend on them)
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import fc from 'fast-check'
import { keyFromSeed, normal, split } from '../../src/core/random.ts'
import { type Tensor, make } from '../../src/core/tensor.ts'
import * as G from '../../src/graph/index.ts'
import { failed, ok } from '../laws/result.ts'
import { property } from '../support/property.ts'
import { bitwiseEqual, onPath, paths, unwrap } from './support.ts'

const test = suite('graph: modes and per-sample normalization')

const seedArb = fc.integer({ min: 0, max: 2 ** 31 - 1 })

/** Rows [0, keep) of x [N, ...] from a, the rest from b. */
const spliceRows = (a: Tensor, b: Tensor, keep: number): Tensor => {
  const row = a.data.length / a.shape[0]
  const data = Float64Array.from(b.data)
  data.set(a.data.subarray(0, keep * row))
  return make(a.shape, data)
}
const rows = (t: Tensor, n: number): Float64Array => t.data.subarray(0, n * (t.data.length / t.shape[0]))

const netWithDropout = (seed: number) => {
  const k = split(keyFromSeed(seed), 5)
  const net = unwrap(G.mlp(k[0], { sizes: [4, 6, 6, 3], batchNorm: true, dropout: 0.5 }))
  const buffers = { 'bn1.running_mean': normal(k[1], [6], 0, 0.3), 'bn1.running_var': normal(k[2], [6], 2, 0.2), 'bn2.running_mean': normal(k[3], [6], 0, 0.3), 'bn2.running_var': normal(k[4], [6], 2, 0.2) }
  return { net, values: { ...net.params, ...buffers, t: make([5], new Float64Array(5), 'int64') } }
}

property(test, 'evaluation mode is deterministic: the same bits under any key, each sample independent of the rest of the batch', fc.tuple(seedArb, seedArb, seedArb), ([seed, s1, s2]) => {
  const { net, values } = netWithDropout(seed)
  const evalGraph = unwrap(G.compile(G.withMode(net.graph, false)))
  const xa = normal(keyFromSeed(s1), [5, 4]), xb = normal(keyFromSeed(s2), [5, 4])
  const a = unwrap(G.forward(evalGraph, { ...values, x: xa }, { key: keyFromSeed(s1) })).values.logits
  const b = unwrap(G.forward(evalGraph, { ...values, x: xa }, { key: keyFromSeed(s2) })).values.logits
  if (!bitwiseEqual(a.data, b.data)) return failed('evaluation-mode logits differ between keys')
  const mixed = unwrap(G.forward(evalGraph, { ...values, x: spliceRows(xa, xb, 2) }, { key: keyFromSeed(s2 + 1) })).values.logits
  if (!bitwiseEqual(rows(a, 2), rows(mixed, 2))) return failed('evaluation-mode logits of samples 0-1 depend on samples 2-4')
  return ok
}, 30)

test('training mode is not deterministic across keys (the law above can fail)', () => {
  const { net, values } = netWithDropout(7)
  const g = unwrap(G.compile(net.graph))
  const x = normal(keyFromSeed(8), [5, 4])
  const a = unwrap(G.forward(g, { ...values, x }, { key: keyFromSeed(1) })).values.logits
  const b = unwrap(G.forward(g, { ...values, x }, { key: keyFromSeed(2) })).values.logits
  assert.not.ok(bitwiseEqual(a.data, b.data))
  // and a training-mode dropout with no mask and no key is an error value, not a guess
  assert.ok(unwrap(G.compile(net.graph)) && G.forward(g, { ...values, x })._tag === 'Left')
})

const norms: [string, Record<string, unknown>][] = [
  ['layer_norm', { normalized_shape: [4, 3, 3] }],
  ['instance_norm', {}],
  ['group_norm', { num_groups: 2 }],
]

for (const [op, attrs] of norms) for (const path of paths) {
  property(test, `${path}: ${op}: one sample's output does not depend on the other samples of the batch`, fc.tuple(seedArb, seedArb, fc.integer({ min: 1, max: 3 })), ([s1, s2, keep]) => onPath(path, () => {
    const graph: G.Graph = { nodes: [{ op, attrs, inputs: { x: 'x' }, outputs: { y: 'y' } }] }
    const g = unwrap(G.compile(graph))
    const xa = normal(keyFromSeed(s1), [4, 4, 3, 3]), xb = normal(keyFromSeed(s2), [4, 4, 3, 3], 3, 5)
    const a = unwrap(G.forward(g, { x: xa })).values.y
    const b = unwrap(G.forward(g, { x: spliceRows(xa, xb, keep) })).values.y
    return bitwiseEqual(rows(a, keep), rows(b, keep)) ? ok : failed(`${op}: samples 0..${keep - 1} changed when the others did`)
  }), 15)
}

test('batch norm in training mode does depend on the other samples (the contrast)', () => {
  const g = unwrap(G.compile({ nodes: [{ op: 'batch_norm', attrs: { training: true }, inputs: { x: 'x' }, outputs: { y: 'y' } }] }))
  const xa = normal(keyFromSeed(1), [4, 4, 3, 3]), xb = normal(keyFromSeed(2), [4, 4, 3, 3], 3, 5)
  const a = unwrap(G.forward(g, { x: xa })).values.y
  const b = unwrap(G.forward(g, { x: spliceRows(xa, xb, 1) })).values.y
  assert.not.ok(bitwiseEqual(rows(a, 1), rows(b, 1)))
})

test.run()
