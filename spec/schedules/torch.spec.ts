/**
 * PyTorch 1.13's schedulers over 300 steps (spec/crosscheck/export_schedules.py
 * wrote the fixtures; CI never runs PyTorch).
 *
 * Two checks per case. `check`'s own evaluation with the format's default
 * float64 tolerance (what an outside user sees). And a tight one: our replay
 * performs the same operations in the same order as PyTorch's Python, so the
 * only differences are Math.cos / Math.pow against glibc's cos / pow (each
 * within 1 ulp of the true value, so within 2 ulps of each other). A chainable
 * step multiplies the current rate by a ratio of such values; a relative
 * perturbation of k ulps per factor compounds to at most n k ulps after n
 * steps, relative to the rates involved, which are at most R = max(lr,
 * max_lr). The cosine's ratio (1 + cos a)/(1 + cos b) has an absolute error of
 * 2 ulps of 1 in each term; multiplied by (lr - eta_min) <= R this is again
 * an error of a few ulps of R per step. So |ours - torch| <= 8 (n + 1) EPS64 R
 * (k = 8 covers 2 ulps in each of the two cos, the division, the products).
 * A planted bug moves a rate by a fraction of itself, 1e9 times more.
 */
import { readFileSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { parseLine } from '../../src/cases/case.ts'
import { evaluate } from '../../src/cases/evaluate.ts'
import { Schedule } from '../../src/schedules/index.ts'
import type { KindAttrs } from '../../src/schedules/kinds.ts'
import { EPS64 } from '../laws/tolerance.ts'

const test = suite('schedules: PyTorch 1.13 golden runs')

const lines = readFileSync(new URL('./torch-1.13.jsonl', import.meta.url), 'utf8').split('\n').filter((l) => l.trim() !== '')

const tight = (ours: ArrayLike<number>, torch: ArrayLike<number>, R: number, id: string): void => {
  assert.is(ours.length, torch.length, `${id}: length`)
  for (let n = 0; n < torch.length; n++) {
    const bound = 8 * (n + 1) * EPS64 * R
    if (!(Math.abs(ours[n] - torch[n]) <= bound)) assert.unreachable(`${id}: after ${n} calls torch ${torch[n]}, ours ${ours[n]} (bound ${bound})`)
  }
}

test('every lr_schedule case passes check (18 configurations, all eight kinds, restarts and past T_max)', () => {
  assert.ok(lines.length >= 18)
  const kinds = new Set<string>()
  for (const line of lines) {
    const c = parseLine(line)
    if (E.isLeft(c)) return assert.unreachable(c.left.reason)
    kinds.add(String(c.right.attrs.kind))
    const r = evaluate(c.right)
    assert.is(r.status, 'pass', `${c.right.id}: ${r.reason ?? JSON.stringify(r.mismatches)}`)
  }
  assert.is(kinds.size, 8)
})

test('the replay agrees with PyTorch within 8 (n + 1) ulps of the largest rate after n calls', () => {
  for (const line of lines) {
    const c = JSON.parse(line)
    const { kind, lr, ...attrs } = c.attrs
    const s = Schedule.parse('spec', kind, attrs)
    if (E.isLeft(s)) return assert.unreachable(JSON.stringify(s.left))
    const torch = c.outputs.lr.data as number[]
    const R = Math.max(lr, attrs.max_lr ?? 0)
    tight(s.right.trajectory(lr, torch.length - 1), torch, R, c.id)
  }
})

test('convention: chainable, not closed form. Without cos in the rule the replay is bitwise PyTorch\'s; the closed forms are not', () => {
  const bitwise = ['step/30-0.5', 'multistep/30-80-150', 'exponential/0.98', 'linear/warmup-40', 'linear/decay-100', 'cyclic/triangular', 'cyclic/triangular2', 'one_cycle/three-phase-linear']
  for (const id of bitwise) {
    const c = JSON.parse(lines.find((l) => l.includes(`"lr_schedule/${id}"`))!)
    const { kind, lr, ...attrs } = c.attrs
    const s = Schedule.parse('spec', kind, attrs)
    if (E.isLeft(s)) return assert.unreachable()
    assert.equal(Array.from(s.right.trajectory(lr, 300)), c.outputs.lr.data, id)
  }
  // The closed forms lr0 gamma^n (exponential) and lr0 (s + (e - s) min(n, T) / T) (linear) miss PyTorch's bits.
  const ex = JSON.parse(lines.find((l) => l.includes('"lr_schedule/exponential/0.98"'))!)
  const lin = JSON.parse(lines.find((l) => l.includes('"lr_schedule/linear/warmup-40"'))!)
  const offEx = (ex.outputs.lr.data as number[]).filter((v, n) => v !== 0.2 * 0.98 ** n).length
  const offLin = (lin.outputs.lr.data as number[]).filter((v, n) => v !== 0.1 * (0.01 + (1 - 0.01) * Math.min(n, 40) / 40)).length
  assert.ok(offEx > 50 && offLin > 5, `closed forms differ at ${offEx} and ${offLin} steps`)
})

test('SequentialLR(linear warm-up, cosine) replays PyTorch, including the restart at the milestone from the base rate', () => {
  const f = JSON.parse(readFileSync(new URL('./torch-1.13-sequential.json', import.meta.url), 'utf8'))
  const parts = f.parts as KindAttrs[]
  const s = Schedule.sequential(parts, f.milestones)
  if (E.isLeft(s)) return assert.unreachable(JSON.stringify(s.left))
  const ours = s.right.trajectory(f.lr, f.lrs.length - 1)
  tight(ours, f.lrs, f.lr, 'sequential')
  // PyTorch's behaviour, pinned: at the milestone the cosine restarts from its closed form at 0, the base rate.
  assert.is(ours[10], f.lr)
  const raw = Schedule.sequentialFromCase(parts.map(({ kind, ...attrs }) => ({ kind, attrs })), f.milestones)
  if (E.isLeft(raw)) return assert.unreachable(JSON.stringify(raw.left))
  assert.equal(Array.from(raw.right.trajectory(f.lr, 300)), Array.from(ours))
  assert.ok(E.isLeft(Schedule.sequentialFromCase([{ kind: 'linear' }, { kind: 'cosine', attrs: { T_max: 5 } }], [])))
  assert.ok(E.isLeft(Schedule.sequentialFromCase([{ kind: 'linear' }, { kind: 'cosine' }], [3])))
})

test('scheduleFromCase gives optimizer step i the rate after i scheduler calls (the fixture at index i)', () => {
  const c = JSON.parse(lines.find((l) => l.includes('cosine_warm_restarts/10x2'))!)
  const { kind, lr, ...attrs } = c.attrs
  const at = Schedule.scheduleFromCase(kind, attrs, lr, 50)
  if (E.isLeft(at)) return assert.unreachable(JSON.stringify(at.left))
  const torch = c.outputs.lr.data as number[]
  for (let i = 0; i < 50; i++) assert.ok(Math.abs(at.right(i) - torch[i]) <= 8 * (i + 1) * EPS64 * lr, `step ${i}`)
  // cyclic ignores the group's rate
  const cy = Schedule.scheduleFromCase('cyclic', { base_lr: 0.01, max_lr: 0.1, step_size_up: 4 }, 123, 10)
  if (E.isLeft(cy)) return assert.unreachable(JSON.stringify(cy.left))
  assert.is(cy.right(0), 0.01)
  // one_cycle beyond total_steps is an error value, not a throw
  assert.ok(E.isLeft(Schedule.scheduleFromCase('one_cycle', { max_lr: 0.1, total_steps: 10 }, 1, 13)))
})

test.run()
