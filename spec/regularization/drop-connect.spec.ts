import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as DropConnect from '../../src/regularization/drop-connect.ts'
import { formatError } from '../../src/core/errors.ts'
import type { Tensors } from '../../src/core/op.ts'
import { keyFromSeed, normal, split, uniform } from '../../src/core/random.ts'
import { type Tensor, fromArray, make, ones } from '../../src/core/tensor.ts'
import { real, realTensor } from './arbitraries.ts'
import { type Differentiable, gradientLaw } from '../laws/gradient.ts'
import { type Verdict, failed, ok } from '../laws/result.ts'
import { EPS64 } from '../laws/tolerance.ts'
import { property } from '../support/property.ts'
import { expectOverMasks, hoeffdingDeviation } from './expectation.ts'

const test = suite('drop-connect')

const unwrap = <A>(r: E.Either<Parameters<typeof formatError>[0], A>): A => {
  if (E.isLeft(r)) throw new Error(formatError(r.left))
  return r.right
}

/** The layer at a fixed config and mask, as a function of (x, weight, bias?) for the gradient law. */
const layer = (cfg: DropConnect.Config, mask: Tensor | undefined): Differentiable => {
  const run = (ins: Tensors) => unwrap(DropConnect.forward(cfg)({ weight: ins.weight, bias: ins.bias }, ins.x, mask))
  return {
    forward: (ins) => run(ins).outputs,
    vjp: (ins, cot) => ({ ...DropConnect.backward(run(ins).cache, cot.y) }),
  }
}

const bits = (n: number) => fc.array(fc.constantFrom(0, 1), { minLength: n, maxLength: n })

const dcCase = fc.record({
  lead: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), inF: fc.integer({ min: 1, max: 4 }), outF: fc.integer({ min: 1, max: 4 }),
  bias: fc.boolean(), p: real(0, 1), training: fc.boolean(), inverted: fc.boolean(),
}).chain(({ lead, inF, outF, bias, p, training, inverted }) => fc.record({
  x: realTensor([...lead, inF]), weight: realTensor([outF, inF]), b: realTensor([outF]), m: bits(outF * inF), seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
}).map(({ x, weight, b, m, seed }) => ({
  cfg: { p, training, inverted }, inputs: (bias ? { x, weight, bias: b } : { x, weight }) as Tensors,
  mask: training ? fromArray([outF, inF], m, 'bool') : undefined, seed,
})))

property(test, 'drop-connect: gradient law (x, weight, bias at a fixed mask)', dcCase, ({ cfg, inputs, mask, seed }) => {
  const fn = layer(cfg, mask)
  const y = fn.forward(inputs).y
  return gradientLaw(fn, inputs, { y: normal(keyFromSeed(seed), y.shape) }, { wrt: Object.keys(inputs), key: keyFromSeed(seed + 1) })
})

/**
 * Mean training output over all 2^(out in) weight masks against the
 * evaluation output. Each sampled y = x W~^T + b is a sum of in + 1 terms
 * whose absolute sum is at most B = |x| |W|^T smax + |b| (smax the largest
 * multiplier, 1/(1-p) or 1): relative error (in + 3) u on B (the products
 * s m w and x w~ add two roundings). The weighted sum over N masks adds
 * (N + n) u B with n = out in bits (./expectation.ts), and the evaluation
 * output its own (in + 3) u B. In EPS64 = 2u units, (N + n + 2 in + 6) EPS64 B,
 * plus as many MIN_VALUE for roundings that underflow.
 * p = 1 is excluded for the inverted form (no 1/(1-p); training is all zeros by convention).
 */
const smallCase = (inverted: boolean) => fc.record({
  inF: fc.integer({ min: 1, max: 3 }), outF: fc.integer({ min: 1, max: 2 }), bias: fc.boolean(),
  p: inverted ? real(0, 0.9) : real(0, 1),
}).chain(({ inF, outF, bias, p }) => fc.record({ x: realTensor([2, inF]), weight: realTensor([outF, inF]), b: realTensor([outF]) })
  .map(({ x, weight, b }) => ({ p, inverted, x, params: bias ? { weight, bias: b } : { weight } as DropConnect.Params })))

