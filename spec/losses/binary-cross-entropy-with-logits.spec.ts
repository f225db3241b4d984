import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as Bce from '../../src/losses/binary-cross-entropy-with-logits.ts'
import { type Tensor, broadcastTo, fromArray, full } from '../../src/core/tensor.ts'
import { shape, tensorOf } from '../laws/arbitraries.ts'
import { all } from '../laws/result.ts'
import { gradientProperty, property } from '../support/property.ts'
import { absMax, agree, evaluate, roundingTol, withEvaluated } from './laws.ts'

const test = suite('binary_cross_entropy_with_logits')
const op = Bce.op

interface BceCase {
  readonly attrs: { reduction: 'mean' | 'sum' | 'none' }
  readonly inputs: { input: Tensor; target: Tensor; weight?: Tensor; pos_weight?: Tensor }
}

/** A shape that broadcasts to `sh`: a suffix of it with some dims set to 1. */
const broadcastable = (sh: readonly number[]): fc.Arbitrary<number[]> =>
  fc.tuple(fc.integer({ min: 0, max: sh.length }), fc.array(fc.boolean(), { minLength: sh.length, maxLength: sh.length }))
    .map(([drop, ones]) => sh.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)))

const bceCase = (o: { reductions?: readonly ('mean' | 'sum' | 'none')[]; weights?: boolean } = {}): fc.Arbitrary<BceCase> =>
  shape({ minRank: 1, maxRank: 3, maxDim: 3 }).chain((sh) =>
    fc.record({
      input: tensorOf(sh),
      // targets in [0, 1] mostly, sometimes outside: PyTorch takes any float and the loss is linear in it
      target: fc.oneof(tensorOf(sh, { min: 0, max: 1 }), tensorOf(sh, { min: -1, max: 2 })),
      weight: o.weights === false ? fc.constant(undefined) : fc.option(broadcastable(sh).chain((s) => tensorOf(s, { min: 0.1, max: 2 })), { nil: undefined }),
      pos_weight: o.weights === false ? fc.constant(undefined) : fc.option(broadcastable(sh).chain((s) => tensorOf(s, { min: 0, max: 4 })), { nil: undefined }),
      reduction: fc.constantFrom(...(o.reductions ?? (['mean', 'sum', 'none'] as const))),
    })).map(({ input, target, weight, pos_weight, reduction }) => ({
    attrs: { reduction },
    inputs: { input, target, ...(weight ? { weight } : {}), ...(pos_weight ? { pos_weight } : {}) },
  }))

gradientProperty(test, op, bceCase().map((c) => ({ attrs: c.attrs, inputs: c.inputs as Record<string, Tensor> })))

const sigmoidNaive = (x: number) => 1 / (1 + Math.exp(-x))

property(test, 'binary_cross_entropy_with_logits: equals -w (q y log s(x) + (1 - y) log(1 - s(x))) where that is finite',
  bceCase({ reductions: ['none'] }), (c) => {
    const { input, target } = c.inputs
    const w = c.inputs.weight ? broadcastTo(c.inputs.weight, input.shape).data : full(input.shape, 1).data
    const q = c.inputs.pos_weight ? broadcastTo(c.inputs.pos_weight, input.shape).data : full(input.shape, 1).data
    const naive = Array.from(input.data, (x, i) => {
      const s = sigmoidNaive(x)
      return -w[i] * (q[i] * target.data[i] * Math.log(s) + (1 - target.data[i]) * Math.log(1 - s))
    })
    return withEvaluated([evaluate(op, c.attrs, c.inputs)], ([r]) => {
      // Each element is w (q y log s + (1 - y) log(1 - s)), at most
      // 2 (4 * 2 + 2) (1 + max|x|) in size, as |log s(x)| <= |x| + log 2.
      // Its pieces carry relative errors below OP_ULPS ulps: with |x| <= 3,
      // 1 - s(x) >= s(-3) = 0.047 is formed with one ulp of 1, i.e. 21 ulps of
      // itself, and the log passes that on; the oracle's form has a few ulps.
      return agree('loss', r.loss.data, naive, roundingTol(4, 20 * (1 + absMax(input.data))))
    })
  })

property(test, 'binary_cross_entropy_with_logits: pos_weight = 1 equals no pos_weight (loss and gradients)',
  bceCase({ weights: false }).chain((c) => fc.option(fc.constant(true), { nil: undefined }).map((w) => ({ c, w }))), ({ c, w }) => {
    const weight = w ? { weight: full(c.inputs.input.shape.slice(-1), 0.7) } : {}
    const base = { ...c.inputs, ...weight }
    const one = { ...base, pos_weight: full(c.inputs.input.shape.slice(-1), 1) }
    // 1 + (1 - 1) y = 1 exactly, so every number is computed identically.
    return withEvaluated([evaluate(op, c.attrs, base), evaluate(op, c.attrs, one)], ([a, b]) =>
      all(agree('loss', a.loss.data, b.loss.data, 0), agree('dinput', a.grads.input.data, b.grads.input.data, 0), agree('dtarget', a.grads.target.data, b.grads.target.data, 0)))
  })

