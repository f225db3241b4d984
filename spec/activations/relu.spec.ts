import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as Relu from '../../src/activations/relu.ts'
import { vjp } from '../../src/core/op.ts'
import { fromArray } from '../../src/core/tensor.ts'
import { shape, tensor } from '../laws/arbitraries.ts'
import { gradientProperty } from '../support/property.ts'

const test = suite('relu')

gradientProperty(test, Relu.op, tensor(shape(), { kinks: [0] }).map((x) => ({ attrs: {}, inputs: { x } })))

test("relu'(0) = 0 (PyTorch's convention at the kink)", () => {
  const r = vjp(Relu.op, {}, { x: fromArray([3], [0, -0, 1]) }, { y: fromArray([3], [1, 1, 1]) })
  assert.ok(E.isRight(r))
  if (E.isRight(r)) assert.equal(Array.from(r.right.gradients.x.data), [0, 0, 1])
})

test("relu passes NaN through, and relu'(NaN) = 1 as PyTorch's mask (not x <= 0) has it", () => {
  const r = vjp(Relu.op, {}, { x: fromArray([1], [NaN]) }, { y: fromArray([1], [2]) })
  assert.ok(E.isRight(r) && Number.isNaN(r.right.outputs.y.data[0]))
  if (E.isRight(r)) assert.is(r.right.gradients.x.data[0], 2)
})

test.run()
