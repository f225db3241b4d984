import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as Dropout from '../../src/regularization/dropout.ts'
import { vjp } from '../../src/core/op.ts'
import { keyFromSeed, split, uniform } from '../../src/core/random.ts'
import { type DType, type Tensor, fromArray, make, ones, sizeOf } from '../../src/core/tensor.ts'
import { shape } from '../laws/arbitraries.ts'
import { real, realTensor } from './arbitraries.ts'
import { type Verdict, failed, ok } from '../laws/result.ts'
import { EPS64 } from '../laws/tolerance.ts'
import { gradientProperty, property } from '../support/property.ts'
import { expectOverMasks, hoeffdingDeviation } from './expectation.ts'

const test = suite('dropout')

const bits = (n: number) => fc.array(fc.constantFrom(0, 1), { minLength: n, maxLength: n })
const probability = fc.oneof(fc.constantFrom(0, 0.5, 1), real(0, 1))
const maskDType = fc.constantFrom<DType>('bool', 'int64', 'float32', 'float64')

/** Any valid case: training cases always carry a mask; evaluation cases sometimes do. */
const dropoutCase = fc.record({ sh: shape({ maxRank: 3, maxDim: 4 }), p: probability, training: fc.boolean(), inverted: fc.boolean(), dtype: maskDType, withMask: fc.boolean() })
  .chain(({ sh, p, training, inverted, dtype, withMask }) => fc.record({ x: realTensor(sh), m: bits(sizeOf(sh)) })
    .map(({ x, m }) => ({ attrs: { p, training, inverted }, inputs: (training || withMask ? { x, mask: fromArray(sh, m, dtype) } : { x }) as Readonly<Record<string, Tensor>> })))

gradientProperty(test, Dropout.op, dropoutCase)

const run = (attrs: Dropout.Attrs, x: Tensor, mask: Tensor | undefined, g: Tensor) =>
  vjp(Dropout.op, attrs, mask === undefined ? { x } : { x, mask }, { y: g })

/** The scale of kept units written from the definition, independently of the module. */
const expectedScale = (a: Dropout.Attrs): number => (a.p === 1 ? 0 : a.inverted ? 1 / (1 - a.p) : 1)

const trainingCase = fc.record({ sh: shape({ maxRank: 3, maxDim: 4 }), p: probability, inverted: fc.boolean(), dtype: maskDType })
  .chain(({ sh, p, inverted, dtype }) => fc.record({ x: realTensor(sh), g: realTensor(sh), m: bits(sizeOf(sh)) })
    .map(({ x, g, m }) => ({ attrs: { p, training: true, inverted }, x, g, mask: fromArray(sh, m, dtype) })))

property(test, 'training with a given mask: y = x * m * s and dx = g * m * s, the same multiplier, s = 1/(1-p) inverted, 1 vanilla', trainingCase, ({ attrs, x, g, mask }) => {
  const r = run(attrs, x, mask, g)
  if (E.isLeft(r)) return failed(JSON.stringify(r.left))
  const s = expectedScale(attrs)
  const { y } = r.right.outputs, dx = r.right.gradients.x
  for (let i = 0; i < x.data.length; i++) {
    const k = mask.data[i] * s
    // Both sides are one rounded product x_i * k (or g_i * k): equal to the bit.
    if (!Object.is(y.data[i], x.data[i] * k)) return failed(`y[${i}] = ${y.data[i]}, expected x * m * s = ${x.data[i] * k}`)
    if (!Object.is(dx.data[i], g.data[i] * k)) return failed(`dx[${i}] = ${dx.data[i]}, expected g * m * s = ${g.data[i] * k}`)
  }
  return ok
})

property(test, 'the backward multiplier is the forward one: with g = 1, dx * x = y', trainingCase, ({ attrs, x, mask }) => {
  const r = run(attrs, x, mask, ones(x.shape))
  if (E.isLeft(r)) return failed(JSON.stringify(r.left))
  const { y } = r.right.outputs, dx = r.right.gradients.x
  for (let i = 0; i < x.data.length; i++) {
    if (!Object.is(dx.data[i] * x.data[i] + 0, y.data[i] + 0)) return failed(`dx[${i}] * x[${i}] = ${dx.data[i] * x.data[i]}, y[${i}] = ${y.data[i]}`)
    if (mask.data[i] === 0 && dx.data[i] !== 0) return failed(`dx[${i}] = ${dx.data[i]} for a dropped unit`)
  }
  return ok
})

/**
 * Mean training output over all 2^n masks against the evaluation output.
 * Tolerance (./expectation.ts): the sum of N = 2^n weighted terms, weights of n
 * factors and outputs of two roundings: (N + n + 2) u sum_k w_k |y_k|, plus one
 * rounding of the evaluation output itself and of 1/(1 - p); in EPS64 = 2u
 * units, (N + n + 4) EPS64 (absMean + |y_eval|) covers both. Each of those
 * roundings may instead underflow into the subnormals, where the error is
 * absolute, at most 2^-1075 (Higham's model with eta): (N + n + 4) MIN_VALUE.
 * p = 1 is excluded for the inverted form: its training output is all zeros by
 * convention while the evaluation output is the identity (1/(1-p) does not exist).
 */