property(test, 'binary_cross_entropy_with_logits: sum = n * mean, and none sums to sum', bceCase({ reductions: ['mean'] }), (c) => {
  const n = c.inputs.input.data.length
  return withEvaluated([evaluate(op, c.attrs, c.inputs), evaluate(op, { reduction: 'sum' }, c.inputs), evaluate(op, { reduction: 'none' }, c.inputs)], ([mean, sum, none]) => {
    // n terms, each at most w (|x| |1 - y| + (1 + q |y|) softplus(-x)) <= 2 (3 * 2 + 9 * 3.05)
    const tol = roundingTol(n, n * 2 * (6 + 9 * 3.05))
    return all(agree('n * mean', [n * mean.loss.data[0]], sum.loss.data, tol), agree('sum of none', [none.loss.data.reduce((s, v) => s + v, 0)], sum.loss.data, tol))
  })
})

const right = <A>(r: E.Either<string, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left)
  return r.right
}

test('binary_cross_entropy_with_logits: finite for logits of +-1e4, with the exact limits', () => {
  const x = fromArray([4], [1e4, -1e4, 1e4, -1e4]), y = fromArray([4], [1, 1, 0, 0])
  const r = right(evaluate(op, { reduction: 'none' }, { input: x, target: y, pos_weight: fromArray([1], [2]) }))
  assert.equal(Array.from(r.loss.data), [0, 2e4, 1e4, 0])
  // dx = (1 + (q - 1) y) s(x) - q y: [2 - 2, 0 - 2, 1 - 0, 0 - 0]; dy = (q - 1) softplus(-x) - x
  assert.equal(Array.from(r.grads.input.data), [0, -2, 1, 0])
  assert.equal(Array.from(r.grads.target.data), [-1e4, 2e4, -1e4, 2e4])
})

// torch 1.13: F.binary_cross_entropy_with_logits(x, y, weight=[[0.5], [1.5]], pos_weight=[2, 0.5, 3]).
test('binary_cross_entropy_with_logits: weight and pos_weight broadcast, as PyTorch 1.13', () => {
  const r = right(evaluate(op, {}, {
    input: fromArray([2, 3], [0.5, -1.0, 2.0, -0.3, 0.8, -2.5]), target: fromArray([2, 3], [1.0, 0.0, 0.3, 0.6, 1.0, 0.0]),
    weight: fromArray([2, 1], [0.5, 1.5]), pos_weight: fromArray([3], [2.0, 0.5, 3.0]),
  }))
  const v = all(
    agree('loss', r.loss.data, [0.6165604873996199], 1e-15),
    agree('dinput', r.grads.input.data, [-0.0629234447996909, 0.02241178511416626, 0.042439610397050964, -0.12977700672466358, -0.03875318985904844, 0.018964545005310886], 1e-15),
    agree('dtarget', r.grads.target.data, [-0.002160251318324443, 0.02861409635340738, -0.14551199815950458, 0.2885888111171318, -0.24638758324347224, 1.914444867146275], 1e-15),
  )
  assert.ok(v.ok, v.ok ? '' : v.message)
})

test('binary_cross_entropy_with_logits: errors name the argument', () => {
  const attrs = (op.parseAttrs({}) as E.Right<Bce.Attrs>).right
  const arg = (r: E.Either<{ arg: string }, unknown>) => (E.isLeft(r) ? r.left.arg : 'no error')
  const x = fromArray([2, 3], [1, 2, 3, 4, 5, 6])
  assert.is(arg(op.parseAttrs({ reduction: 'max' })), 'attrs.reduction')
  assert.is(arg(op.forward(attrs, { input: x, target: fromArray([3], [0, 1, 0]) })), 'inputs.target')
  assert.is(arg(op.forward(attrs, { input: x, target: x, weight: fromArray([2], [1, 1]) })), 'inputs.weight')
  assert.is(arg(op.forward(attrs, { input: x, target: x, pos_weight: fromArray([2, 2, 3], new Array(12).fill(1)) })), 'inputs.pos_weight')
  assert.ok(E.isRight(op.forward(attrs, { input: x, target: x, weight: fromArray([2, 1], [1, 1]), pos_weight: fromArray([3], [1, 2, 3]) })))
})

test.run()
