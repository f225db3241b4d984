import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as ElasticNet from '../../src/penalties/elastic-net-penalty.ts'
import * as L1 from '../../src/penalties/l1-penalty.ts'
import * as L2 from '../../src/penalties/l2-penalty.ts'
import { fromArray } from '../../src/core/tensor.ts'
import { shape, tensor, tensorOf } from '../laws/arbitraries.ts'
import { all, failed, ok } from '../laws/result.ts'
import { gradientProperty, property } from '../support/property.ts'
import { convex, run, sumTol } from './laws.ts'

const test = suite('elastic_net_penalty')
const op = ElasticNet.op
const weights = tensor(shape({ minRank: 0, maxRank: 3 }), { kinks: [0] })
const beta = fc.double({ min: 0, max: 3, noNaN: true })

gradientProperty(test, op, fc.tuple(weights, fc.option(beta, { nil: undefined })).map(([w, b]) => ({ attrs: b === undefined ? {} : { beta: b }, inputs: { w } })))

property(test, 'elastic_net_penalty = beta * l2_penalty + l1_penalty, loss and gradient', fc.tuple(weights, beta), ([w, b]) => {
  const [en, l1, l2] = [run(op, { beta: b }, w), run(L1.op, {}, w), run(L2.op, {}, w)]
  if (E.isLeft(en) || E.isLeft(l1) || E.isLeft(l2)) return failed('an op returned an error')
  const n = w.data.length
  const expected = b * l2.right.loss + l1.right.loss
  // The two sides sum the same n nonnegative terms grouped differently: each within sumTol.
  const tol = 2 * sumTol(2 * n, expected)
  const lossOk = Math.abs(en.right.loss - expected) <= tol ? ok : failed(`loss ${en.right.loss}, beta L2 + L1 = ${expected}`)
  const grads = Array.from(en.right.dw).map((g, i) => {
    const e = b * l2.right.dw[i] + l1.right.dw[i]
    // 2 beta w + sign(w) against beta (2 w) + sign(w): a few ulps of |2 beta w| + 1 <= 19
    return Math.abs(g - e) <= 8 * Number.EPSILON * 19 ? ok : failed(`dw[${i}] = ${g}, beta dL2 + dL1 = ${e}`)
  })
  return all(lossOk, ...grads)
})

property(test, 'elastic_net_penalty: convex along any segment for beta >= 0',
  fc.tuple(shape({ minRank: 0, maxRank: 3 }).chain((s) => fc.tuple(tensorOf(s), tensorOf(s))), fc.double({ min: 0, max: 1, noNaN: true }), beta),
  ([[a, b], t, bt]) => convex(op, { beta: bt }, a, b, t))

test('elastic_net_penalty: beta defaults to 1; sign(0) = 0 in the gradient', () => {
  const r = run(op, {}, fromArray([3], [-1, 0, 2]))
  assert.ok(E.isRight(r))
  if (E.isRight(r)) {
    assert.is(r.right.loss, 1 + 1 + 4 + 2)
    assert.equal(Array.from(r.right.dw), [-3, 0, 5])
  }
  const half = run(op, { beta: 0.5 }, fromArray([2], [2, -2]))
  assert.ok(E.isRight(half) && half.right.loss === 8)
})

test('elastic_net_penalty: errors name the argument', () => {
  const r = op.parseAttrs({ beta: 'x' })
  assert.ok(E.isLeft(r) && r.left.arg === 'attrs.beta')
  const u = op.parseAttrs({ alpha: 1 })
  assert.ok(E.isLeft(u) && u.left.arg === 'attrs.alpha')
})

test.run()
