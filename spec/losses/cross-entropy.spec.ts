import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as CrossEntropy from '../../src/losses/cross-entropy.ts'
import * as NllLoss from '../../src/losses/nll-loss.ts'
import { type Tensor, fromArray, sizeOf } from '../../src/core/tensor.ts'
import { probabilities, tensorOf } from '../laws/arbitraries.ts'
import { all, failed } from '../laws/result.ts'
import { gradientProperty, property } from '../support/property.ts'
import { type ClassCase, absMax, agree, classCase, classStats, evaluate, logSoftmaxRef, roundingTol, withEvaluated } from './laws.ts'

const test = suite('cross_entropy')
const op = CrossEntropy.op

const asCase = (c: ClassCase) => ({ attrs: c.attrs, inputs: c.inputs as Record<string, Tensor> })

// Every option at once: weights, ignored positions (ignore_index -100, -1 or a
// class), smoothing in [0, 1], each reduction, spatial dims.
const fullClass = classCase({ weight: true, ignore: true, smoothing: true })

interface ProbCase {
  readonly attrs: { label_smoothing: number; reduction: 'mean' | 'sum' | 'none' }
  readonly inputs: { input: Tensor; target: Tensor; weight?: Tensor }
}

// Probability targets: rows on the simplex, or any values in [0, 1] (PyTorch
// takes any float target; the loss is linear in it).
const probCase = (o: { weight?: boolean; reductions?: readonly ('mean' | 'sum' | 'none')[] } = {}): fc.Arbitrary<ProbCase> =>
  fc.record({ n: fc.integer({ min: 1, max: 3 }), c: fc.integer({ min: 1, max: 4 }), spatial: fc.array(fc.integer({ min: 1, max: 2 }), { maxLength: 1 }) })
    .chain(({ n, c, spatial }) => {
      const shape = [n, c, ...spatial]
      return fc.record({
        input: tensorOf(shape),
        target: fc.oneof(probabilities(shape), tensorOf(shape, { min: 0, max: 1 })),
        weight: o.weight ? fc.option(tensorOf([c], { min: 0.1, max: 2 }), { nil: undefined }) : fc.constant(undefined),
        e: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
        reduction: fc.constantFrom(...(o.reductions ?? (['mean', 'sum', 'none'] as const))),
      })
    })
    .map(({ input, target, weight, e, reduction }) => ({ attrs: { label_smoothing: e, reduction }, inputs: { input, target, ...(weight ? { weight } : {}) } }))

gradientProperty(test, op, fullClass.map(asCase), undefined, 'cross_entropy: gradient law, class targets')
gradientProperty(test, op, probCase({ weight: true }).map((c) => ({ attrs: c.attrs, inputs: c.inputs as Record<string, Tensor> })), undefined, 'cross_entropy: gradient law, probability targets (input and target)')

/**
 * A bound S on the sum of |terms| of a cross entropy over x with class
 * weights w and targets of size at most 1: every term is w_c * a * logp with
 * a <= 1 and |logp| <= |x| + |lse| <= 2 max|x| + log C; there are P * C of
 * them (twice, for the nll and smoothing parts), divided by D for a mean.
 */
const lossScale = (x: Tensor, wSum: number, divisor: number): number => {
  const p = x.data.length / x.shape[1]
  return (2 * p * wSum * (2 * absMax(x.data) + Math.log(x.shape[1]) + 1)) / divisor
}

