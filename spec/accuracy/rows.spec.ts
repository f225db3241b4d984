/**
 * Log-sum-exp in ulps: log_softmax, softmax and cross entropy (whose
 * log-softmax is its own, src/losses/cross-entropy.ts (1)) on rows with
 * spreads from 1 to 1e4 and common offsets up to 1e6, against 200-bit mpmath
 * (./table.json, ./reference.py), plus the laws that need no table: a row of
 * -1000s (or +1000s) stays finite, and adding a large constant to every logit
 * changes nothing.
 *
 * Every law runs on each path of the op (reference and fast, ./paths.ts).
 * Budgets (./budgets.ts): log-softmax in ulps of |y| + 1, (1.4 n + 4);
 * softmax in ulps of y, (1.4 n + 4 + (m - x_k)), plus 2 for a subnormal y
 * (e_k underflowed by half a gap, divided by s >= 1, rounded once more).
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { formatError } from '../../src/core/errors.ts'
import { type Op, vjp } from '../../src/core/op.ts'
import { fromArray } from '../../src/core/tensor.ts'
import { lookup } from '../../src/registry.ts'
import { failed, ok } from '../laws/result.ts'
import { property } from '../support/property.ts'
import { ceGradUlps, logSoftmaxUlps, logSoftmaxVjpUlps, softmaxUlps, softmaxVjpUlps } from './budgets.ts'
import { paths } from './paths.ts'
import { type Exact, MIN_NORMAL, TABLE, ulp } from './ulp.ts'

const test = suite('accuracy: log-sum-exp rows (log_softmax, softmax, cross_entropy) in ulps')

const op = (name: string): Op => {
  const o = lookup(name)
  if (o === undefined) throw new Error(`no op ${name}`)
  return o
}

const run = (o: Op, attrs: Record<string, unknown>, inputs: Record<string, ReturnType<typeof fromArray>>, out: string): Float64Array => {
  const a = o.parseAttrs(attrs)
  if (E.isLeft(a)) throw new Error(formatError(a.left))
  const r = o.forward(a.right, inputs)
  if (E.isLeft(r)) throw new Error(formatError(r.left))
  return r.right.outputs[out].data
}

/** Each law runs on every path of the op (reference and fast, ./paths.ts). */
type Impl = readonly [string, Op]
const LS = paths(op('log_softmax')), SM = paths(op('softmax')), CE = paths(op('cross_entropy'))

const logSoftmax = ([, o]: Impl, x: readonly number[]): Float64Array => run(o, {}, { x: fromArray([x.length], x) }, 'y')
const softmax = ([, o]: Impl, x: readonly number[]): Float64Array => run(o, {}, { x: fromArray([x.length], x) }, 'y')
/** -CE of a one-row batch with class target k, reduction none: the log-probability of class k. */
const ceLogp = ([, o]: Impl, x: readonly number[], k: number): number =>
  -run(o, { reduction: 'none' }, { input: fromArray([1, x.length], x), target: fromArray([1], [k], 'int64') }, 'loss')[0]

const hi = (e: Exact): number => e[0] as number

/** |y - exact| in ulps of |exact| + 1. */
const lsErr = (y: number, e: Exact): number => Math.abs((y - hi(e)) - e[1]) / ulp(Math.abs(hi(e)) + 1)

const report = (what: string, bad: string[]): void => assert.ok(bad.length === 0, `${what}:\n  ${bad.slice(0, 5).join('\n  ')}`)

test('log_softmax rows within (1.4 n + 4) ulps of |y| + 1, offsets to 1e6 and -1000s included', () => {
  const bad: string[] = []
  for (const impl of LS) for (const r of TABLE.rows) {
    const y = logSoftmax(impl, r.x), n = r.x.length
    for (let k = 0; k < n; k++) {
      const err = lsErr(y[k], r.log_softmax[k])
      if (!(err <= logSoftmaxUlps(n))) bad.push(`[${impl[0]}] row [${r.x}], k ${k}: ${y[k]} vs ${hi(r.log_softmax[k])}, ${err.toPrecision(3)} ulps`)
    }
  }
  report('log_softmax over budget', bad)
})

