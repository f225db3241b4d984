/**
 * Averaging: ema_update against PyTorch 1.13, AveragedModel's first-step rule
 * in a training run, and the EMA's laws.
 */
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { parseLine } from '../../src/cases/case.ts'
import { evaluate } from '../../src/cases/evaluate.ts'
import { type Tensor, fromArray, make } from '../../src/core/tensor.ts'
import { Averaged, EmaUpdate } from '../../src/averaging/index.ts'
import { sgd } from '../../src/optimizers/sgd.ts'
import type { Params } from '../../src/optimizers/optimizer.ts'
import { tensorOf, value } from '../laws/arbitraries.ts'
import { type Verdict, all, failed, ok } from '../laws/result.ts'
import { EPS64 } from '../laws/tolerance.ts'
import { gradientProperty, property } from '../support/property.ts'

const test = suite('averaging')

test('ema_update passes check on the PyTorch cases (outputs and both gradients, decay 0.999 to 1)', () => {
  const lines = readFileSync(new URL('./torch-1.13.jsonl', import.meta.url), 'utf8').split('\n').filter((l) => l.trim() !== '')
  assert.ok(lines.length >= 5)
  for (const line of lines) {
    const c = parseLine(line)
    if (E.isLeft(c)) return assert.unreachable(c.left.reason)
    const r = evaluate(c.right)
    assert.is(r.status, 'pass', `${c.right.id}: ${r.reason ?? JSON.stringify(r.mismatches)}`)
  }
})

gradientProperty(test, EmaUpdate.op, fc.tuple(value({ min: 0, max: 1 }), tensorOf([2, 3]), tensorOf([2, 3]))
  .map(([decay, average, param]) => ({ attrs: { decay }, inputs: { average, param } })), 50)

/** mse_loss(x W^T + b, y) and its gradient, by hand (the fixture's model). */
const leastSquares = (A: number[], y: number[]) => (p: Params): Params => {
  const w = p.weight.data, b = p.bias.data[0], N = y.length
  const gw = new Float64Array(3)
  let gb = 0
  for (let i = 0; i < N; i++) {
    const r = A[3 * i] * w[0] + A[3 * i + 1] * w[1] + A[3 * i + 2] * w[2] + b - y[i]
    for (let j = 0; j < 3; j++) gw[j] += 2 * r * A[3 * i + j] / N
    gb += 2 * r / N
  }
  return { weight: make([1, 3], gw), bias: make([1], Float64Array.of(gb)) }
}

test('AveragedModel(avg_fn = EMA) around SGD with momentum: the oracle reproduces PyTorch\'s 8 steps (average = params after step 0)', () => {
  const f = JSON.parse(readFileSync(new URL('./torch-1.13-averaged-model.json', import.meta.url), 'utf8'))
  const opt = sgd({ lr: f.lr, momentum: f.momentum })
  if (E.isLeft(opt)) return assert.unreachable()
  const cfg = Averaged.config('ema', { decay: f.decay })
  if (E.isLeft(cfg)) return assert.unreachable()
  const wrapped = Averaged.averaged(opt.right, cfg.right)
  let params: Params = { weight: fromArray([1, 3], f.start.weight), bias: fromArray([1], f.start.bias) }
  let state = wrapped.init(params)
  const grad = leastSquares(f.A, f.b)
  // PyTorch sums the loss's terms in another order (a reduction over 6 rows of
  // O(1) terms): a relative difference of ~6 ulps per gradient, carried by
  // 8 steps of a contraction with lr 0.05: 1e-13 absolute covers it with room.
  const close = (ours: Tensor, theirs: number[], what: string) => theirs.forEach((v, i) => assert.ok(Math.abs(ours.data[i] - v) <= 1e-13, `${what}[${i}]: ${ours.data[i]} vs ${v}`))
  for (let k = 0; k < f.params.length; k++) {
    const r = wrapped.update(grad(params), state, params)
    if (E.isLeft(r)) return assert.unreachable()
    params = r.right.params
    state = r.right.state
    close(params.weight, f.params[k].weight, `params ${k} weight`)
    close(state.average.average!.weight, f.averages[k].weight, `average ${k} weight`)
    close(state.average.average!.bias, f.averages[k].bias, `average ${k} bias`)
  }
  // The first-step rule, pinned on its own: after one update the average IS the parameters.
  const one = Averaged.update(cfg.right, Averaged.empty, { w: fromArray([2], [3, -4]) })
  assert.equal(Array.from(one.average!.w.data), [3, -4])
})

const run = (decay: number, xs: readonly number[]): number[] => {
  let s = Averaged.empty
  const out: number[] = []
  for (const x of xs) {
    s = Averaged.update({ kind: 'ema', decay }, s, { p: fromArray([1], [x]) })
    out.push(s.average!.p.data[0])
  }
  return out
}

property(test, 'EMA of a constant sequence is that constant (to 2 ulps per step: decay c + (1 - decay) c rounds)', fc.tuple(value({ min: 0, max: 1 }), value({ min: -100, max: 100 }), fc.integer({ min: 1, max: 30 })), ([decay, c, n]) => {
  const out = run(decay, Array(n).fill(c))
  return all(...out.map((a, t): Verdict => (Math.abs(a - c) <= 2 * (t + 1) * EPS64 * Math.abs(c) ? ok : failed(`step ${t}: ${a} vs ${c}`))))
}, 100)

property(test, 'EMA equals its closed form a_t = b^t x_0 + (1 - b) sum_{k<t} b^k x_(t-k)', fc.tuple(value({ min: 0, max: 1 }), fc.array(value({ min: -10, max: 10 }), { minLength: 1, maxLength: 25 })), ([b, xs]) => {
  const out = run(b, xs)
  const vs: Verdict[] = []
  for (let t = 0; t < xs.length; t++) {
    let closed = b ** t * xs[0], S = Math.abs(closed)
    for (let k = 0; k < t; k++) { const term = (1 - b) * b ** k * xs[t - k]; closed += term; S += Math.abs(term) }
    // both sides are sums of t + 1 terms, each with a few roundings: (4 t + 4) ulps of the absolute sum S.
    if (!(Math.abs(out[t] - closed) <= 4 * (t + 1) * EPS64 * Math.max(S, 1e-300) * 4)) vs.push(failed(`t = ${t}: recursion ${out[t]}, closed form ${closed}`))
  }
  return all(...vs)
}, 100)

test('averaging config: ema requires decay; unknown kinds and attributes are errors', () => {
  assert.ok(E.isLeft(Averaged.config('ema', {})))
  assert.ok(E.isLeft(Averaged.config('ema', { decay: 0.9, beta: 1 })))
  assert.ok(E.isLeft(Averaged.config('polyak', { decay: 0.9 })))
  assert.ok(E.isRight(Averaged.config('swa', undefined)))
  const bad = EmaUpdate.op.forward({ decay: 0.5 }, { average: make([2], new Float64Array(2)), param: make([3], new Float64Array(3)) })
  assert.ok(E.isLeft(bad))
})

test('swa: the running mean of the parameters', () => {
  let s = Averaged.empty
  for (const x of [1, 2, 3, 6]) s = Averaged.update({ kind: 'swa' }, s, { p: fromArray([1], [x]) })
  assert.is(s.average!.p.data[0], 3)
})

test.run()