property(test, 'cross_entropy: smoothing e equals (1 - e) CE(one-hot) + e * mean over classes c of CE(target c)',
  classCase({ smoothing: true }), (c) => {
    const { input, target } = c.inputs
    const { p, cls } = classStats(c)
    const e = c.attrs.label_smoothing ?? 0
    const plain = { ...c.attrs, label_smoothing: 0 }
    const everyClass = Array.from({ length: cls }, (_, k) => evaluate(op, plain, { input, target: fromArray(target.shape, new Float64Array(p).fill(k), 'int64') }))
    return withEvaluated([evaluate(op, c.attrs, c.inputs), evaluate(op, plain, c.inputs), ...everyClass], ([smooth, hard, ...each]) => {
      const expected = Float64Array.from(hard.loss.data, (v, i) => (1 - e) * v + (e / cls) * each.reduce((s, r) => s + r.loss.data[i], 0))
      const s = lossScale(input, cls, c.attrs.reduction === 'mean' ? p : 1)
      return agree('loss', smooth.loss.data, expected, roundingTol(p * (cls + 1), s))
    })
  })

property(test, 'cross_entropy: the gradient of a mean w.r.t. the logits is (softmax - onehot) / P',
  classCase({ reductions: ['mean'] }), (c) => {
    const { input, target } = c.inputs
    const { p, cls } = classStats(c)
    const k = p / input.shape[0]
    const lp = logSoftmaxRef(input)
    const expected = Float64Array.from(lp.data, (v, f) => {
      const pos = Math.floor(f / (cls * k)) * k + (f % k)
      return (Math.exp(v) - (target.data[pos] === Math.floor(f / k) % cls ? 1 : 0)) / p
    })
    // Each entry: a softmax (relative error OP_ULPS ulps of |logp| <= 2 max|x| + log C
    // through exp) minus 0 or 1, over P.
    const s = (2 * absMax(input.data) + Math.log(cls) + 2) / p
    return withEvaluated([evaluate(op, c.attrs, c.inputs)], ([r]) => agree('dinput', r.grads.input.data, expected, roundingTol(cls, s)))
  })

/** The one-hot probability target of class targets (no ignored positions). */
const oneHot = (target: Tensor, c: number): Tensor => {
  const n = target.shape[0], k = sizeOf(target.shape.slice(1))
  const out = new Float64Array(n * c * k)
  for (let i = 0; i < target.data.length; i++) out[(Math.floor(i / k) * c + target.data[i]) * k + (i % k)] = 1
  return fromArray([n, c, ...target.shape.slice(1)], out)
}

property(test, 'cross_entropy: a class target equals its one-hot probability target (loss and dinput; weights only without mean)',
  classCase({ weight: true, smoothing: true }), (c) => {
    // A weighted mean divides by sum of target weights for classes but by P for
    // probabilities (case format): the law holds for it only without weights.
    const cc = c.attrs.reduction === 'mean' && c.inputs.weight ? { ...c, attrs: { ...c.attrs, reduction: 'sum' as const } } : c
    const { input, target, weight } = cc.inputs
    const { p, cls, w } = classStats(cc)
    const prob = { input, target: oneHot(target, cls), ...(weight ? { weight } : {}) }
    const pa = { label_smoothing: cc.attrs.label_smoothing, reduction: cc.attrs.reduction }
    return withEvaluated([evaluate(op, cc.attrs, cc.inputs), evaluate(op, pa, prob)], ([a, b]) => {
      const wSum = w.reduce((s, v) => s + v, 0)
      const s = lossScale(input, wSum, cc.attrs.reduction === 'mean' ? p : 1)
      return all(
        agree('loss', a.loss.data, b.loss.data, roundingTol(p * (cls + 1), s)),
        agree('dinput', a.grads.input.data, b.grads.input.data, roundingTol(cls, 2 * wSum * (cc.attrs.reduction === 'mean' ? 1 / p : 1))),
      )
    })
  })