test('cross_entropy\'s own log-softmax within the same budget: -CE(x, k) = log_softmax(x)_k', () => {
  const bad: string[] = []
  for (const impl of CE) for (const r of TABLE.rows) {
    const n = r.x.length
    for (let k = 0; k < n; k++) {
      const v = ceLogp(impl, r.x, k)
      const err = lsErr(v, r.log_softmax[k])
      if (!(err <= logSoftmaxUlps(n))) bad.push(`[${impl[0]}] row [${r.x}], class ${k}: -CE ${v} vs ${hi(r.log_softmax[k])}, ${err.toPrecision(3)} ulps`)
    }
  }
  report('cross_entropy over budget', bad)
})

test('softmax rows within (1.4 n + 4 + (m - x_k)) ulps, subnormal and underflowed entries included', () => {
  const bad: string[] = []
  for (const impl of SM) for (const r of TABLE.rows) {
    const y = softmax(impl, r.x), n = r.x.length, m = Math.max(...r.x)
    for (let k = 0; k < n; k++) {
      const e = r.softmax[k]
      const err = Math.abs((y[k] - hi(e)) - e[1]) / ulp(hi(e))
      const allowed = softmaxUlps(n, m - r.x[k]) + (Math.abs(hi(e)) < MIN_NORMAL ? 2 : 0)
      if (!(err <= allowed)) bad.push(`[${impl[0]}] row [${r.x}], k ${k}: ${y[k]} vs ${hi(e)}, ${err.toPrecision(3)} ulps > ${allowed}`)
    }
  }
  report('softmax over budget', bad)
})

/** Each path's VJP of an op on one row, with cotangent `g` on its one output. */
const vjpOf = ([, o]: Impl, attrs: Record<string, unknown>, inputs: Record<string, ReturnType<typeof fromArray>>, cot: Record<string, ReturnType<typeof fromArray>>, wrt: string): Float64Array => {
  const a = o.parseAttrs(attrs)
  if (E.isLeft(a)) throw new Error(formatError(a.left))
  const r = vjp(o, a.right, inputs, cot)
  if (E.isLeft(r)) throw new Error(formatError(r.left))
  return r.right.gradients[wrt]!.data
}

/** |got - exact| in ulps of max(|exact|, scale) within `ulps`, or a message. */
const gradErr = (got: number, e: Exact, scale: number, ulps: number, what: string): string | undefined => {
  const s = Math.max(Math.abs(hi(e)), scale)
  const err = Math.abs((got - hi(e)) - e[1]) / ulp(s)
  return err <= ulps + (s < MIN_NORMAL ? 2 : 0) ? undefined : `${what}: ${got} vs ${hi(e)}, ${err.toPrecision(3)} ulps of ${s.toPrecision(3)} > ${ulps.toPrecision(3)}`
}

test('the VJPs of log_softmax and softmax (cotangent 1..n) within (2.4 n + 7) and (4.2 n + 8 + gap) ulps of their terms', () => {
  const bad: string[] = []
  for (const r of TABLE.rows) {
    const n = r.x.length, m = Math.max(...r.x)
    const g = Array.from({ length: n }, (_v, k) => k + 1), sg = g.reduce((a, b) => a + b, 0)
    const x = fromArray([n], r.x), cot = { y: fromArray([n], g) }
    for (const impl of LS) {
      const dx = vjpOf(impl, {}, { x }, cot, 'x')
      for (let k = 0; k < n; k++) {
        const msg = gradErr(dx[k], r.log_softmax_vjp[k], g[k] + sg, logSoftmaxVjpUlps(n), `log_softmax' [${impl[0]}] row [${r.x}] k ${k}`)
        if (msg) bad.push(msg)
      }
    }
    for (const impl of SM) {
      const dx = vjpOf(impl, {}, { x }, cot, 'x')
      for (let k = 0; k < n; k++) {
        const yk = hi(r.softmax[k])
        const msg = gradErr(dx[k], r.softmax_vjp[k], yk * (g[k] + sg), softmaxVjpUlps(n, m - r.x[k]), `softmax' [${impl[0]}] row [${r.x}] k ${k}`)
        if (msg) bad.push(msg)
      }
    }
  }
  report('VJPs over budget', bad)
})

