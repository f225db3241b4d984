import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as StochasticDepth from '../../src/regularization/stochastic-depth.ts'
import { formatError } from '../../src/core/errors.ts'
import type { Tensors } from '../../src/core/op.ts'
import { keyFromSeed, normal, split } from '../../src/core/random.ts'
import { type Tensor, fromArray, make, ones } from '../../src/core/tensor.ts'
import { real, realTensor } from './arbitraries.ts'
import { type Differentiable, gradientLaw } from '../laws/gradient.ts'
import { type Verdict, failed, ok } from '../laws/result.ts'
import { EPS64 } from '../laws/tolerance.ts'
import { property } from '../support/property.ts'
import { expectOverMasks, hoeffdingDeviation } from './expectation.ts'

const test = suite('stochastic depth')

const unwrap = <A>(r: E.Either<Parameters<typeof formatError>[0], A>): A => {
  if (E.isLeft(r)) throw new Error(formatError(r.left))
  return r.right
}

const block = (cfg: StochasticDepth.Config, mask: Tensor | undefined): Differentiable => {
  const run = (ins: Tensors) => unwrap(StochasticDepth.forward(cfg)(ins.x, ins.r, mask))
  return {
    forward: (ins) => run(ins).outputs,
    vjp: (ins, cot) => ({ ...StochasticDepth.backward(run(ins).cache, cot.y) }),
  }
}

const mode = fc.constantFrom<StochasticDepth.Mode>('row', 'batch')

const sdCase = fc.record({
  n: fc.integer({ min: 1, max: 4 }), inner: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
  // survival in {0} or [0.01, 1]: a tiny survival makes 1/survival overflow for survivors (a true overflow, not a law's business)
  survival: fc.oneof(fc.constant(0), real(0.01, 1)), training: fc.boolean(), inverted: fc.boolean(), mode,
}).chain(({ n, inner, survival, training, inverted, mode }) => fc.record({
  x: realTensor([n, ...inner]), r: realTensor([n, ...inner]),
  b: fc.array(fc.constantFrom(0, 1), { minLength: n, maxLength: n }), seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
}).map(({ x, r, b, seed }) => ({
  cfg: { survival, training, inverted, mode }, inputs: { x, r } as Tensors,
  mask: training ? fromArray([n], mode === 'row' ? b : b.map(() => b[0]), 'bool') : undefined, seed,
})))

property(test, 'stochastic depth: gradient law (x and the branch output r, at fixed survival bits)', sdCase, ({ cfg, inputs, mask, seed }) => {
  const fn = block(cfg, mask)
  return gradientLaw(fn, inputs, { y: normal(keyFromSeed(seed), inputs.x.shape) }, { wrt: ['x', 'r'], key: keyFromSeed(seed + 1) })
})

/**
 * Mean training output over all survival patterns (2^N in 'row' mode, the two
 * outcomes of the shared bit in 'batch' mode) against the test output, in
 * both conventions. Each sampled y = x + c r has two roundings on the scale
 * B = |x| + cmax |r| (cmax = 1/survival inverted, 1 original); the weighted sum
 * over M patterns of n bits adds (M + n) u B, and the test output two more
 * roundings: (M + n + 6) EPS64 B in EPS64 = 2u units, plus as many
 * MIN_VALUE for roundings that underflow. Survival 0 is excluded for the
 * inverted form (no 1/survival: training skips the branch, test keeps it).
 */
const smallCase = (inverted: boolean) => fc.record({
  n: fc.integer({ min: 1, max: 6 }), inner: fc.integer({ min: 1, max: 3 }), mode,
  survival: inverted ? real(0.05, 1) : real(0, 1),
}).chain(({ n, inner, mode, survival }) => fc.record({ x: realTensor([n, inner]), r: realTensor([n, inner]) })
  .map(({ x, r }) => ({ cfg: { survival, inverted, mode, training: true }, x, r })))

const expectationLaw = ({ cfg, x, r }: { cfg: StochasticDepth.Config; x: Tensor; r: Tensor }): Verdict => {
  const n = x.shape[0]
  const bitsDrawn = cfg.mode === 'row' ? n : 1
  const ex = expectOverMasks(bitsDrawn, cfg.survival, (b) => {
    const mask = make([n], cfg.mode === 'row' ? b : new Float64Array(n).fill(b[0]), 'bool')
    const out = StochasticDepth.forward(cfg)(x, r, mask)
    return E.isRight(out) ? out.right.outputs.y.data : Float64Array.of(NaN)
  })
  const ev = StochasticDepth.forward({ ...cfg, training: false })(x, r)
  if (E.isLeft(ev)) return failed(formatError(ev.left))
  const y = ev.right.outputs.y.data
  const cmax = cfg.inverted ? 1 / cfg.survival : 1
  for (let i = 0; i < y.length; i++) {
    const B = Math.abs(x.data[i]) + cmax * Math.abs(r.data[i])
    const tol = (ex.masks + bitsDrawn + 6) * (EPS64 * B + Number.MIN_VALUE)
    if (!(Math.abs(ex.mean[i] - y[i]) <= tol)) return failed(`E[y_train][${i}] = ${ex.mean[i]}, y_test = ${y[i]}, |diff| > ${tol}`)
  }
  return ok
}

property(test, 'original (Huang et al.): the test output x + survival r is the exact mean training output', smallCase(false), expectationLaw)
property(test, 'inverted (torchvision): the mean training output is the plain residual block x + r', smallCase(true), expectationLaw)