property(test, 'cross_entropy(x) = nll_loss(log_softmax(x)), loss and dinput (weights, ignored positions, every reduction)',
  classCase({ weight: true, ignore: true }), (c) => {
    const { input, target, weight } = c.inputs
    const lp = logSoftmaxRef(input)
    const { p, cls, w, d } = classStats(c)
    const nllAttrs = { ignore_index: c.attrs.ignore_index, reduction: c.attrs.reduction }
    return withEvaluated([evaluate(op, c.attrs, c.inputs), evaluate(NllLoss.op, nllAttrs, { input: lp, target, ...(weight ? { weight } : {}) })], ([ce, nll]) => {
      // The chain rule through log-softmax: dx = gn - softmax * sum_c gn.
      const k = p / input.shape[0]
      const g = nll.grads.input.data
      const dx = Float64Array.from(lp.data, (v, f) => {
        const base = Math.floor(f / (cls * k)) * cls * k + (f % k)
        let sg = 0
        for (let j = 0; j < cls; j++) sg += g[base + j * k]
        return g[f] - Math.exp(v) * sg
      })
      const wMax = absMax(w)
      const div = c.attrs.reduction === 'mean' ? d : 1
      return all(
        agree('loss', ce.loss.data, nll.loss.data, roundingTol(p, lossScale(input, cls * wMax, div))),
        agree('dinput', ce.grads.input.data, dx, roundingTol(cls, (2 * wMax * (2 * absMax(input.data) + Math.log(cls) + 2)) / div)),
      )
    })
  })

property(test, 'cross_entropy: ignored positions get zero gradient and do not count (equal to the loss without them)',
  classCase({ weight: true, ignore: true, smoothing: true, spatial: 0, reductions: ['mean', 'sum'] }), (c) => {
    const { input, target, weight } = c.inputs
    const { cls, d, w } = classStats(c)
    const keep = Array.from(target.data.keys()).filter((i) => target.data[i] !== c.attrs.ignore_index)
    const sub = {
      input: fromArray([keep.length, cls], keep.flatMap((i) => Array.from(input.data.subarray(i * cls, (i + 1) * cls)))),
      target: fromArray([keep.length], keep.map((i) => target.data[i]), 'int64'),
      ...(weight ? { weight } : {}),
    }
    return withEvaluated([evaluate(op, c.attrs, c.inputs), evaluate(op, c.attrs, sub)], ([full, part]) => {
      const zero = Array.from(target.data.keys()).filter((i) => !keep.includes(i)).flatMap((i) => Array.from(full.grads.input.data.subarray(i * cls, (i + 1) * cls)))
      if (zero.some((v) => v !== 0)) return failed(`an ignored position has gradient ${zero}`)
      const kept = keep.flatMap((i) => Array.from(full.grads.input.data.subarray(i * cls, (i + 1) * cls)))
      const wSum = w.reduce((s, v) => s + v, 0)
      const div = c.attrs.reduction === 'mean' ? d : 1
      return all(
        agree('loss', full.loss.data, part.loss.data, roundingTol(keep.length * (cls + 1), lossScale(sub.input, wSum, div))),
        agree('dinput', kept, part.grads.input.data, roundingTol(cls, (4 * wSum) / div)),
      )
    })
  })

property(test, 'cross_entropy: a class-target mean is the sum divided by D = sum of target weights over non-ignored positions',
  classCase({ weight: true, ignore: true, smoothing: true, reductions: ['mean'] }), (c) => {
    const { p, cls, w, d } = classStats(c)
    return withEvaluated([evaluate(op, c.attrs, c.inputs), evaluate(op, { ...c.attrs, reduction: 'sum' }, c.inputs)], ([mean, sum]) => {
      const wSum = w.reduce((s, v) => s + v, 0)
      return agree('mean * D', [mean.loss.data[0] * d], sum.loss.data, roundingTol(p * (cls + 1), lossScale(c.inputs.input, wSum, 1)))
    })
  })

property(test, 'cross_entropy: a probability-target mean is the sum divided by the number of positions, weights or not',
  probCase({ weight: true, reductions: ['mean'] }), (c) => {
    const { input } = c.inputs
    const p = input.data.length / input.shape[1]
    const wSum = c.inputs.weight ? c.inputs.weight.data.reduce((s, v) => s + v, 0) : input.shape[1]
    return withEvaluated([evaluate(op, c.attrs, c.inputs), evaluate(op, { ...c.attrs, reduction: 'sum' }, c.inputs)], ([mean, sum]) =>
      agree('mean * P', [mean.loss.data[0] * p], sum.loss.data, roundingTol(p * input.shape[1], 2 * lossScale(input, wSum, 1))))
  })

