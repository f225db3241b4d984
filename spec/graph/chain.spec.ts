/**
 * The graph interpreter against the ops it chains:
 *   - its VJP equals the op VJPs chained by hand (src/core/op.ts `vjp`, one op
 *     at a time, in reverse), bit for bit, on a network where a value is read
 *     twice (a residual connection) and so accumulates
 *   - the gradient law (central differences, spec/laws/gradient.ts) on whole
 *     networks at small sizes: an MLP with batch norm and tanh, a CNN with
 *     batch norm and max pooling, a residual block
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { type Tensors, vjp } from '../../src/core/op.ts'
import { type Key, keyFromSeed, normal, split } from '../../src/core/random.ts'
import { type Tensor, add, fromArray, scalar } from '../../src/core/tensor.ts'
import * as G from '../../src/graph/index.ts'
import { lookup } from '../../src/registry.ts'
import { gradientLaw } from '../laws/gradient.ts'
import { all, failed, ok } from '../laws/result.ts'
import { property } from '../support/property.ts'
import { bitwiseEqual, graphFn, omit, unwrap } from './support.ts'

const test = suite('graph interpreter')

/** x -> linear -> relu = a;  z = linear(a);  s = a + z  (a read twice);  logits = linear(s);  cross_entropy. */
const residualMlp: G.Graph = { nodes: [
  { op: 'linear', inputs: { x: 'x', weight: 'w1', bias: 'b1' }, outputs: { y: 'h' } },
  { op: 'relu', inputs: { x: 'h' }, outputs: { y: 'a' } },
  { op: 'linear', inputs: { x: 'a', weight: 'w2' }, outputs: { y: 'z' } },
  { op: 'add', inputs: { a: 'a', b: 'z' }, outputs: { y: 's' } },
  { op: 'linear', inputs: { x: 's', weight: 'w3', bias: 'b3' }, outputs: { y: 'logits' } },
  { op: 'cross_entropy', inputs: { input: 'logits', target: 't' }, outputs: { loss: 'loss' } },
] }

const draw = (key: Key): Tensors => {
  const k = split(key, 7)
  return {
    x: normal(k[0], [3, 4]), w1: normal(k[1], [5, 4]), b1: normal(k[2], [5]), w2: normal(k[3], [5, 5], 0, 0.5),
    w3: normal(k[4], [2, 5]), b3: normal(k[5], [2]), t: fromArray([3], [0, 1, 1], 'int64'),
  }
}

const one = <T>(name: string, attrs: Record<string, unknown>, inputs: Tensors, cot: Tensors) => {
  const op = lookup(name)!
  return unwrap(vjp(op, unwrap(op.parseAttrs(attrs)), inputs, cot))
}

/** The same network, each op's VJP called by hand in reverse; a's two contributions summed. */
const handChained = (v: Tensors, gLoss: Tensor, gA: Tensor | undefined): Tensors => {
  const f1 = one('linear', {}, { x: v.x, weight: v.w1, bias: v.b1 }, {})
  const f2 = one('relu', {}, { x: f1.outputs.y }, {})
  const a = f2.outputs.y
  const f3 = one('linear', {}, { x: a, weight: v.w2 }, {})
  const f4 = one('add', {}, { a, b: f3.outputs.y }, {})
  const f5 = one('linear', {}, { x: f4.outputs.y, weight: v.w3, bias: v.b3 }, {})
  const b6 = one('cross_entropy', {}, { input: f5.outputs.y, target: v.t }, { loss: gLoss })
  const b5 = one('linear', {}, { x: f4.outputs.y, weight: v.w3, bias: v.b3 }, { y: b6.gradients.input })
  const b4 = one('add', {}, { a, b: f3.outputs.y }, { y: b5.gradients.x })
  const b3 = one('linear', {}, { x: a, weight: v.w2 }, { y: b4.gradients.b })
  // The interpreter's order: the given cotangent, then node 3 (add), then node 2 (linear).
  const ga0 = gA === undefined ? b4.gradients.a : add(gA, b4.gradients.a)
  const ga = add(ga0, b3.gradients.x)
  const b2 = one('relu', {}, { x: f1.outputs.y }, { y: ga })
  const b1 = one('linear', {}, { x: v.x, weight: v.w1, bias: v.b1 }, { y: b2.gradients.x })
  return { x: b1.gradients.x, w1: b1.gradients.weight, b1: b1.gradients.bias, w2: b3.gradients.weight, w3: b5.gradients.weight, b3: b5.gradients.bias }
}

property(test, 'graph VJP = the op VJPs chained by hand, bitwise (a value read twice accumulates)', fc.tuple(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.boolean()), ([seed, withA]) => {
  const v = draw(keyFromSeed(seed))
  const gLoss = scalar(1.5)
  const gA = withA ? normal(keyFromSeed(seed + 1), [3, 5]) : undefined
  const compiled = unwrap(G.compile(residualMlp, Object.keys(v)))
  const wrt = ['x', 'w1', 'b1', 'w2', 'w3', 'b3']
  const r = G.vjp(compiled, v, { loss: gLoss, ...(gA ? { a: gA } : {}) }, wrt)
  if (E.isLeft(r)) return failed(r.left.arg)
  const hand = handChained(v, gLoss, gA)
  for (const k of wrt) if (!bitwiseEqual(r.right.gradients[k].data, hand[k].data)) return failed(`gradient of ${k} differs from the hand-chained VJP`)
  return ok
}, 30)

