/**
 * Laws of the schedules, over drawn attributes (fixed seeds, spec/support/property.ts).
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { make } from '../../src/core/tensor.ts'
import { LrSchedule, Schedule } from '../../src/schedules/index.ts'
import { type Verdict, all, failed, ok } from '../laws/result.ts'
import { EPS64 } from '../laws/tolerance.ts'
import { property } from '../support/property.ts'

const test = suite('schedules: laws')

const traj = (kind: string, attrs: Record<string, unknown>, lr: number, n: number): Float64Array => {
  const s = Schedule.parse('spec', kind, attrs)
  if (E.isLeft(s)) throw new Error(JSON.stringify(s.left))
  return s.right.trajectory(lr, n)
}

const near = (a: number, b: number, tol: number, what: string): Verdict =>
  Math.abs(a - b) <= tol ? ok : failed(`${what}: ${a} vs ${b} (tolerance ${tol})`)

// SGDR: cycle i has length T_0 T_mult^i and starts at step T_0 (T_mult^i - 1) / (T_mult - 1) (T_0 i when T_mult = 1).
property(test, 'SGDR: starts every cycle at the base rate, decreases strictly inside it, ends within (b - m) pi^2 / (4 T_i^2) of eta_min, and with T_mult 1 is periodic', fc.record({
  T_0: fc.integer({ min: 2, max: 12 }), T_mult: fc.integer({ min: 1, max: 3 }),
  base: fc.double({ min: 0.01, max: 2, noNaN: true }), frac: fc.double({ min: 0, max: 0.9, noNaN: true }),
}), ({ T_0, T_mult, base, frac }) => {
  const m = base * frac
  const n = 120
  const lrs = traj('cosine_warm_restarts', { T_0, T_mult, eta_min: m }, base, n)
  const vs: Verdict[] = []
  // Each rate is m + (b - m)(1 + cos)/2: a few roundings of numbers <= b, so 4 ulps of b.
  const tol = 4 * EPS64 * base
  let start = 0, Ti = T_0
  while (start <= n) {
    vs.push(near(lrs[start], base, tol, `cycle start ${start}`))
    const end = Math.min(start + Ti - 1, n)
    for (let k = start + 1; k <= end; k++) if (!(lrs[k] < lrs[k - 1])) vs.push(failed(`not decreasing at ${k} in the cycle from ${start}: ${lrs[k - 1]} -> ${lrs[k]}`))
    if (start + Ti - 1 <= n) {
      // 1 + cos(pi (T - 1)/T) = 1 - cos(pi/T) <= (pi/T)^2 / 2, so the last rate is at most m + (b - m)(pi/T)^2/4 above m.
      const last = lrs[start + Ti - 1]
      if (!(last >= m - tol && last - m <= (base - m) * Math.PI ** 2 / (4 * Ti * Ti) + tol)) vs.push(failed(`cycle from ${start} ends at ${last}, not near eta_min ${m}`))
    }
    start += Ti
    Ti *= T_mult
  }
  if (T_mult === 1) for (let k = 0; k + T_0 <= n; k++) if (lrs[k + T_0] !== lrs[k]) vs.push(failed(`not periodic: lr(${k}) = ${lrs[k]}, lr(${k + T_0}) = ${lrs[k + T_0]}`))
  return all(...vs)
}, 60)

property(test, 'step: the rate changes exactly at multiples of step_size, by gamma', fc.record({
  step_size: fc.integer({ min: 1, max: 9 }), gamma: fc.double({ min: 0.05, max: 0.95, noNaN: true }), lr: fc.double({ min: 0.01, max: 1, noNaN: true }),
}), ({ step_size, gamma, lr }) => {
  const lrs = traj('step', { step_size, gamma }, lr, 40)
  const vs: Verdict[] = [lrs[0] === lr ? ok : failed(`lr(0) = ${lrs[0]}`)]
  for (let n = 1; n <= 40; n++) {
    const milestone = n % step_size === 0
    if (milestone ? lrs[n] !== lrs[n - 1] * gamma : lrs[n] !== lrs[n - 1]) vs.push(failed(`step ${n}: ${lrs[n - 1]} -> ${lrs[n]} (milestone ${milestone})`))
  }
  return all(...vs)
}, 60)

property(test, 'multistep: the rate changes exactly at the milestones, by gamma', fc.record({
  ms: fc.uniqueArray(fc.integer({ min: 1, max: 39 }), { minLength: 1, maxLength: 5 }), gamma: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
}), ({ ms, gamma }) => {
  const milestones = [...ms].sort((a, b) => a - b)
  const lrs = traj('multistep', { milestones, gamma }, 0.5, 40)
  const vs: Verdict[] = []
  for (let n = 1; n <= 40; n++) {
    const hit = milestones.includes(n)
    if (hit ? lrs[n] !== lrs[n - 1] * gamma : lrs[n] !== lrs[n - 1]) vs.push(failed(`step ${n}: ${lrs[n - 1]} -> ${lrs[n]} (milestone ${hit})`))
  }
  return all(...vs)
}, 60)

property(test, 'one-cycle: starts at max_lr/div, peaks at step pct_start N - 1, ends at max_lr/(div final_div)', fc.record({
  N: fc.integer({ min: 10, max: 200 }), pct: fc.double({ min: 0.1, max: 0.8, noNaN: true }),
  strategy: fc.constantFrom('cos', 'linear'), max_lr: fc.double({ min: 0.01, max: 1, noNaN: true }),
}), ({ N, pct, strategy, max_lr }) => {
  const lrs = traj('one_cycle', { max_lr, total_steps: N, pct_start: pct, anneal_strategy: strategy }, 1, N - 1)
  const peak = pct * N - 1
  let arg = 0
  for (let k = 1; k < lrs.length; k++) if (lrs[k] > lrs[arg]) arg = k
  const tol = 8 * EPS64 * max_lr
  return all(
    Math.floor(peak) <= arg && arg <= Math.ceil(peak) ? ok : failed(`peak at step ${arg}, expected floor/ceil of ${peak}`),
    Number.isInteger(peak) ? near(lrs[peak], max_lr, tol, 'rate at the peak') : ok,
    near(lrs[0], max_lr / 25, tol, 'first rate'),
    near(lrs[N - 1], max_lr / 25 / 1e4, tol, 'last rate'),
  )
}, 60)

test('one_cycle past total_steps and negative steps are invalid; a huge step is unsupported, not a hang', () => {
  const a = (raw: Record<string, unknown>) => { const r = LrSchedule.op.parseAttrs(raw); if (E.isLeft(r)) throw new Error(); return r.right }
  const oc = a({ kind: 'one_cycle', max_lr: 0.1, total_steps: 10 })
  assert.ok(E.isRight(LrSchedule.op.forward(oc, { step: make([1], Float64Array.of(10), 'int64') })))
  const past = LrSchedule.op.forward(oc, { step: make([1], Float64Array.of(11), 'int64') })
  assert.ok(E.isLeft(past) && past.left._tag === 'Invalid')
  const neg = LrSchedule.op.forward(a({ kind: 'exponential', gamma: 0.9 }), { step: make([1], Float64Array.of(-1), 'int64') })
  assert.ok(E.isLeft(neg) && neg.left._tag === 'Invalid')
  const huge = LrSchedule.op.forward(a({ kind: 'exponential', gamma: 0.9 }), { step: make([1], Float64Array.of(1e12), 'int64') })
  assert.ok(E.isLeft(huge) && huge.left._tag === 'Unsupported')
  for (const bad of [{ kind: 'nope' }, { kind: 'step' }, { kind: 'step', step_size: 0 }, { kind: 'multistep', milestones: [5, 3] },
    { kind: 'linear', start_factor: 0 }, { kind: 'cosine', T_max: 10, foo: 1 }, { kind: 'one_cycle', max_lr: 1, total_steps: 10, pct_start: 0.1 }]) {
    assert.ok(E.isLeft(LrSchedule.op.parseAttrs(bad)), JSON.stringify(bad))
  }
})

test('cosine past T_max keeps following the cosine (period 2 T_max), as PyTorch does', () => {
  const lrs = traj('cosine', { T_max: 10, eta_min: 0 }, 1, 40)
  assert.ok(Math.abs(lrs[10]) < 1e-15)
  assert.ok(Math.abs(lrs[20] - 1) < 1e-12 && Math.abs(lrs[30]) < 1e-12)
})

test.run()