const expectationLaw = ({ p, inverted, x, params }: { p: number; inverted: boolean; x: Tensor; params: DropConnect.Params }): Verdict => {
  const [outF, inF] = params.weight.shape
  const n = outF * inF
  const ex = expectOverMasks(n, 1 - p, (m) => {
    const r = DropConnect.forward({ p, training: true, inverted })(params, x, make([outF, inF], m, 'bool'))
    return E.isRight(r) ? r.right.outputs.y.data : Float64Array.of(NaN)
  })
  const ev = DropConnect.forward({ p, training: false, inverted })(params, x)
  if (E.isLeft(ev)) return failed(formatError(ev.left))
  const y = ev.right.outputs.y.data
  const smax = inverted && p < 1 ? 1 / (1 - p) : 1
  for (let i = 0; i < y.length; i++) {
    const r = Math.floor(i / outF), o = i % outF
    let B = params.bias ? Math.abs(params.bias.data[o]) : 0
    for (let j = 0; j < inF; j++) B += Math.abs(x.data[r * inF + j] * params.weight.data[o * inF + j]) * smax
    const tol = (ex.masks + n + 2 * inF + 6) * (EPS64 * B + Number.MIN_VALUE)
    if (!(Math.abs(ex.mean[i] - y[i]) <= tol)) return failed(`E[y_train][${i}] = ${ex.mean[i]}, y_eval = ${y[i]}, |diff| > ${tol}`)
  }
  return ok
}

property(test, 'vanilla drop-connect: evaluation at (1 - p) W is the exact mean training output over all weight masks', smallCase(false), expectationLaw)
property(test, 'inverted drop-connect: the mean training output over all weight masks is the evaluation output (W itself)', smallCase(true), expectationLaw)

property(test, 'training: dW vanishes exactly where the mask drops a weight', dcCase.filter((c) => c.cfg.training), ({ cfg, inputs, mask }) => {
  const fwd = DropConnect.forward(cfg)({ weight: inputs.weight, bias: inputs.bias }, inputs.x, mask)
  if (E.isLeft(fwd)) return failed(formatError(fwd.left))
  const g = DropConnect.backward(fwd.right.cache, ones(fwd.right.outputs.y.shape))
  for (let i = 0; i < g.weight.data.length; i++) if (mask!.data[i] === 0 && g.weight.data[i] !== 0) return failed(`dW[${i}] = ${g.weight.data[i]} for a dropped weight`)
  return ok
})

/**
 * Key-drawn masks: with x = 1 [1, in] and W = 1 [1, in], y = s K where K is
 * the number of kept weights, K ~ Binomial(in, 1 - p). Hoeffding with ranges
 * 1: |K - (1 - p) in| < sqrt(ln(2/delta) in / 2) except with probability
 * delta = 1e-10; two checks in this file: <= 2e-10 < 1e-9.
 */
test('withKey: the mean training output of a wide layer is within the Hoeffding bound (2 checks at delta 1e-10)', () => {
  const inF = 50_000
  const keys = split(keyFromSeed(99), 2)
  ;[[0.25, true], [0.6, false]].forEach(([p, inverted], j) => {
    const r = DropConnect.withKey({ p: p as number, training: true, inverted: inverted as boolean })(keys[j], { weight: ones([1, inF]) }, ones([1, inF]))
    assert.ok(E.isRight(r))
    if (E.isLeft(r)) return
    const s = inverted ? 1 / (1 - (p as number)) : 1
    const K = r.right.outputs.y.data[0] / s
    const t = hoeffdingDeviation(inF, 1e-10)
    assert.ok(Math.abs(K - (1 - (p as number)) * inF) < t, `kept ${K}, expected ${(1 - (p as number)) * inF} +- ${t}`)
  })
})

test('evaluation needs no mask and draws none; training without one is an error value', () => {
  const x = uniform(keyFromSeed(1), [2, 3], -1, 1), weight = uniform(keyFromSeed(2), [4, 3], -1, 1)
  const ev = DropConnect.withKey({ p: 0.5, training: false, inverted: true })(keyFromSeed(3), { weight }, x)
  assert.ok(E.isRight(ev) && ev.right.mask === undefined)
  const tr = DropConnect.forward({ p: 0.5, training: true, inverted: true })({ weight }, x)
  assert.ok(E.isLeft(tr) && tr.left.arg === 'mask')
  const badMask = DropConnect.forward({ p: 0.5, training: true, inverted: true })({ weight }, x, fromArray([4, 3], Array(12).fill(2)))
  assert.ok(E.isLeft(badMask))
  const badShape = DropConnect.forward({ p: 0.5, training: false, inverted: true })({ weight: ones([4, 2]) }, x)
  assert.ok(E.isLeft(badShape) && badShape.left.arg === 'params.weight')
})

property(test, 'drop-connect never writes into its inputs', dcCase, ({ cfg, inputs, mask }) => {
  const all = { ...inputs, ...(mask ? { mask } : {}) }
  const before = Object.fromEntries(Object.entries(all).map(([k, t]) => [k, Float64Array.from(t.data)]))
  const fwd = DropConnect.forward(cfg)({ weight: inputs.weight, bias: inputs.bias }, inputs.x, mask)
  if (E.isLeft(fwd)) return failed(formatError(fwd.left))
  DropConnect.backward(fwd.right.cache, ones(fwd.right.outputs.y.shape))
  for (const [k, t] of Object.entries(all)) if (!t.data.every((v, i) => Object.is(v, before[k][i]))) return failed(`input ${k} was modified`)
  return ok
})

test.run()