const smallCase = (inverted: boolean) => fc.record({ n: fc.integer({ min: 1, max: 8 }), p: inverted ? real(0, 0.95) : probability })
  .chain(({ n, p }) => realTensor([n]).map((x) => ({ x, p, inverted })))

const expectationLaw = ({ x, p, inverted }: { x: Tensor; p: number; inverted: boolean }): Verdict => {
  const n = x.data.length
  const train = { p, training: true, inverted }
  const ex = expectOverMasks(n, 1 - p, (m) => {
    const r = Dropout.op.forward(train, { x, mask: make([n], m, 'bool') })
    return E.isRight(r) ? r.right.outputs.y.data : Float64Array.of(NaN)
  })
  const ev = Dropout.op.forward({ p, training: false, inverted }, { x })
  if (E.isLeft(ev)) return failed(JSON.stringify(ev.left))
  const y = ev.right.outputs.y.data
  for (let i = 0; i < n; i++) {
    const tol = (ex.masks + n + 4) * (EPS64 * (ex.absMean[i] + Math.abs(y[i])) + Number.MIN_VALUE)
    if (!(Math.abs(ex.mean[i] - y[i]) <= tol)) return failed(`E[y_train][${i}] = ${ex.mean[i]}, y_eval = ${y[i]}, |diff| > ${tol}`)
  }
  return ok
}

property(test, 'vanilla: the evaluation output x (1 - p) is the exact expectation of the training output over all 2^n masks', smallCase(false), expectationLaw)
property(test, 'inverted: the expectation of the training output over all 2^n masks is the evaluation output', smallCase(true), expectationLaw)

property(test, 'inverted evaluation is the identity, to the bit, whatever p and mask', dropoutCase, ({ attrs, inputs }) => {
  const r = Dropout.op.forward({ ...attrs, training: false, inverted: true }, inputs)
  if (E.isLeft(r)) return failed(JSON.stringify(r.left))
  const y = r.right.outputs.y.data
  for (let i = 0; i < y.length; i++) if (!Object.is(y[i], inputs.x.data[i])) return failed(`y[${i}] = ${y[i]}, x = ${inputs.x.data[i]}`)
  return ok
})

/**
 * Large inputs, masks drawn from keys (./expectation.ts, hoeffdingDeviation).
 * With x_i in [0.5, 2] (positive, so that a wrong scale moves the mean by a
 * multiple of sum x, ~1.25e5 here), y_i = x_i m_i k lies in [0, x_i k], and
 * S = sum y_i has E S = k (1 - p) sum x (k = 1/(1-p) inverted, 1 vanilla).
 * Hoeffding: P(|S - E S| >= t) <= 2 exp(-2 t^2 / (k^2 sum x_i^2)); t is set
 * so that this is delta = 1e-11. The keep count K = sum m_i ~ Binomial(n, 1-p)
 * is checked the same way with ranges 1. This file makes 8 such checks, so
 * the chance that any fails for a correct implementation with ideal random
 * bits is <= 8e-11 < 1e-9 (Threefry stands in for ideal bits; the keys are
 * fixed, so the outcome is deterministic).
 */
const DELTA = 1e-11
const N_LARGE = 100_000
const [xKey, ...maskKeys] = split(keyFromSeed(20240611), 9)
const xLarge = uniform(xKey, [N_LARGE], 0.5, 2)
const sumX = xLarge.data.reduce((a, b) => a + b, 0)
const sumX2 = xLarge.data.reduce((a, b) => a + b * b, 0)
const draws = [[0.1, true], [0.3, false], [0.5, true], [0.8, false]] as const

test('key-drawn masks: the sum of the training output is within the Hoeffding bound of its mean (4 checks at delta 1e-11)', () => {
  draws.forEach(([p, inverted], j) => {
    const r = Dropout.withKey({ p, training: true, inverted }, maskKeys[j], xLarge)
    assert.ok(E.isRight(r))
    if (E.isLeft(r)) return
    const k = inverted ? 1 / (1 - p) : 1
    const S = r.right.outputs.y.data.reduce((a, b) => a + b, 0)
    const t = hoeffdingDeviation(k * k * sumX2, DELTA)
    assert.ok(Math.abs(S - k * (1 - p) * sumX) < t, `p ${p} inverted ${inverted}: S = ${S}, E S = ${k * (1 - p) * sumX}, t = ${t}`)
  })
})

test('key-drawn masks keep each unit with probability 1 - p (4 checks at delta 1e-11)', () => {
  draws.forEach(([p], j) => {
    const m = Dropout.sampleMask(maskKeys[4 + j], p, [N_LARGE])
    assert.is(m.dtype, 'bool')
    const K = m.data.reduce((a, b) => a + b, 0)
    const t = hoeffdingDeviation(N_LARGE, DELTA)
    assert.ok(Math.abs(K - (1 - p) * N_LARGE) < t, `p ${p}: kept ${K}, expected ${(1 - p) * N_LARGE} +- ${t}`)
  })
})

