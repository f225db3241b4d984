import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as L2 from '../../src/penalties/l2-penalty.ts'
import { fromArray } from '../../src/core/tensor.ts'
import { shape, tensor, tensorOf } from '../laws/arbitraries.ts'
import { gradientProperty, property } from '../support/property.ts'
import { convex, homogeneous, run } from './laws.ts'

const test = suite('l2_penalty')
const op = L2.op
const weights = tensor(shape({ minRank: 0, maxRank: 3 }))

gradientProperty(test, op, weights.map((w) => ({ attrs: {}, inputs: { w } })))

property(test, 'l2_penalty: homogeneous of degree 2, L2(c w) = c^2 L2(w)', fc.tuple(weights, fc.double({ min: -4, max: 4, noNaN: true })),
  ([w, c]) => homogeneous(op, {}, 2, w, c))

property(test, 'l2_penalty: convex along any segment', shape({ minRank: 0, maxRank: 3 }).chain((s) => fc.tuple(tensorOf(s), tensorOf(s), fc.double({ min: 0, max: 1, noNaN: true }))),
  ([a, b, t]) => convex(op, {}, a, b, t))

test('l2_penalty: sum w^2 (no 1/2) with gradient 2 w, a scalar loss', () => {
  const r = run(op, {}, fromArray([2, 2], [1, -2, 0, 0.5]))
  assert.ok(E.isRight(r))
  if (E.isRight(r)) {
    assert.is(r.right.loss, 5.25)
    assert.equal(Array.from(r.right.dw), [2, -4, 0, 1])
  }
})

test.run()
