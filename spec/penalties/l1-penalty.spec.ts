import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as L1 from '../../src/penalties/l1-penalty.ts'
import { fromArray } from '../../src/core/tensor.ts'
import { shape, tensor, tensorOf } from '../laws/arbitraries.ts'
import { gradientProperty, property } from '../support/property.ts'
import { convex, homogeneous, run } from './laws.ts'

const test = suite('l1_penalty')
const op = L1.op
const weights = tensor(shape({ minRank: 0, maxRank: 3 }))

gradientProperty(test, op, tensor(shape({ minRank: 0, maxRank: 3 }), { kinks: [0] }).map((w) => ({ attrs: {}, inputs: { w } })))

property(test, 'l1_penalty: absolutely homogeneous, L1(c w) = |c| L1(w)', fc.tuple(weights, fc.double({ min: -4, max: 4, noNaN: true })),
  ([w, c]) => homogeneous(op, {}, 1, w, c))

property(test, 'l1_penalty: convex along any segment', shape({ minRank: 0, maxRank: 3 }).chain((s) => fc.tuple(tensorOf(s), tensorOf(s), fc.double({ min: 0, max: 1, noNaN: true }))),
  ([a, b, t]) => convex(op, {}, a, b, t))

test("l1_penalty: sum |w| with gradient sign(w), sign(0) = 0 (PyTorch's abs')", () => {
  const r = run(op, {}, fromArray([5], [-2, -0, 0, 0.5, 3]))
  assert.ok(E.isRight(r))
  if (E.isRight(r)) {
    assert.is(r.right.loss, 5.5)
    assert.equal(Array.from(r.right.dw), [-1, 0, 0, 1, 1])
  }
})

test('l1_penalty: a NaN weight makes the loss NaN and its gradient 0 (torch.sign(NaN) = 0)', () => {
  const r = run(op, {}, fromArray([2], [NaN, -1]))
  assert.ok(E.isRight(r) && Number.isNaN(r.right.loss))
  if (E.isRight(r)) assert.equal(Array.from(r.right.dw), [0, -1])
})

test.run()