property(test, 'cross_entropy: sum = P * mean and none sums to sum, unweighted with nothing ignored',
  classCase({ smoothing: true, reductions: ['mean'] }), (c) => {
    const { p, cls } = classStats(c)
    return withEvaluated([evaluate(op, c.attrs, c.inputs), evaluate(op, { ...c.attrs, reduction: 'sum' }, c.inputs), evaluate(op, { ...c.attrs, reduction: 'none' }, c.inputs)], ([mean, sum, none]) => {
      const tol = roundingTol(p * (cls + 1), lossScale(c.inputs.input, cls, 1))
      return all(
        agree('P * mean', [p * mean.loss.data[0]], sum.loss.data, tol),
        agree('sum of none', [none.loss.data.reduce((s, v) => s + v, 0)], sum.loss.data, tol),
      )
    })
  })

// ---------------------------------------------------------------- named conventions

const x43 = fromArray([4, 3], [1.0, -0.5, 2.0, 0.3, 0.1, -1.2, -2.0, 0.7, 0.4, 0.0, 1.5, -0.3])
const w3 = fromArray([3], [0.5, 2.0, 1.5])
const expectClose = (actual: ArrayLike<number>, expected: readonly number[], tol = 1e-14) => {
  const v = agree('value', actual, expected, tol)
  assert.ok(v.ok, v.ok ? '' : v.message)
}
const right = <A>(r: E.Either<string, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left)
  return r.right
}

// Numbers from torch 1.13.1 (Debian python3-torch, float64) and torch 2.11 alike:
// F.cross_entropy(x, [2, -100, 0, 1], weight=[0.5, 2, 1.5], label_smoothing=0.2).
test('cross_entropy: label smoothing + class weights + ignore_index under mean, as PyTorch 1.13', () => {
  const r = right(evaluate(op, { label_smoothing: 0.2 }, { input: x43, target: fromArray([4], [2, -100, 0, 1], 'int64'), weight: w3 }))
  expectClose(r.loss.data, [0.8372507423982597])
  expectClose(r.grads.input.data, [0.08469593326617594, -0.012575698178493858, -0.07212023508768202, 0, 0, 0,
    -0.10213821621019585, 0.05884834746311841, 0.04328986874707745, 0.06666323072696953, -0.0972220518713655, 0.030558821144396026])
})

// torch: F.cross_entropy(x, t, weight=[0.5, 2, 1.5], label_smoothing=0.1), t float rows.
test('cross_entropy: probability targets with class weights and smoothing under mean, as PyTorch 1.13', () => {
  const t = fromArray([4, 3], [0.2, 0.3, 0.5, 1.0, 0.0, 0.0, 0.1, 0.1, 0.8, 0.6, 0.4, 0.0])
  const r = right(evaluate(op, { label_smoothing: 0.1 }, { input: x43, target: t, weight: w3 }))
  expectClose(r.loss.data, [1.2271152401370415])
  expectClose(r.grads.input.data, [0.06456544364626117, -0.13131003128186386, 0.06674458763560277, -0.04524489038960513, 0.04180853801081908, 0.003436352378786066,
    -0.002050701473497551, 0.13721530965167797, -0.1351646081781804, -0.026534805794662986, 0.005600300927410407, 0.02093450486725261])
  expectClose(r.grads.target.data, [0.15429814108342682, 1.2921925643337073, 0.12539442325028047, 0.08030943049603126, 0.411237721984125, 0.7471782914880938,
    0.37037636873732616, 0.2665054749493046, 0.30112910621197847, 0.20566945428498576, 0.14767781713994302, 0.7182583628549574])
})