test('conventions pinned: inverted test is x + r, original test is x + survival r, inverted training scales survivors by 1/survival', () => {
  const x = fromArray([2, 2], [1, 2, 3, 4]), r = fromArray([2, 2], [10, 20, 30, 40])
  const inv = unwrap(StochasticDepth.forward({ survival: 0.5, training: false, inverted: true, mode: 'row' })(x, r))
  assert.equal(Array.from(inv.outputs.y.data), [11, 22, 33, 44])
  const orig = unwrap(StochasticDepth.forward({ survival: 0.5, training: false, inverted: false, mode: 'row' })(x, r))
  assert.equal(Array.from(orig.outputs.y.data), [6, 12, 18, 24])
  // torchvision stochastic_depth(p=0.5, 'row') on the branch: values {0, 2} for r = 1
  const tv = unwrap(StochasticDepth.forward({ survival: 0.5, training: true, inverted: true, mode: 'row' })(fromArray([2, 1], [0, 0]), ones([2, 1]), fromArray([2], [1, 0], 'bool')))
  assert.equal(Array.from(tv.outputs.y.data), [2, 0])
  // survival 0: every branch skipped, no division by zero
  const none = unwrap(StochasticDepth.forward({ survival: 0, training: true, inverted: true, mode: 'row' })(x, r, fromArray([2], [0, 0], 'bool')))
  assert.equal(Array.from(none.outputs.y.data), [1, 2, 3, 4])
  // a skipped branch contributes 0 even where 1/survival overflows to Infinity (no 0 * Inf = NaN)
  const tiny = unwrap(StochasticDepth.forward({ survival: 5e-324, training: true, inverted: true, mode: 'row' })(x, r, fromArray([2], [0, 0], 'bool')))
  assert.equal(Array.from(tiny.outputs.y.data), [1, 2, 3, 4])
})

test("'batch' mode shares one bit: sampled masks are constant, and a mixed mask is an error value", () => {
  for (const [j, key] of split(keyFromSeed(5), 20).entries()) {
    const m = StochasticDepth.sampleMask(key, 0.5, 7, 'batch')
    assert.ok(m.data.every((v) => v === m.data[0]), `draw ${j}`)
  }
  const r = StochasticDepth.forward({ survival: 0.5, training: true, inverted: true, mode: 'batch' })(ones([2, 1]), ones([2, 1]), fromArray([2], [1, 0], 'bool'))
  assert.ok(E.isLeft(r))
})

/**
 * 'row' mode keeps each sample with probability `survival`: the survivor count
 * of N = 1e5 samples is Binomial(N, survival); Hoeffding with ranges 1 gives
 * |K - survival N| < sqrt(ln(2/delta) N / 2) except with probability
 * delta = 1e-10; two checks: <= 2e-10 < 1e-9.
 */
test("'row' survival bits: the survivor count is within the Hoeffding bound (2 checks at delta 1e-10)", () => {
  const N = 100_000
  const keys = split(keyFromSeed(77), 2)
  ;[0.2, 0.9].forEach((survival, j) => {
    const m = StochasticDepth.sampleMask(keys[j], survival, N, 'row')
    const K = m.data.reduce((a, b) => a + b, 0)
    const t = hoeffdingDeviation(N, 1e-10)
    assert.ok(Math.abs(K - survival * N) < t, `survival ${survival}: ${K} survivors, expected ${survival * N} +- ${t}`)
  })
})

test('withKey: the output is the block at the drawn bits; no draw at test time', () => {
  const x = normal(keyFromSeed(1), [5, 2]), r = normal(keyFromSeed(2), [5, 2])
  const cfg = { survival: 0.6, training: true, inverted: true, mode: 'row' as const }
  const drawn = unwrap(StochasticDepth.withKey(cfg)(keyFromSeed(3), x, r))
  const direct = unwrap(StochasticDepth.forward(cfg)(x, r, drawn.mask))
  assert.equal(Array.from(drawn.outputs.y.data), Array.from(direct.outputs.y.data))
  assert.is(unwrap(StochasticDepth.withKey({ ...cfg, training: false })(keyFromSeed(3), x, r)).mask, undefined)
})

test('linear decay rule: p_0 = 1, p_L = p_L, linear in between', () => {
  assert.is(StochasticDepth.linearDecay(0, 10, 0.5), 1)
  assert.is(StochasticDepth.linearDecay(10, 10, 0.5), 0.5)
  assert.is(StochasticDepth.linearDecay(5, 10, 0.5), 0.75)
})

property(test, 'stochastic depth never writes into its inputs', sdCase, ({ cfg, inputs, mask }) => {
  const all: Record<string, Tensor> = { ...inputs, ...(mask ? { mask } : {}) }
  const before = Object.fromEntries(Object.entries(all).map(([k, t]) => [k, Float64Array.from(t.data)]))
  const fwd = StochasticDepth.forward(cfg)(inputs.x, inputs.r, mask)
  if (E.isLeft(fwd)) return failed(formatError(fwd.left))
  StochasticDepth.backward(fwd.right.cache, ones(inputs.x.shape))
  for (const [k, t] of Object.entries(all)) if (!t.data.every((v, i) => Object.is(v, before[k][i]))) return failed(`input ${k} was modified`)
  return ok
})

test.run()
