import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as Mse from '../../src/losses/mse-loss.ts'
import { type Tensor, broadcastShapes, broadcastTo, fromArray, sumTo } from '../../src/core/tensor.ts'
import { shape, tensorOf } from '../laws/arbitraries.ts'
import { all } from '../laws/result.ts'
import { gradientProperty, property } from '../support/property.ts'
import { agree, evaluate, roundingTol, withEvaluated } from './laws.ts'

const test = suite('mse_loss')
const op = Mse.op

interface MseCase {
  readonly attrs: { reduction: 'mean' | 'sum' | 'none' }
  readonly inputs: { input: Tensor; target: Tensor }
}

/** Two shapes that broadcast: a common shape, each side dropping leading dims and setting some dims to 1. */
const pairOfShapes = shape({ minRank: 0, maxRank: 3, maxDim: 3 }).chain((sh) => {
  const side = fc.tuple(fc.integer({ min: 0, max: sh.length }), fc.array(fc.boolean(), { minLength: sh.length, maxLength: sh.length }))
    .map(([drop, ones]) => sh.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)))
  return fc.oneof(fc.constant([sh, sh]), fc.tuple(side, side))
})

const mseCase = (o: { reductions?: readonly ('mean' | 'sum' | 'none')[]; same?: boolean } = {}): fc.Arbitrary<MseCase> =>
  (o.same ? shape({ minRank: 0, maxRank: 3 }).map((s) => [s, s]) : pairOfShapes)
    .chain(([a, b]) => fc.record({ input: tensorOf(a), target: tensorOf(b), reduction: fc.constantFrom(...(o.reductions ?? (['mean', 'sum', 'none'] as const))) }))
    .map(({ input, target, reduction }) => ({ attrs: { reduction }, inputs: { input, target } }))

gradientProperty(test, op, mseCase().map((c) => ({ attrs: c.attrs, inputs: c.inputs as Record<string, Tensor> })))

property(test, 'mse_loss: the gradient of a mean is 2 (x - t) / n w.r.t. x and its negative w.r.t. t', mseCase({ same: true, reductions: ['mean'] }), (c) => {
  const { input: x, target: t } = c.inputs
  const n = x.data.length
  const expected = Array.from(x.data, (v, i) => (2 * (v - t.data[i])) / n)
  // both sides: a subtraction, a product and a division, a few ulps of |2 (x - t) / n| <= 12 / n
  return withEvaluated([evaluate(op, c.attrs, c.inputs)], ([r]) => all(
    agree('dinput', r.grads.input.data, expected, roundingTol(1, 12 / n)),
    agree('dtarget', r.grads.target.data, expected.map((v) => -v), roundingTol(1, 12 / n)),
  ))
})

property(test, 'mse_loss: broadcasting the target first changes nothing, and its gradient sums back over the broadcast axes', mseCase(), (c) => {
  const { input, target } = c.inputs
  const out = broadcastShapes(input.shape, target.shape)!
  const bx = broadcastTo(input, out), bt = broadcastTo(target, out)
  return withEvaluated([evaluate(op, c.attrs, c.inputs), evaluate(op, c.attrs, { input: bx, target: bt })], ([a, b]) => {
    const n = bx.data.length
    // The same n elementwise terms; the sums over broadcast axes add n terms of size <= 12 (|x - t| <= 6).
    const tol = roundingTol(n, 12 * n)
    return all(
      agree('loss', a.loss.data, b.loss.data, roundingTol(n, 36 * n)),
      agree('dinput', a.grads.input.data, sumTo(b.grads.input, input.shape).data, tol),
      agree('dtarget', a.grads.target.data, sumTo(b.grads.target, target.shape).data, tol),
    )
  })
})

property(test, 'mse_loss: sum = n * mean and none sums to sum', mseCase({ reductions: ['mean'] }), (c) => {
  const n = broadcastTo(c.inputs.input, broadcastShapes(c.inputs.input.shape, c.inputs.target.shape)!).data.length
  return withEvaluated([evaluate(op, c.attrs, c.inputs), evaluate(op, { reduction: 'sum' }, c.inputs), evaluate(op, { reduction: 'none' }, c.inputs)], ([mean, sum, none]) => {
    const tol = roundingTol(n, 36 * n) // n squares of |x - t| <= 6
    return all(agree('n * mean', [n * mean.loss.data[0]], sum.loss.data, tol), agree('sum of none', [none.loss.data.reduce((s, v) => s + v, 0)], sum.loss.data, tol))
  })
})

property(test, 'mse_loss: symmetric, mse(x, t) = mse(t, x)', mseCase(), (c) =>
  withEvaluated([evaluate(op, c.attrs, c.inputs), evaluate(op, c.attrs, { input: c.inputs.target, target: c.inputs.input })], ([a, b]) =>
    // (x - t)^2 and (t - x)^2 round identically
    agree('loss', a.loss.data, b.loss.data, 0)))

test('mse_loss: a loss in [] for mean and sum, the broadcast shape for none', () => {
  const x = fromArray([3, 1], [1, 2, 3]), t = fromArray([2], [0, 1])
  const none = (evaluate(op, { reduction: 'none' }, { input: x, target: t }) as E.Right<{ loss: Tensor }>).right.loss
  assert.equal(none.shape, [3, 2])
  assert.equal(Array.from(none.data), [1, 0, 4, 1, 9, 4])
  const mean = (evaluate(op, {}, { input: x, target: t }) as E.Right<{ loss: Tensor }>).right.loss
  assert.equal(mean.shape, [])
  assert.is(mean.data[0], 19 / 6)
})

test('mse_loss: errors name the argument', () => {
  const attrs = (op.parseAttrs({}) as E.Right<Mse.Attrs>).right
  const arg = (r: E.Either<{ arg: string }, unknown>) => (E.isLeft(r) ? r.left.arg : 'no error')
  assert.is(arg(op.parseAttrs({ reduction: 'elementwise_mean' })), 'attrs.reduction')
  assert.is(arg(op.forward(attrs, { input: fromArray([2, 3], [1, 2, 3, 4, 5, 6]), target: fromArray([2], [1, 2]) })), 'inputs.target')
  assert.is(arg(op.forward(attrs, { input: fromArray([2], [1, 2]), target: fromArray([2], [1, 2], 'int64') })), 'inputs.target')
})

test.run()