test('cross_entropy: a mean whose targets are all ignore_index is NaN with zero gradient', () => {
  for (const attrs of [{}, { label_smoothing: 0.3 }, { ignore_index: 1 }]) {
    for (const weight of [undefined, w3]) {
      const ii = (attrs as { ignore_index?: number }).ignore_index ?? -100
      const r = right(evaluate(op, attrs, { input: x43, target: fromArray([4], [ii, ii, ii, ii], 'int64'), ...(weight ? { weight } : {}) }))
      assert.ok(Number.isNaN(r.loss.data[0]), `loss ${r.loss.data[0]}`)
      assert.equal(Array.from(r.grads.input.data), new Array(12).fill(0))
    }
  }
  const s = right(evaluate(op, { reduction: 'sum' }, { input: x43, target: fromArray([4], [-100, -100, -100, -100], 'int64') }))
  assert.equal(Array.from(s.loss.data), [0])
})

test('cross_entropy: stable for large logits (log-sum-exp shifted by the maximum)', () => {
  const big = fromArray([2, 3], [1000, -1000, 999, -800, 800, 0])
  const r = right(evaluate(op, { label_smoothing: 0.1, reduction: 'none' }, { input: big, target: fromArray([2], [2, 1], 'int64') }))
  // row 0: logp = [-l0, -2000 - l0, -1 - l0], l0 = log(1 + e^-1) (e^-2000 vanishes);
  // row 1: logp = [-1600, 0, -800]. Each logp is x - lse with |x|, |lse| <= 2000,
  // so it carries a few ulps of 2000 (2.3e-13 each): 1e-11 covers the sums of three.
  const l0 = Math.log1p(Math.exp(-1))
  expectClose(r.loss.data, [0.9 * (1 + l0) + (0.1 / 3) * (l0 + 2000 + l0 + 1 + l0), (0.1 / 3) * 2400], 1e-11)
  assert.ok(r.grads.input.data.every(Number.isFinite))
})

test('cross_entropy: errors name the argument', () => {
  const parse = (a: Record<string, unknown>) => op.parseAttrs(a)
  const arg = (r: E.Either<{ arg: string }, unknown>) => (E.isLeft(r) ? r.left.arg : 'no error')
  const cls = fromArray([4], [0, 1, 2, 0], 'int64')
  const attrs = (parse({}) as E.Right<CrossEntropy.Attrs>).right
  assert.is(arg(parse({ reduction: 'avg' })), 'attrs.reduction')
  assert.is(arg(parse({ label_smoothing: 1.5 })), 'attrs.label_smoothing')
  assert.is(arg(parse({ ignore_index: 0.5 })), 'attrs.ignore_index')
  assert.is(arg(op.forward(attrs, { input: x43, target: fromArray([4], [0, 3, 1, 0], 'int64') })), 'inputs.target')
  assert.is(arg(op.forward(attrs, { input: x43, target: fromArray([4], [0, -1, 1, 0], 'int64') })), 'inputs.target')
  assert.is(arg(op.forward(attrs, { input: x43, target: fromArray([2, 2], [0, 1, 1, 0], 'int64') })), 'inputs.target')
  assert.is(arg(op.forward(attrs, { input: x43, target: fromArray([4, 2], new Array(8).fill(0.5)) })), 'inputs.target')
  assert.is(arg(op.forward(attrs, { input: x43, target: cls, weight: fromArray([2], [1, 1]) })), 'inputs.weight')
  assert.is(arg(op.forward(attrs, { input: fromArray([3], [1, 2, 3]), target: fromArray([], [0], 'int64') })), 'inputs.input')
  assert.is(arg(op.forward({ ...attrs, ignore_index: 0 }, { input: x43, target: x43 })), 'attrs.ignore_index')
  assert.ok(E.isRight(op.forward(attrs, { input: x43, target: cls })))
})

test.run()
