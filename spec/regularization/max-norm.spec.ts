import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as MaxNorm from '../../src/regularization/max-norm.ts'
import { type Tensor, fromArray } from '../../src/core/tensor.ts'
import { tensorOf } from '../laws/arbitraries.ts'
import { failed, ok } from '../laws/result.ts'
import { EPS64, TOL } from '../laws/tolerance.ts'
import { gradientProperty, property } from '../support/property.ts'
import { guard, run } from '../convolution/evaluate.ts'

const test = suite('max_norm')

const rowNorms = (w: Tensor): number[] => {
  const len = w.data.length / w.shape[0]
  return Array.from({ length: w.shape[0] }, (_, r) => Math.sqrt(w.data.slice(r * len, (r + 1) * len).reduce((s, v) => s + v * v, 0)))
}

const caseOf = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 2 }))
  .chain(([r, a, b]) => fc.tuple(tensorOf([r, a, b], { min: -2, max: 2 }), fc.double({ min: 0.05, max: 3, noNaN: true })).map(([w, m]) => ({ w, m })))

property(test, 'max_norm is idempotent: a second application changes nothing, bit for bit', caseOf, ({ w, m }) => guard(() => {
  const once = run(MaxNorm.op, { max_norm: m }, { w }).w, twice = run(MaxNorm.op, { max_norm: m }, { w: once }).w
  for (let i = 0; i < once.data.length; i++) if (!Object.is(once.data[i], twice.data[i])) return failed(`element ${i}: ${once.data[i]} then ${twice.data[i]}`)
  return ok
}), 200)

/** Rows inside the ball (norm <= max_norm, the boundary included) are returned as they are. */
property(test, 'max_norm leaves rows inside the ball (norm <= max_norm) unchanged and bounds every row\'s norm by max_norm', caseOf, ({ w, m }) => guard(() => {
  const out = run(MaxNorm.op, { max_norm: m }, { w }).w
  const before = rowNorms(w), after = rowNorms(out), len = w.data.length / w.shape[0]
  for (let r = 0; r < before.length; r++) {
    if (before[r] <= m) {
      for (let k = 0; k < len; k++) if (!Object.is(out.data[r * len + k], w.data[r * len + k])) return failed(`row ${r} (norm ${before[r]} <= ${m}) changed`)
    } else if (!(after[r] <= m * (1 + 4 * EPS64))) return failed(`row ${r}: norm ${after[r]} after scaling, bound ${m}`) // sqrt of a sum of <= 8 squares: a few ulps
  }
  return ok
}), 200)

// Keep every row's norm away from the bound (the switch is a kink), by 1e-3 relative.
gradientProperty(test, MaxNorm.op, caseOf.filter(({ w, m }) => rowNorms(w).every((n) => Math.abs(n - m) > TOL.KINK_GAP * 10 * (1 + m)))
  .map(({ w, m }) => ({ attrs: { max_norm: m }, inputs: { w } })), 100)

test('max_norm: a row of norm exactly max_norm is unchanged with the identity as its gradient; PyTorch\'s 1e-7 leaves a scaled row just inside', () => {
  const w = fromArray([2, 2], [3, 4, 6, 8])
  const r = MaxNorm.op.forward({ max_norm: 5 }, { w })
  assert.ok(E.isRight(r))
  const y = r.right.outputs.w.data
  assert.equal([y[0], y[1]], [3, 4])
  assert.equal([y[2], y[3]], [6 * 5 / (10 + 1e-7), 8 * 5 / (10 + 1e-7)])
  const g = MaxNorm.op.backward({ max_norm: 5 }, r.right.cache, { w: fromArray([2, 2], [1, -2, 0, 0]) }).w
  assert.equal([g.data[0], g.data[1]], [1, -2])
  assert.ok(E.isLeft(MaxNorm.op.forward({ max_norm: 1 }, { w: fromArray([3], [1, 2, 3]) })), 'a vector is refused, as torch.renorm does')
  assert.ok(E.isLeft(MaxNorm.op.parseAttrs({ max_norm: -1 })))
})

test.run()
