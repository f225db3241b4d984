/**
 * Laws of ensembles: identical members, normalization, Jensen, bootstrap
 * inclusion, snapshots at the ends of SGDR cycles.
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { keyFromSeed, split } from '../../src/core/random.ts'
import { type Tensor, fromArray } from '../../src/core/tensor.ts'
import { Bagging, Combine, Snapshot } from '../../src/ensembles/index.ts'
import { Schedule } from '../../src/schedules/index.ts'
import { tensorOf } from '../laws/arbitraries.ts'
import { type Verdict, all, failed, ok } from '../laws/result.ts'
import { EPS64 } from '../laws/tolerance.ts'
import { property } from '../support/property.ts'

const test = suite('ensembles')

const get = (r: E.Either<unknown, Tensor>): Tensor => { if (E.isLeft(r)) throw new Error(JSON.stringify(r.left)); return r.right }
const members = (m: number) => fc.array(tensorOf([3, 4], { min: -6, max: 6 }), { minLength: m, maxLength: m })

property(test, 'an ensemble of m identical members equals the member (both combinations), to m ulps of the probabilities', fc.tuple(tensorOf([3, 4], { min: -6, max: 6 }), fc.integer({ min: 1, max: 7 })), ([z, m]) => {
  const single = get(Combine.averageProbabilities([z]))
  const copies = Array(m).fill(z)
  const byP = get(Combine.averageProbabilities(copies)), byZ = get(Combine.averageLogits(copies))
  // summing m equal numbers and dividing by m: at most m roundings of the running sum, each <= 1 ulp of m p.
  return all(...Array.from(single.data, (p, i): Verdict =>
    Math.abs(byP.data[i] - p) <= 2 * m * EPS64 * p && Math.abs(byZ.data[i] - p) <= 8 * m * EPS64 * p ? ok : failed(`entry ${i}: member ${p}, by probabilities ${byP.data[i]}, by logits ${byZ.data[i]}`)))
}, 80)

property(test, 'ensemble probabilities sum to 1 per row (within C + m ulps) and lie in [0, 1]', fc.tuple(fc.integer({ min: 1, max: 5 }).chain((m) => members(m))), ([zs]) => {
  const vs: Verdict[] = []
  for (const p of [get(Combine.averageProbabilities(zs)), get(Combine.averageLogits(zs))]) {
    for (let n = 0; n < 3; n++) {
      let s = 0
      for (let c = 0; c < 4; c++) { const v = p.data[n * 4 + c]; s += v; if (!(v >= 0 && v <= 1)) vs.push(failed(`p[${n}, ${c}] = ${v}`)) }
      if (Math.abs(s - 1) > (4 + zs.length) * 4 * EPS64) vs.push(failed(`row ${n} sums to ${s}`))
    }
  }
  return all(...vs)
}, 80)

property(test, 'Jensen: CE(mean of the members\' probabilities) <= mean of the members\' CE', fc.tuple(fc.integer({ min: 2, max: 5 }).chain((m) => members(m)), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 3, maxLength: 3 })), ([zs, labels]) => {
  const ens = Combine.crossEntropyOfProbabilities(get(Combine.averageProbabilities(zs)), labels)
  const each = zs.map((z) => Combine.crossEntropyOfProbabilities(get(Combine.averageProbabilities([z])), labels))
  const meanCe = each.reduce((a, b) => a + b, 0) / each.length
  // Equality only for identical members; rounding of the logs and means: 16 ulps of the larger side.
  return ens <= meanCe + 16 * EPS64 * Math.max(1, Math.abs(meanCe)) ? ok : failed(`ensemble CE ${ens} > mean CE ${meanCe}`)
}, 80)

test('bootstrap: a given point is drawn with probability 1 - (1 - 1/n)^n, within a Hoeffding bound', () => {
  // B independent bootstrap samples of n = 20 points (keys split from one seed). For a fixed point the
  // inclusion indicator is Bernoulli(q), q = 1 - (1 - 1/n)^n = 0.6415; Hoeffding: P(|mean - q| >= t)
  // <= 2 exp(-2 B t^2). Two points are checked (the first and the last index, where off-by-one bugs
  // show), so each gets half of the false-failure budget 1e-9: t = sqrt(ln(4e9) / (2B)) = 0.0333 for B = 10000.
  const n = 20, B = 10_000
  const q = Bagging.inclusionProbability(n)
  const t = Math.sqrt(Math.log(4e9) / (2 * B))
  const keys = split(keyFromSeed(14), B)
  let first = 0, last = 0
  for (const k of keys) {
    const s = Bagging.bootstrap(k, n)
    if (s.includes(0)) first++
    if (s.includes(n - 1)) last++
  }
  assert.ok(Math.abs(first / B - q) < t, `point 0 drawn in ${first / B} of samples, expected ${q} +- ${t}`)
  assert.ok(Math.abs(last / B - q) < t, `point ${n - 1} drawn in ${last / B} of samples, expected ${q} +- ${t}`)
  assert.ok(Math.abs(q - 0.6415140775914581) < 1e-15)
})

test('bags: one sample per member, deterministic in the key, different across members', () => {
  const a = Bagging.bags(keyFromSeed(3), 10, 4), b = Bagging.bags(keyFromSeed(3), 10, 4)
  assert.is(a.length, 4)
  assert.equal(a.map((x) => Array.from(x)), b.map((x) => Array.from(x)))
  assert.not.equal(Array.from(a[0]), Array.from(a[1]))
  assert.ok(a.every((s) => s.every((i) => i >= 0 && i < 10)))
  assert.equal(Bagging.outOfBag(Int32Array.of(0, 0, 2), 4), [1, 3])
})

property(test, 'snapshot steps end the SGDR cycles: the rate at a snapshot step is its cycle\'s minimum, and the next step restarts at the base', fc.record({ T_0: fc.integer({ min: 1, max: 8 }), T_mult: fc.integer({ min: 1, max: 3 }), k: fc.integer({ min: 1, max: 80 }) }), ({ T_0, T_mult, k }) => {
  const at = Schedule.scheduleFromCase('cosine_warm_restarts', { T_0, T_mult, eta_min: 0.001 }, 0.1, k + 1)
  if (E.isLeft(at)) return failed('schedule')
  const snaps = Snapshot.snapshotSteps(T_0, T_mult, k)
  const vs: Verdict[] = []
  let start = 0
  for (const i of snaps) {
    for (let j = start; j < i; j++) if (!(at.right(j) >= at.right(i))) vs.push(failed(`step ${j} rate ${at.right(j)} below the snapshot's ${at.right(i)}`))
    if (i + 1 <= k && Math.abs(at.right(i + 1) - 0.1) > 1e-15) vs.push(failed(`step ${i + 1} does not restart: ${at.right(i + 1)}`))
    start = i + 1
  }
  // every complete cycle has a snapshot: the next cycle would not fit in k steps
  const nextLen = T_0 * T_mult ** snaps.length
  if (start + nextLen <= k) vs.push(failed(`a complete cycle from ${start} has no snapshot`))
  return all(...vs)
}, 80)

test('combining checks its members', () => {
  assert.ok(E.isLeft(Combine.averageProbabilities([])))
  assert.ok(E.isLeft(Combine.averageLogits([fromArray([2, 2], [0, 0, 0, 0]), fromArray([2, 3], [0, 0, 0, 0, 0, 0])])))
  assert.ok(E.isLeft(Combine.averageProbabilities([fromArray([4], [0, 0, 0, 0])])))
})

test.run()
