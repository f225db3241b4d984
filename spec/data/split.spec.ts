import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { keyFromSeed } from '../../src/core/random.ts'
import { splitIndices } from '../../src/data/split.ts'
import { type Verdict, all, failed, ok } from '../laws/result.ts'
import { property } from '../support/property.ts'

const test = suite('data: split by key')

const draw = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  n: fc.integer({ min: 0, max: 300 }),
  a: fc.double({ min: 0, max: 1, noNaN: true }),
  b: fc.double({ min: 0, max: 1, noNaN: true }),
}).map(({ seed, n, a, b }) => {
  const test = Math.floor(a * n)
  return { seed, n, sizes: { test, validation: Math.floor(b * (n - test)) } }
})

/** The law: every index 0..n-1 in exactly one part, with the asked sizes, each part ascending. */
export const isPartition = (n: number, parts: Record<string, Int32Array>, sizes: Record<string, number>): Verdict => {
  const seen = new Int32Array(n)
  for (const [name, p] of Object.entries(parts)) {
    if (sizes[name] !== undefined && p.length !== sizes[name]) return failed(`${name} has ${p.length} samples, asked ${sizes[name]}`)
    for (let i = 0; i < p.length; i++) {
      if (!(p[i] >= 0 && p[i] < n)) return failed(`${name}[${i}] = ${p[i]} is not an index of 0..${n - 1}`)
      if (i > 0 && !(p[i - 1] < p[i])) return failed(`${name} is not strictly ascending at ${i}`)
      seen[p[i]] += 1
    }
  }
  const bad = seen.findIndex((c) => c !== 1)
  return bad < 0 ? ok : failed(`index ${bad} is in ${seen[bad]} parts`)
}

property(test, 'split: train, validation and test partition 0..n-1 with the asked sizes', draw, ({ seed, n, sizes }) => {
  const r = splitIndices(keyFromSeed(seed), n, sizes)
  if (E.isLeft(r)) return failed(r.left.expected)
  return isPartition(n, { ...r.right }, { ...sizes, train: n - sizes.test - sizes.validation })
}, 100)

const same = (a: Int32Array, b: Int32Array): boolean => a.length === b.length && a.every((v, i) => v === b[i])

property(test, 'split: the same key gives the same split; the test part does not depend on the validation size', draw, ({ seed, n, sizes }) => {
  const key = keyFromSeed(seed)
  const r1 = splitIndices(key, n, sizes), r2 = splitIndices(key, n, sizes)
  const r3 = splitIndices(key, n, { test: sizes.test, validation: 0 })
  if (E.isLeft(r1) || E.isLeft(r2) || E.isLeft(r3)) return failed('a valid split was refused')
  return all(
    same(r1.right.train, r2.right.train) && same(r1.right.validation, r2.right.validation) && same(r1.right.test, r2.right.test)
      ? ok : failed('two calls with one key gave different splits'),
    same(r1.right.test, r3.right.test) ? ok : failed('the held-out test set moved when the validation size changed'),
  )
}, 100)

test('split: different keys shuffle differently (200 samples: equal test sets have probability 1/C(200, 50))', () => {
  const a = splitIndices(keyFromSeed(1), 200, { test: 50, validation: 50 })
  const b = splitIndices(keyFromSeed(2), 200, { test: 50, validation: 50 })
  assert.ok(E.isRight(a) && E.isRight(b))
  if (E.isRight(a) && E.isRight(b)) assert.not.ok(same(a.right.test, b.right.test))
})

test('split: sizes that do not fit are an error value naming them', () => {
  const r = splitIndices(keyFromSeed(0), 10, { test: 6, validation: 5 })
  assert.ok(E.isLeft(r) && r.left.arg === 'sizes')
  const q = splitIndices(keyFromSeed(0), 10, { test: -1, validation: 5 })
  assert.ok(E.isLeft(q) && q.left.arg === 'sizes.test')
})

test.run()
