import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as Cutmix from '../../src/augmentation/cutmix.ts'
import * as Mixup from '../../src/augmentation/mixup.ts'
import { type Tensor, fromArray, make } from '../../src/core/tensor.ts'
import { probabilities, tensorOf } from '../laws/arbitraries.ts'
import { failed, ok } from '../laws/result.ts'
import { EPS64 } from '../laws/tolerance.ts'
import { gradientProperty, property } from '../support/property.ts'
import { guard, indexImage, int64, run, same } from './support.ts'

const test = suite('augmentation: mixup and cutmix')

const permOf = (n: number) => fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n })

const mixCase = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 4 }))
  .chain(([n, k]) => fc.tuple(tensorOf([n, 2, 2, 2]), probabilities([n, k]), permOf(n), fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([x, target, perm, lam]) => ({ x, target, perm: int64(perm), lam })))

/** Each row is a convex combination of two rows summing to 1: sum = lam s1 + (1 - lam) s2 with s1, s2 = 1 +- K EPS64. */
property(test, 'mixup: mixed label rows still sum to 1 (within (K + 2) EPS64)', mixCase, ({ x, target, perm, lam }) => guard(() => {
  const t = run(Mixup.op, { lam }, { x, target, perm }).target
  const k = t.shape[1]
  for (let n = 0; n < t.shape[0]; n++) {
    let s = 0
    for (let c = 0; c < k; c++) s += t.data[n * k + c]
    if (!(Math.abs(s - 1) <= (2 * k + 4) * EPS64)) return failed(`row ${n} sums to ${s}`)
  }
  return ok
}), 100)

/** 1 * a + 0 * b = a exactly, and 0 * a + 1 * b = b: lam 1 returns (x, t), lam 0 returns (x[perm], t[perm]). */
property(test, 'mixup: lam 1 returns the original pair and lam 0 the partner pair, bit for bit', mixCase, ({ x, target, perm }) => guard(() => {
  const one = run(Mixup.op, { lam: 1 }, { x, target, perm }), zero = run(Mixup.op, { lam: 0 }, { x, target, perm })
  const gather = (t: Tensor) => {
    const row = t.data.length / t.shape[0]
    return make(t.shape, Float64Array.from({ length: t.data.length }, (_, i) => t.data[perm.data[Math.floor(i / row)] * row + (i % row)]))
  }
  for (const v of [same('x at lam 1', one.x, x), same('target at lam 1', one.target, target), same('x at lam 0', zero.x, gather(x)), same('target at lam 0', zero.target, gather(target))]) if (!v.ok) return v
  return ok
}), 100)

gradientProperty(test, Mixup.op, mixCase.map(({ x, target, perm, lam }) => ({ attrs: { lam }, inputs: { x, target, perm } })), 50)

test('mixup and cutmix refuse a perm that is out of range or of the wrong length', () => {
  const x = make([2, 1, 1, 1], Float64Array.of(1, 2)), target = fromArray([2, 2], [1, 0, 0, 1])
  for (const perm of [int64([0, 2]), int64([0]), int64([-1, 0])]) {
    assert.ok(E.isLeft(Mixup.op.forward({ lam: 0.5 }, { x, target, perm })))
    assert.ok(E.isLeft(Cutmix.op.forward({ top: 0, left: 0, height: 1, width: 1 }, { x, target, perm })))
  }
})

// ---------------------------------------------------------------- cutmix

const cutCase = fc.record({ n: fc.integer({ min: 2, max: 3 }), h: fc.integer({ min: 1, max: 5 }), w: fc.integer({ min: 1, max: 5 }) })
  .chain(({ n, h, w }) => fc.record({
    perm: fc.constant(Array.from({ length: n }, (_, i) => (i + 1) % n)), // a derangement: every image has a different partner
    top: fc.integer({ min: -3, max: h + 1 }), left: fc.integer({ min: -3, max: w + 1 }),
    height: fc.integer({ min: 0, max: h + 4 }), width: fc.integer({ min: 0, max: w + 4 }),
  }).map((b) => ({ n, h, w, ...b })))

/**
 * Images hold distinct values, so each output pixel tells where it came from;
 * labels are one-hot per image (class n), so the partner's label mass is
 * 1 - lam. It must equal the pasted fraction (pixels taken from the partner) /
 * (H W): lam = fl(1 - a / P) and 1 - lam carry two roundings of numbers <= 1,
 * so they agree within 2 EPS64; the pixel count and the clipped box area agree exactly.
 */
property(test, 'cutmix: the partner\'s label mass equals the pasted area fraction, and the pasted pixels are exactly the clipped box', cutCase, (c) => guard(() => {
  const x = indexImage(c.n, 2, c.h, c.w)
  const target = make([c.n, c.n], Float64Array.from({ length: c.n * c.n }, (_, i) => (i % (c.n + 1) === 0 ? 1 : 0)))
  const out = run(Cutmix.op, { top: c.top, left: c.left, height: c.height, width: c.width }, { x, target, perm: int64(c.perm) })
  const P = c.h * c.w
  const [r0, r1, c0, c1] = [Math.max(c.top, 0), Math.min(c.top + c.height, c.h), Math.max(c.left, 0), Math.min(c.left + c.width, c.w)]
  const area = Math.max(r1 - r0, 0) * Math.max(c1 - c0, 0)
  for (let n = 0; n < c.n; n++) {
    let pasted = 0
    for (let ch = 0; ch < 2; ch++) for (let i = 0; i < c.h; i++) for (let j = 0; j < c.w; j++) {
      const v = out.x.data[((n * 2 + ch) * c.h + i) * c.w + j]
      const mine = x.data[((n * 2 + ch) * c.h + i) * c.w + j], theirs = x.data[((c.perm[n] * 2 + ch) * c.h + i) * c.w + j]
      const inBox = i >= r0 && i < r1 && j >= c0 && j < c1
      if (v !== (inBox ? theirs : mine)) return failed(`image ${n} (${ch}, ${i}, ${j}): ${v}, expected ${inBox ? 'partner' : 'own'} pixel`)
      if (ch === 0 && v === theirs) pasted++
    }
    if (pasted !== area) return failed(`image ${n}: ${pasted} pixels pasted, clipped box area ${area}`)
    const mass = out.target.data[n * c.n + c.perm[n]]
    if (!(Math.abs(mass - pasted / P) <= 2 * EPS64)) return failed(`image ${n}: partner label mass ${mass}, pasted fraction ${pasted / P}`)
    const own = out.target.data[n * c.n + n]
    if (!(Math.abs(own + mass - 1) <= 2 * EPS64)) return failed(`image ${n}: label masses ${own} + ${mass} != 1`)
  }
  return ok
}), 100)

test.run()