const lawOn = (net: G.Network, x: Tensor, t: Tensor, key: Key) => {
  const compiled = unwrap(G.compile(net.graph))
  const fixed = { ...net.buffers, t }
  const inputs = { ...net.params, x }
  return gradientLaw(graphFn(compiled, fixed), inputs, { loss: scalar(1), logits: normal(key, [x.shape[0], t.data.length === x.shape[0] ? 3 : 3]) }, { wrt: Object.keys(inputs), key, directions: 3 })
}

test('gradient law on whole networks: MLP with batch norm and tanh, CNN with batch norm and max pooling, residual block', () => {
  const k = split(keyFromSeed(12), 8)
  const t = fromArray([4], [0, 2, 1, 2], 'int64')
  const mlp = unwrap(G.mlp(k[0], { sizes: [3, 5, 4, 3], activation: 'tanh', batchNorm: true }))
  const cnn = unwrap(G.cnn(k[1], { input: [2, 6, 6], conv: [{ channels: 3 }], hidden: [4], classes: 3, batchNorm: true }))
  const res = unwrap(G.residual(k[2], { channels: 2, classes: 3 }))
  const verdicts = [
    lawOn(mlp, normal(k[3], [4, 3]), t, k[4]),
    lawOn(cnn, normal(k[5], [4, 2, 6, 6]), t, k[6]),
    lawOn(res, normal(k[7], [4, 2, 4, 4]), t, k[4]),
  ]
  const v = all(...verdicts)
  assert.ok(v.ok, v.ok ? '' : v.message)
})

test('wiring errors are values: an undefined value, a value defined twice, an unknown op (unsupported), a graph inside a graph', () => {
  const base = residualMlp.nodes
  const given = ['x', 'w1', 'b1', 'w2', 'w3', 'b3', 't']
  const cases: [G.Graph, string][] = [
    [{ nodes: [base[1], base[0]] }, 'Invalid'],
    [{ nodes: [base[0], { ...base[1], outputs: { y: 'h' } }] }, 'Invalid'],
    [{ nodes: [{ op: 'no_such_op', inputs: {}, outputs: {} }] }, 'Unsupported'],
    [{ nodes: [{ op: 'graph', inputs: {}, outputs: {} }] }, 'Invalid'],
    [{ nodes: [{ ...base[0], inputs: { ...base[0].inputs, bogus: 'x' } }] }, 'Invalid'],
    [{ nodes: [{ ...base[0], attrs: { nope: 1 } }] }, 'Invalid'],
  ]
  for (const [g, tag] of cases) {
    const r = G.compile(g, given)
    assert.ok(E.isLeft(r) && r.left._tag === tag, JSON.stringify(g.nodes.map((n) => n.op)))
  }
  // A shape error inside a node names the node.
  const c = unwrap(G.compile(residualMlp, given))
  const v = draw(keyFromSeed(1))
  const r = G.forward(c, { ...v, w2: normal(keyFromSeed(2), [5, 3]) })
  assert.ok(E.isLeft(r) && r.left.arg.startsWith('nodes[2] (linear)'), E.isLeft(r) ? r.left.arg : 'no error')
})

test('an input the loss never reaches gets a zero gradient in a VJP and is reported unreached', () => {
  const g: G.Graph = { nodes: [...residualMlp.nodes, { op: 'mul', inputs: { a: 'spare', b: 'spare' }, outputs: { y: 'unused' } }] }
  const v = { ...draw(keyFromSeed(3)), spare: fromArray([2], [1, 2]) }
  const c = unwrap(G.compile(g, Object.keys(v)))
  const r = unwrap(G.vjp(c, v, { loss: scalar(1) }, ['w1', 'spare']))
  assert.equal(Array.from(r.gradients.spare.data), [0, 0])
  assert.equal([...r.reached], ['w1'])
  // ...and reading it twice through mul accumulates 2 * spare when it is reached.
  const r2 = unwrap(G.vjp(c, v, { unused: fromArray([2], [1, 1]) }, ['spare']))
  assert.equal(Array.from(r2.gradients.spare.data), [2, 4])
})

test('fixed inputs are never mutated by forward or backward', () => {
  const v = draw(keyFromSeed(4))
  const before = Object.fromEntries(Object.entries(omit(v, [])).map(([k, t]) => [k, Float64Array.from(t.data)]))
  const c = unwrap(G.compile(residualMlp, Object.keys(v)))
  unwrap(G.vjp(c, v, { loss: scalar(1) }, ['x', 'w1', 'w2']))
  for (const k of Object.keys(v)) assert.ok(bitwiseEqual(v[k].data, before[k]), k)
})

test.run()
