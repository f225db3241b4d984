import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { broadcastShapes, broadcastTo, dot, fromArray, matmul, sizeOf, sumAxes, sumTo, transpose, unravel, stridesOf } from '../../src/core/tensor.ts'
import { shape, tensorOf } from '../laws/arbitraries.ts'
import { failed, ok } from '../laws/result.ts'
import { property } from '../support/property.ts'

const test = suite('tensor core')

// A shape and another that broadcasts to it (some dims set to 1, some leading dims dropped).
const broadcastPair = shape({ maxRank: 4 }).chain((out) =>
  fc.tuple(fc.constant(out), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }), fc.integer({ min: 0, max: out.length })))
  .map(([out, ones, drop]) => ({ out, small: out.map((d, i) => (ones[i] ? 1 : d)).slice(drop) }))

property(test, 'broadcastShapes(small, out) = out when small broadcasts to out', broadcastPair, ({ out, small }) => {
  const b = broadcastShapes(small, out)
  return b !== undefined && b.join() === out.join() ? ok : failed(`${small} vs ${out} gave ${b}`)
})

// sumTo is the adjoint of broadcastTo: <broadcastTo(x), g> = <x, sumTo(g)>.
// Both sides are sums of the same products in a different order: float64
// rounding of n terms, |diff| <= 2 n eps sum|terms| with sum|terms| <= n * 9.
property(test, 'sumTo is the adjoint of broadcastTo', broadcastPair.chain(({ out, small }) => fc.tuple(tensorOf(small), tensorOf(out))), ([x, g]) => {
  const lhs = dot(broadcastTo(x, g.shape), g), rhs = dot(x, sumTo(g, x.shape))
  const n = sizeOf(g.shape)
  return Math.abs(lhs - rhs) <= 2 * n * Number.EPSILON * 9 * n ? ok : failed(`${lhs} vs ${rhs}`)
})

property(test, 'matmul agrees with the textbook triple loop', fc.record({ n: fc.integer({ min: 1, max: 4 }), k: fc.integer({ min: 0, max: 4 }), m: fc.integer({ min: 1, max: 4 }) })
  .chain(({ n, k, m }) => fc.tuple(tensorOf([n, k]), tensorOf([k, m]))), ([a, b]) => {
  const [n, k] = a.shape, m = b.shape[1]
  const y = matmul(a, b)
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) {
    let s = 0
    for (let p = 0; p < k; p++) s += a.data[i * k + p] * b.data[p * m + j]
    if (y.data[i * m + j] !== s) return failed(`y[${i},${j}] = ${y.data[i * m + j]}, expected ${s}`)
  }
  return ok
})

property(test, 'transpose moves element (i, j, k) to its permuted place', tensorOf([2, 3, 4]), (x) => {
  const y = transpose(x, [2, 0, 1])
  for (let f = 0; f < 24; f++) {
    const [i, j, k] = unravel(f, [2, 3, 4])
    const s = stridesOf(y.shape)
    if (y.data[k * s[0] + i * s[1] + j * s[2]] !== x.data[f]) return failed(`element ${f}`)
  }
  return ok
})

test('sumAxes keeps dims on request and reduces the right axes', () => {
  const x = fromArray([2, 3], [1, 2, 3, 4, 5, 6])
  assert.equal(Array.from(sumAxes(x, [0]).data), [5, 7, 9])
  assert.equal(Array.from(sumAxes(x, [-1], true).data), [6, 15])
  assert.equal(sumAxes(x, [-1], true).shape, [2, 1])
})

test('broadcastShapes rejects incompatible shapes', () => {
  assert.is(broadcastShapes([2, 3], [4, 3]), undefined)
  assert.equal(broadcastShapes([2, 1, 3], [4, 1]), [2, 4, 3])
})

test('ops never write to their inputs: matmul, sumTo, transpose leave arguments as they were', () => {
  const a = fromArray([2, 2], [1, 2, 3, 4]), b = fromArray([2, 2], [5, 6, 7, 8])
  const before = [Array.from(a.data), Array.from(b.data)]
  matmul(a, b); sumTo(a, [2]); transpose(a, [1, 0]); broadcastTo(b, [3, 2, 2])
  assert.equal([Array.from(a.data), Array.from(b.data)], before)
})

test.run()