test('withKey: the same key gives the same mask, and the output is the op at that mask', () => {
  const key = keyFromSeed(7)
  const x = uniform(keyFromSeed(8), [3, 5], -1, 1)
  const a = Dropout.withKey({ p: 0.4, training: true, inverted: true }, key, x)
  const b = Dropout.withKey({ p: 0.4, training: true, inverted: true }, key, x)
  assert.ok(E.isRight(a) && E.isRight(b))
  if (E.isLeft(a) || E.isLeft(b)) return
  assert.equal(Array.from(a.right.mask!.data), Array.from(b.right.mask!.data))
  const direct = Dropout.op.forward({ p: 0.4, training: true, inverted: true }, { x, mask: a.right.mask })
  assert.ok(E.isRight(direct) && Array.from(direct.right.outputs.y.data).every((v, i) => Object.is(v, a.right.outputs.y.data[i])))
})

test('PyTorch: p = 0.2 keeps units at 1.25 x (values {0, 1.25} for x = 1)', () => {
  const r = Dropout.op.forward({ p: 0.2, training: true, inverted: true }, { x: ones([4]), mask: fromArray([4], [1, 0, 1, 1], 'bool') })
  assert.ok(E.isRight(r) && Array.from(r.right.outputs.y.data).join() === '1.25,0,1.25,1.25')
})

test('p = 1 in training gives all zeros (x * 0: NaN stays NaN, as PyTorch), whatever the mask, in both forms', () => {
  for (const inverted of [true, false]) {
    const r = vjp(Dropout.op, { p: 1, training: true, inverted }, { x: fromArray([4], [1, NaN, -2, 3]), mask: fromArray([4], [1, 1, 0, 1], 'int64') }, { y: ones([4]) })
    assert.ok(E.isRight(r))
    if (E.isLeft(r)) return
    assert.equal(Array.from(r.right.outputs.y.data).map(String), ['0', 'NaN', '0', '0'])
    assert.equal(Array.from(r.right.gradients.x.data).map((v) => v + 0), [0, 0, 0, 0])
  }
})

test('evaluation: identity (inverted) and x (1 - p) (vanilla); the mask is ignored', () => {
  const x = fromArray([3], [1, -2, 4])
  const bad = fromArray([2], [7, 7])
  const inv = Dropout.op.forward({ p: 0.25, training: false, inverted: true }, { x, mask: bad })
  const van = Dropout.op.forward({ p: 0.25, training: false, inverted: false }, { x, mask: bad })
  assert.ok(E.isRight(inv) && E.isRight(van))
  if (E.isRight(inv) && E.isRight(van)) {
    assert.equal(Array.from(inv.right.outputs.y.data), [1, -2, 4])
    assert.equal(Array.from(van.right.outputs.y.data), [0.75, -1.5, 3])
  }
})

test('training with no mask is invalid (fixed numbers need the mask)', () => {
  const r = Dropout.op.forward({ p: 0.5, training: true, inverted: true }, { x: ones([2]) })
  assert.ok(E.isLeft(r) && r.left._tag === 'Invalid' && r.left.arg === 'inputs.mask')
})

test('a mask that is not 0/1, or not x-shaped, is invalid; bool, int64 and float masks are accepted', () => {
  const x = ones([3])
  for (const mask of [fromArray([3], [1, 2, 0], 'int64'), fromArray([3], [1, 0.5, 0]), fromArray([3], [1, NaN, 0]), fromArray([2], [1, 0], 'bool')]) {
    const r = Dropout.op.forward({ p: 0.5, training: true, inverted: true }, { x, mask })
    assert.ok(E.isLeft(r) && r.left._tag === 'Invalid' && r.left.arg === 'inputs.mask', `mask ${Array.from(mask.data)}`)
  }
  for (const dtype of ['bool', 'int64', 'float32', 'float64'] as const) {
    assert.ok(E.isRight(Dropout.op.forward({ p: 0.5, training: true, inverted: true }, { x, mask: fromArray([3], [1, 0, 1], dtype) })))
  }
})

test('attributes: p outside [0, 1] is invalid; defaults p 0.5, training true, inverted true', () => {
  assert.ok(E.isLeft(Dropout.op.parseAttrs({ p: 1.5 })))
  assert.ok(E.isLeft(Dropout.op.parseAttrs({ p: -0.1 })))
  const d = Dropout.op.parseAttrs({})
  assert.ok(E.isRight(d) && d.right.p === 0.5 && d.right.training && d.right.inverted)
})

property(test, 'dropout never writes into its inputs', dropoutCase, ({ attrs, inputs }) => {
  const before = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, Float64Array.from(t.data)]))
  const r = vjp(Dropout.op, attrs, inputs, { y: ones(inputs.x.shape) })
  if (E.isLeft(r)) return failed(JSON.stringify(r.left))
  for (const [k, t] of Object.entries(inputs) as [string, Tensor][]) {
    if (!t.data.every((v, i) => Object.is(v, before[k][i]))) return failed(`input ${k} was modified`)
  }
  return ok
})

test.run()
