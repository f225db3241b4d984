import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as Linear from '../../src/layers/linear.ts'
import * as Matmul from '../../src/layers/matmul.ts'
import { fromArray, matmul, mT } from '../../src/core/tensor.ts'
import { vjp } from '../../src/core/op.ts'
import { tensorOf } from '../laws/arbitraries.ts'
import { failed, ok } from '../laws/result.ts'
import { gradientProperty, property } from '../support/property.ts'

const test = suite('linear and matmul')

const linearCase = fc.record({ lead: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), inF: fc.integer({ min: 1, max: 5 }), outF: fc.integer({ min: 1, max: 5 }), bias: fc.boolean() })
  .chain(({ lead, inF, outF, bias }) => fc.record({
    x: tensorOf([...lead, inF]), weight: tensorOf([outF, inF]), ...(bias ? { bias: tensorOf([outF]) } : {}),
  }))
  .map((inputs) => ({ attrs: {}, inputs }))

gradientProperty(test, Linear.op, linearCase)

const matmulCase = fc.record({ n: fc.integer({ min: 1, max: 4 }), k: fc.integer({ min: 1, max: 4 }), m: fc.integer({ min: 1, max: 4 }), ba: fc.constantFrom([], [2], [1], [2, 1]), bb: fc.constantFrom([], [2], [1], [3, 1, 1]) })
  .chain(({ n, k, m, ba, bb }) => fc.record({ a: tensorOf([...ba, n, k]), b: tensorOf([...bb, k, m]) }))
  .map((inputs) => ({ attrs: {}, inputs }))

gradientProperty(test, Matmul.op, matmulCase)

property(test, 'linear(x) = x W^T + b, computed as matmul plus a broadcast bias', linearCase, ({ inputs }) => {
  const r = Linear.op.forward({}, inputs)
  if (E.isLeft(r)) return failed(JSON.stringify(r.left))
  const { x, weight, bias } = inputs
  const xw = matmul(fromArray([x.data.length / x.shape[x.shape.length - 1], x.shape[x.shape.length - 1]], x.data), mT(weight))
  const y = r.right.outputs.y
  for (let i = 0; i < y.data.length; i++) {
    const e = xw.data[i] + (bias ? bias.data[i % weight.shape[0]] : 0)
    if (Math.abs(y.data[i] - e) > 1e-12 * (1 + Math.abs(e))) return failed(`y[${i}] = ${y.data[i]}, expected ${e}`)
  }
  return ok
})

test('linear: a weight of the wrong shape is an error value naming the argument', () => {
  const r = Linear.op.forward({}, { x: fromArray([2, 3], [1, 2, 3, 4, 5, 6]), weight: fromArray([3, 2], [1, 2, 3, 4, 5, 6]) })
  assert.ok(E.isLeft(r))
  if (E.isLeft(r)) {
    assert.is(r.left.op, 'linear')
    assert.is(r.left.arg, 'inputs.weight')
    assert.match(r.left.expected, '[out, 3]')
  }
})

test('linear with zero features in or out: shapes stay right, empty sums are zero', () => {
  const r = vjp(Linear.op, {}, { x: fromArray([2, 1], [1, 2]), weight: fromArray([0, 1], []) }, { y: fromArray([2, 0], []) })
  assert.ok(E.isRight(r))
  if (E.isRight(r)) {
    assert.equal(r.right.outputs.y.shape, [2, 0])
    assert.equal(r.right.gradients.x.shape, [2, 1])
    assert.equal(Array.from(r.right.gradients.x.data), [0, 0])
    assert.equal(r.right.gradients.weight.shape, [0, 1])
  }
  const z = vjp(Linear.op, {}, { x: fromArray([3, 0], []), weight: fromArray([2, 0], []), bias: fromArray([2], [1, -1]) }, { y: fromArray([3, 2], [1, 1, 1, 1, 1, 1]) })
  assert.ok(E.isRight(z))
  if (E.isRight(z)) {
    assert.equal(Array.from(z.right.outputs.y.data), [1, -1, 1, -1, 1, -1])
    assert.equal(Array.from(z.right.gradients.bias.data), [3, 3])
  }
})

test('matmul: mismatched inner dimensions are an error value', () => {
  const r = Matmul.op.forward({}, { a: fromArray([2, 3], [1, 2, 3, 4, 5, 6]), b: fromArray([2, 2], [1, 2, 3, 4]) })
  assert.ok(E.isLeft(r))
})

test.run()
