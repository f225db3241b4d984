/**
 * The glue ops add, mul, flatten, reshape: the gradient law over broadcasting
 * shapes, the adjoint identity of broadcasting, and their validation errors.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { vjp } from '../../src/core/op.ts'
import { fromArray, sizeOf } from '../../src/core/tensor.ts'
import * as Add from '../../src/graph/glue/add.ts'
import * as Flatten from '../../src/graph/glue/flatten.ts'
import * as Mul from '../../src/graph/glue/mul.ts'
import * as Reshape from '../../src/graph/glue/reshape.ts'
import { tensorOf } from '../laws/arbitraries.ts'
import { gradientProperty } from '../support/property.ts'
import { lookup } from '../../src/registry.ts'

const test = suite('graph glue ops')

/** Two shapes that broadcast: from an output shape, drop leading dims and set some dims to 1. */
const broadcastPair = fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 3 }).chain((out) =>
  fc.tuple(
    fc.tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length })),
    fc.tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length })),
  ).map(([[da, ma], [db, mb]]) => {
    const cut = (drop: number, ones: boolean[]) => out.map((d, i) => (ones[i] ? 1 : d)).slice(drop)
    return [cut(da, ma), cut(db, mb)] as const
  }))

const binaryCase = broadcastPair.chain(([sa, sb]) =>
  fc.record({ attrs: fc.constant({}), inputs: fc.record({ a: tensorOf(sa, { min: -3, max: 3 }), b: tensorOf(sb, { min: -3, max: 3 }) }) }))

gradientProperty(test, Add.op, binaryCase, 60)
gradientProperty(test, Mul.op, binaryCase, 60)

const flattenCase = fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }).chain((shape) =>
  fc.tuple(fc.integer({ min: -shape.length, max: shape.length - 1 }), fc.integer({ min: -shape.length, max: shape.length - 1 }))
    .filter(([s, e]) => (s < 0 ? s + shape.length : s) <= (e < 0 ? e + shape.length : e))
    .chain(([start_dim, end_dim]) => fc.record({ attrs: fc.constant({ start_dim, end_dim }), inputs: fc.record({ x: tensorOf(shape, { min: -3, max: 3 }) }) })))
gradientProperty(test, Flatten.op, flattenCase, 40)

const reshapeCase = fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }).chain((shape) =>
  fc.shuffledSubarray(shape, { minLength: shape.length, maxLength: shape.length }).chain((perm) =>
    fc.integer({ min: 0, max: perm.length }).map((j) => perm.map((d, i) => (i === j ? -1 : d))))
    .chain((target) => fc.record({ attrs: fc.constant({ shape: target }), inputs: fc.record({ x: tensorOf(shape, { min: -3, max: 3 }) }) })))
gradientProperty(test, Reshape.op, reshapeCase, 40)

test('add and mul: shapes that do not broadcast are an error value, not a throw', () => {
  for (const op of [Add.op, Mul.op]) {
    const r = op.forward({}, { a: fromArray([2, 3], [1, 2, 3, 4, 5, 6]), b: fromArray([2], [1, 2]) })
    assert.ok(E.isLeft(r) && r.left._tag === 'Invalid' && r.left.arg === 'inputs.b', `${op.name} rejects [2, 3] with [2]`)
  }
})

test('add backward sums over broadcast dims: da for a [3, 1] against b [2, 1, 4] is the row sums', () => {
  const a = fromArray([3, 1], [1, 2, 3]), b = fromArray([2, 1, 4], [0, 0, 0, 0, 0, 0, 0, 0])
  const g = fromArray([2, 3, 4], Array.from({ length: 24 }, (_, i) => i))
  const r = vjp(Add.op, {}, { a, b }, { y: g })
  assert.ok(E.isRight(r))
  if (E.isRight(r)) {
    // da[i] = sum over n, j of g[n, i, j] = sum of (n*12 + i*4 + j)
    assert.equal(Array.from(r.right.gradients.a.data), [0, 1, 2].map((i) => [0, 1].reduce((s, n) => s + [0, 1, 2, 3].reduce((t, j) => t + n * 12 + i * 4 + j, 0), 0)))
    assert.equal(r.right.gradients.b.shape, [2, 1, 4])
  }
})

test('flatten: PyTorch defaults (1, -1), a scalar becomes [1], start after end is an error', () => {
  const x = fromArray([2, 3, 4], new Array(24).fill(0))
  const y = Flatten.op.forward({ start_dim: 1, end_dim: -1 }, { x })
  assert.ok(E.isRight(y) && y.right.outputs.y.shape.join() === '2,12')
  const s = Flatten.op.forward({ start_dim: 0, end_dim: -1 }, { x: fromArray([], [5]) })
  assert.ok(E.isRight(s) && s.right.outputs.y.shape.join() === '1')
  const bad = Flatten.op.forward({ start_dim: 2, end_dim: 1 }, { x })
  assert.ok(E.isLeft(bad) && bad.left.arg === 'attrs.start_dim')
  const out = Flatten.op.forward({ start_dim: 3, end_dim: -1 }, { x })
  assert.ok(E.isLeft(out))
})

test('reshape: -1 inferred; two -1, a size mismatch, or -1 beside a 0 are errors', () => {
  const x = fromArray([2, 6], new Array(12).fill(1))
  const ok = Reshape.op.forward({ shape: [3, -1] }, { x })
  assert.ok(E.isRight(ok) && ok.right.outputs.y.shape.join() === '3,4')
  for (const shape of [[-1, -1], [5, 2], [0, -1], [5, -1]]) assert.ok(E.isLeft(Reshape.op.forward({ shape }, { x })), `shape ${shape}`)
  assert.ok(E.isLeft(Reshape.op.parseAttrs({ shape: [2, -2] })), '-2 is not a dimension')
  assert.equal(sizeOf([0, 3]), 0)
  const empty = Reshape.op.forward({ shape: [0, 3] }, { x: fromArray([3, 0], []) })
  assert.ok(E.isRight(empty))
})

test('the glue ops are catalogue ops', () => {
  for (const name of ['add', 'mul', 'flatten', 'reshape']) assert.ok(lookup(name) !== undefined, name)
})

test.run()
