import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as MultiMargin from '../../src/losses/multi-margin-loss.ts'
import { type Tensor, fromArray } from '../../src/core/tensor.ts'
import { labels, tensorOf } from '../laws/arbitraries.ts'
import { all } from '../laws/result.ts'
import { TOL } from '../laws/tolerance.ts'
import { gradientProperty, property } from '../support/property.ts'
import { absMax, agree, evaluate, roundingTol, withEvaluated } from './laws.ts'

const test = suite('multi_margin_loss')
const op = MultiMargin.op

interface MarginCase {
  readonly attrs: { p: 1 | 2; margin: number; reduction: 'mean' | 'sum' | 'none' }
  readonly inputs: { input: Tensor; target: Tensor; weight?: Tensor }
}

/**
 * Each hinge z = margin - x_y + x_j is moved at least KINK_GAP from 0 by
 * shifting x_j alone (x_j enters no other hinge of its row), so that a
 * central difference never straddles a kink.
 */
const awayFromKinks = (x: Tensor, y: Tensor, margin: number): Tensor => {
  const [n, c] = x.shape
  const out = Float64Array.from(x.data)
  for (let a = 0; a < n; a++) {
    const xy = out[a * c + y.data[a]]
    for (let j = 0; j < c; j++) {
      if (j === y.data[a]) continue
      const z = margin - xy + out[a * c + j]
      if (Math.abs(z) < TOL.KINK_GAP) out[a * c + j] += (z >= 0 ? TOL.KINK_GAP : -TOL.KINK_GAP) - z
    }
  }
  return fromArray(x.shape, out)
}

const marginCase = (o: { reductions?: readonly ('mean' | 'sum' | 'none')[] } = {}): fc.Arbitrary<MarginCase> =>
  fc.record({ n: fc.integer({ min: 1, max: 3 }), c: fc.integer({ min: 1, max: 4 }) }).chain(({ n, c }) => fc.record({
    input: tensorOf([n, c]),
    target: labels([n], c),
    weight: fc.option(tensorOf([c], { min: 0.1, max: 2 }), { nil: undefined }),
    p: fc.constantFrom(1 as const, 2 as const),
    margin: fc.double({ min: 0, max: 2, noNaN: true }),
    reduction: fc.constantFrom(...(o.reductions ?? (['mean', 'sum', 'none'] as const))),
  })).map(({ input, target, weight, p, margin, reduction }) => ({
    attrs: { p, margin, reduction },
    inputs: { input: awayFromKinks(input, target, margin), target, ...(weight ? { weight } : {}) },
  }))

gradientProperty(test, op, marginCase().map((c) => ({ attrs: c.attrs, inputs: c.inputs as Record<string, Tensor> })))

/** Each sample's loss is at most (C - 1) / C * max w * (margin + 2 max|x|)^p. */
const scale = (c: MarginCase): number => {
  const w = c.inputs.weight ? absMax(c.inputs.weight.data) : 1
  return c.inputs.input.shape[0] * w * (c.attrs.margin + 2 * absMax(c.inputs.input.data)) ** c.attrs.p
}

property(test, 'multi_margin_loss: zero loss and gradient when the target score beats every other by the margin',
  marginCase().chain((c) => fc.double({ min: 0, max: 1, noNaN: true }).map((delta) => ({ c, delta }))), ({ c, delta }) => {
    const [n, k] = c.inputs.input.shape
    const x = Float64Array.from(c.inputs.input.data)
    for (let a = 0; a < n; a++) {
      const y = c.inputs.target.data[a]
      let m = -Infinity
      for (let j = 0; j < k; j++) if (j !== y) m = Math.max(m, x[a * k + j])
      if (k > 1) x[a * k + y] = m + c.attrs.margin + delta + 1e-12 * (1 + Math.abs(m))
    }
    return withEvaluated([evaluate(op, c.attrs, { ...c.inputs, input: fromArray([n, k], x) })], ([r]) =>
      all(agree('loss', r.loss.data, new Array(r.loss.data.length).fill(0), 0), agree('dinput', r.grads.input.data, new Array(n * k).fill(0), 0)))
  })

property(test, 'multi_margin_loss: homogeneous of degree p, loss(s x, s margin) = s^p loss(x, margin) for s > 0',
  marginCase().chain((c) => fc.double({ min: 0.25, max: 4, noNaN: true }).map((s) => ({ c, s }))), ({ c, s }) => {
    const scaled = { ...c.inputs, input: fromArray(c.inputs.input.shape, c.inputs.input.data.map((v) => s * v)) }
    return withEvaluated([evaluate(op, c.attrs, c.inputs), evaluate(op, { ...c.attrs, margin: s * c.attrs.margin }, scaled)], ([a, b]) =>
      // the hinges of the scaled case are s z up to an ulp of each of their three terms
      agree('loss', a.loss.data.map((v) => s ** c.attrs.p * v), b.loss.data, roundingTol(c.inputs.input.data.length, 2 * s ** c.attrs.p * scale(c))))
  })