test('cross_entropy\'s gradient softmax - onehot within (1.4 n + 5 + gap) ulps of p_k + [k = t]', () => {
  const bad: string[] = []
  for (const impl of CE) for (const r of TABLE.rows) {
    const n = r.x.length, m = Math.max(...r.x), t = r.ce_target
    const dx = vjpOf(impl, { reduction: 'sum' }, { input: fromArray([1, n], r.x), target: fromArray([1], [t], 'int64') }, { loss: fromArray([], [1]) }, 'input')
    for (let k = 0; k < n; k++) {
      const msg = gradErr(dx[k], r.ce_grad[k], hi(r.softmax[k]) + (k === t ? 1 : 0), ceGradUlps(n, m - r.x[k]), `CE' [${impl[0]}] row [${r.x}] k ${k}`)
      if (msg) bad.push(msg)
    }
  }
  report('cross entropy gradient over budget', bad)
})

test('a row of -1000s (and of +1000s) stays finite: log-sum-exp shifted by the row maximum', () => {
  for (const v of [-1000, 1000, -1e300, 1e300]) {
    const row = [v, v, v, v]
    for (const impl of LS) for (const y of logSoftmax(impl, row)) assert.is(y, -Math.log(4), `log_softmax [${impl[0]}] of a row of ${v}s: ${y}`)
    for (const impl of SM) for (const y of softmax(impl, row)) assert.is(y, 0.25, `softmax [${impl[0]}] of a row of ${v}s: ${y}`)
    for (const impl of CE) for (let k = 0; k < 4; k++) assert.is(ceLogp(impl, row, k), -Math.log(4), `cross entropy [${impl[0]}] of a row of ${v}s`)
  }
})

/**
 * Shift invariance with every value exact: logits on the grid 2^-20 in [-16, 16]
 * and c = +-2^j, 10 <= j <= 30, so x + c needs at most 51 bits and is exact.
 * Both results are then within the log-softmax budget of one exact value:
 * |CE(x + c) - CE(x)| <= 2 (1.4 n + 4) ulps of |CE| + 1 (a large offset that
 * leaked into the result would cost ulp(c) ~ 2^(j-52), up to 2^21 ulps).
 */
const row = fc.array(fc.integer({ min: -(2 ** 24), max: 2 ** 24 }).map((i) => i / 2 ** 20), { minLength: 1, maxLength: 6 })
const shift = fc.tuple(fc.integer({ min: 10, max: 30 }), fc.boolean()).map(([j, s]) => (s ? 1 : -1) * 2 ** j)

property(test, 'CE(x + c) = CE(x) and log_softmax(x + c) = log_softmax(x) for |c| up to 2^30', fc.tuple(row, shift, fc.nat()), ([x, c, t]) => {
  const n = x.length, k = t % n
  const xc = x.map((v) => v + c)
  for (const impl of CE) {
    const a = ceLogp(impl, x, k), b = ceLogp(impl, xc, k)
    const tol = 2 * logSoftmaxUlps(n) * ulp(Math.abs(a) + 1)
    if (!(Math.abs(a - b) <= tol)) return failed(`CE [${impl[0]}]: ${-a} at x, ${-b} at x + ${c} (difference ${Math.abs(a - b)} > ${tol})`)
  }
  for (const impl of LS) {
    const la = logSoftmax(impl, x)[k], lb = logSoftmax(impl, xc)[k]
    const tol = 2 * logSoftmaxUlps(n) * ulp(Math.abs(la) + 1)
    if (!(Math.abs(la - lb) <= tol)) return failed(`log_softmax [${impl[0]}]: ${la} at x, ${lb} at x + ${c}`)
  }
  return ok
}, 150)

test.run()
