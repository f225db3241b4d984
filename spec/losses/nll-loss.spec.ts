import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as NllLoss from '../../src/losses/nll-loss.ts'
import { type Tensor, fromArray } from '../../src/core/tensor.ts'
import { tensorOf } from '../laws/arbitraries.ts'
import { all, failed } from '../laws/result.ts'
import { gradientProperty, property } from '../support/property.ts'
import { type ClassCase, absMax, agree, classCase, classStats, evaluate, logSoftmaxRef, roundingTol, withEvaluated } from './laws.ts'

const test = suite('nll_loss')
const op = NllLoss.op

// nll_loss reads any float input; log-probabilities are what it is for, so
// half the draws are log-softmax rows.
const logProbs = (shape: number[]) => tensorOf(shape).map((x) => (x.data[0] > 0 ? logSoftmaxRef(x) : x))
const full = classCase({ weight: true, ignore: true, input: logProbs })
const asCase = (c: ClassCase) => ({ attrs: c.attrs, inputs: c.inputs as Record<string, Tensor> })

gradientProperty(test, op, full.map(asCase))

/** Each loss is at most P terms w * |x| <= max w * max |x|. */
const scale = (c: ClassCase): number => absMax(classStats(c).w) * absMax(c.inputs.input.data) * classStats(c).p

property(test, 'nll_loss: l_i = -weight[y_i] x_{i, y_i}, 0 where y_i = ignore_index (reduction none)', full, (c) => {
  const { input, target } = c.inputs
  const { cls, w } = classStats(c)
  const k = target.data.length / input.shape[0]
  const expected = Array.from(target.data, (y, i) =>
    (y === c.attrs.ignore_index ? 0 : -w[y] * input.data[(Math.floor(i / k) * cls + y) * k + (i % k)]))
  return withEvaluated([evaluate(op, { ...c.attrs, reduction: 'none' }, c.inputs)], ([r]) => agree('loss', r.loss.data, expected, 0))
})

property(test, 'nll_loss: a mean is the sum divided by D = sum of target weights over non-ignored positions', full, (c) => {
  const { p, d } = classStats(c)
  return withEvaluated([evaluate(op, { ...c.attrs, reduction: 'mean' }, c.inputs), evaluate(op, { ...c.attrs, reduction: 'sum' }, c.inputs)], ([mean, sum]) =>
    agree('mean * D', [mean.loss.data[0] * d], sum.loss.data, roundingTol(p, scale(c))))
})

property(test, 'nll_loss: sum = P * mean, unweighted with nothing ignored', classCase({ reductions: ['mean'] }), (c) => {
  const { p } = classStats(c)
  return withEvaluated([evaluate(op, c.attrs, c.inputs), evaluate(op, { ...c.attrs, reduction: 'sum' }, c.inputs)], ([mean, sum]) =>
    agree('P * mean', [p * mean.loss.data[0]], sum.loss.data, roundingTol(p, scale(c))))
})

property(test, 'nll_loss: ignored positions get zero gradient and do not count (equal to the loss without them)',
  classCase({ weight: true, ignore: true, spatial: 0, reductions: ['mean', 'sum'] }), (c) => {
    const { input, target, weight } = c.inputs
    const { cls } = classStats(c)
    const keep = Array.from(target.data.keys()).filter((i) => target.data[i] !== c.attrs.ignore_index)
    const rows = (g: Float64Array, is: number[]) => is.flatMap((i) => Array.from(g.subarray(i * cls, (i + 1) * cls)))
    const sub = {
      input: fromArray([keep.length, cls], rows(input.data, keep)),
      target: fromArray([keep.length], keep.map((i) => target.data[i]), 'int64'),
      ...(weight ? { weight } : {}),
    }
    return withEvaluated([evaluate(op, c.attrs, c.inputs), evaluate(op, c.attrs, sub)], ([f, part]) => {
      const ignored = Array.from(target.data.keys()).filter((i) => !keep.includes(i))
      if (rows(f.grads.input.data, ignored).some((v) => v !== 0)) return failed('an ignored position has a nonzero gradient')
      // Same terms summed in the same order: the results are identical.
      return all(agree('loss', f.loss.data, part.loss.data, 0), agree('dinput', rows(f.grads.input.data, keep), part.grads.input.data, 0))
    })
  })

const right = <A>(r: E.Either<string, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left)
  return r.right
}
const lp = fromArray([4, 3], [-1.3715390318526828, -2.871539031852683, -0.37153903185268283, -0.7138616044091667, -0.9138616044091666, -2.213861604409167,
  -3.2922343887762326, -0.5922343887762325, -0.8922343887762324, -1.8281729269776512, -0.32817292697765116, -2.1281729269776513])
const w3 = fromArray([3], [0.5, 2.0, 1.5])

// torch 1.13: F.nll_loss(lp, [2, -100, 0, 1], weight=[0.5, 2, 1.5]) = 0.7149428990306107,
// grad [0, 0, -0.375, 0, 0, 0, -0.125, 0, 0, 0, -0.5, 0] (1/D = 1/4).
test('nll_loss: weighted mean with an ignored position, as PyTorch 1.13', () => {
  const r = right(evaluate(op, {}, { input: lp, target: fromArray([4], [2, -100, 0, 1], 'int64'), weight: w3 }))
  assert.ok(Math.abs(r.loss.data[0] - 0.7149428990306107) < 1e-15)
  assert.equal(Array.from(r.grads.input.data), [0, 0, -0.375, 0, 0, 0, -0.125, 0, 0, 0, -0.5, 0])
})

test('nll_loss: a mean whose targets are all ignore_index is NaN with zero gradient', () => {
  for (const weight of [undefined, w3]) {
    const r = right(evaluate(op, {}, { input: lp, target: fromArray([4], [-100, -100, -100, -100], 'int64'), ...(weight ? { weight } : {}) }))
    assert.ok(Number.isNaN(r.loss.data[0]))
    assert.equal(Array.from(r.grads.input.data), new Array(12).fill(0))
  }
})

test('nll_loss: errors name the argument', () => {
  const attrs = (op.parseAttrs({}) as E.Right<NllLoss.Attrs>).right
  const arg = (r: E.Either<{ arg: string }, unknown>) => (E.isLeft(r) ? r.left.arg : 'no error')
  assert.is(arg(op.parseAttrs({ reduction: 'mean ' })), 'attrs.reduction')
  assert.is(arg(op.parseAttrs({ label_smoothing: 0.1 })), 'attrs.label_smoothing')
  assert.is(arg(op.forward(attrs, { input: lp, target: fromArray([4], [0, 3, 1, 0], 'int64') })), 'inputs.target')
  assert.is(arg(op.forward(attrs, { input: lp, target: fromArray([4], [0, 2, 1, 0]) })), 'inputs.target')
  assert.is(arg(op.forward(attrs, { input: lp, target: fromArray([4], [0, 2, 1, 0], 'int64'), weight: fromArray([1, 3], [1, 1, 1]) })), 'inputs.weight')
  assert.is(arg(op.forward(attrs, { input: fromArray([3], [1, 2, 3]), target: fromArray([], [0], 'int64') })), 'inputs.input')
})

test.run()