property(test, "multi_margin_loss: only the target class's weight matters (changing another class's weight changes nothing)",
  marginCase().filter((c) => c.inputs.weight !== undefined), (c) => {
    const [, k] = c.inputs.input.shape
    const used = new Set(Array.from(c.inputs.target.data))
    const w2 = fromArray([k], c.inputs.weight!.data.map((v, j) => (used.has(j) ? v : 10 * v + 1)))
    return withEvaluated([evaluate(op, c.attrs, c.inputs), evaluate(op, c.attrs, { ...c.inputs, weight: w2 })], ([a, b]) =>
      all(agree('loss', a.loss.data, b.loss.data, 0), agree('dinput', a.grads.input.data, b.grads.input.data, 0)))
  })

property(test, 'multi_margin_loss: sum = N * mean (weighted or not) and none sums to sum', marginCase({ reductions: ['mean'] }), (c) => {
  const n = c.inputs.input.shape[0]
  return withEvaluated([evaluate(op, c.attrs, c.inputs), evaluate(op, { ...c.attrs, reduction: 'sum' }, c.inputs), evaluate(op, { ...c.attrs, reduction: 'none' }, c.inputs)], ([mean, sum, none]) => {
    const tol = roundingTol(n, scale(c))
    return all(agree('N * mean', [n * mean.loss.data[0]], sum.loss.data, tol), agree('sum of none', [none.loss.data.reduce((s, v) => s + v, 0)], sum.loss.data, tol))
  })
})

const right = <A>(r: E.Either<string, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left)
  return r.right
}
const xm = fromArray([3, 4], [0.1, 0.9, -0.4, 0.3, 1.2, -0.3, 0.8, 0.0, -0.5, 0.2, 0.6, 1.0])
const tm = fromArray([3], [1, 0, 3], 'int64')
const wm = fromArray([4], [0.7, 1.3, 0.4, 2.0])

// torch 1.13: F.multi_margin_loss(x, [1, 0, 3], p=p, margin=0.7, weight=[0.7, 1.3, 0.4, 2.0]):
// the sum over j != y divided by C = 4 (not C - 1), weighted by the target's class.
test('multi_margin_loss: p = 1 and p = 2 with class weights and a margin, as PyTorch 1.13', () => {
  const expected = {
    1: { loss: 0.07833333333333331, dx: [0, -0.10833333333333334, 0, 0.10833333333333334, -0.05833333333333333, 0, 0.05833333333333333, 0, 0, 0, 0.16666666666666666, -0.16666666666666666] },
    2: { loss: 0.021333333333333326, dx: [0, -0.02166666666666665, 0, 0.02166666666666665, -0.034999999999999996, 0, 0.034999999999999996, 0, 0, 0, 0.09999999999999998, -0.09999999999999998] },
  }
  for (const p of [1, 2] as const) {
    const r = right(evaluate(op, { p, margin: 0.7 }, { input: xm, target: tm, weight: wm }))
    const v = all(agree('loss', r.loss.data, [expected[p].loss], 1e-15), agree('dinput', r.grads.input.data, expected[p].dx, 1e-15))
    assert.ok(v.ok, v.ok ? '' : v.message)
  }
})

test('multi_margin_loss: a hinge exactly at z = 0 adds nothing and has zero gradient (PyTorch tests z > 0)', () => {
  // z_1 = 1 - 1 + 0 = 0 exactly, z_2 = 1 - 1 + 0.5 = 0.5: loss z_2 / C = 1/6, and only
  // x_2 and x_y move it (torch 1.13 agrees: its gradient is 0 at x_1)
  const r = right(evaluate(op, {}, { input: fromArray([1, 3], [1, 0, 0.5]), target: fromArray([1], [0], 'int64') }))
  assert.ok(Math.abs(r.loss.data[0] - 0.5 / 3) < 1e-16)
  assert.equal(Array.from(r.grads.input.data), [-1 / 3, 0, 1 / 3])
})

test('multi_margin_loss: errors name the argument', () => {
  const attrs = (op.parseAttrs({}) as E.Right<MultiMargin.Attrs>).right
  const arg = (r: E.Either<{ arg: string }, unknown>) => (E.isLeft(r) ? r.left.arg : 'no error')
  assert.is(arg(op.parseAttrs({ p: 3 })), 'attrs.p')
  assert.is(arg(op.parseAttrs({ p: 1.5 })), 'attrs.p')
  assert.is(arg(op.parseAttrs({ margin: 'one' })), 'attrs.margin')
  assert.is(arg(op.parseAttrs({ reduction: 'none', extra: 1 })), 'attrs.extra')
  assert.is(arg(op.forward(attrs, { input: xm, target: fromArray([3], [1, 4, 0], 'int64') })), 'inputs.target')
  assert.is(arg(op.forward(attrs, { input: xm, target: fromArray([2], [1, 0], 'int64') })), 'inputs.target')
  assert.is(arg(op.forward(attrs, { input: fromArray([4], [1, 2, 3, 4]), target: fromArray([1], [0], 'int64') })), 'inputs.input')
  assert.is(arg(op.forward(attrs, { input: xm, target: tm, weight: fromArray([3], [1, 1, 1]) })), 'inputs.weight')
})

test.run()
