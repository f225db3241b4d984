/**
 * Every initializer's distribution: mean, variance and, for the bounded ones,
 * the exact support, on samples large enough that the bounds of ./bounds.ts
 * separate the right formula from its classic mistakes (gain 1 for 2, fan_out
 * for fan_in, a missing sqrt(3)): at n = 73 728 draws a variance is pinned to
 * about +-4%, and those mistakes move it by 50% to 300%.
 * Each check's false-failure probability is TAIL = 2e^{-30} per tail event;
 * the ledger's test at the end keeps the file's total below 1e-10.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { keyFromSeed, normal as draw } from '../../src/core/random.ts'
import type { Shape, Tensor } from '../../src/core/tensor.ts'
import { fans } from '../../src/initializers/fans.ts'
import { constant, zeros } from '../../src/initializers/constant.ts'
import { glorotNormal, glorotUniform } from '../../src/initializers/glorot.ts'
import { kaimingNormal, kaimingUniform } from '../../src/initializers/kaiming.ts'
import { normal } from '../../src/initializers/normal.ts'
import { uniform } from '../../src/initializers/uniform.ts'
import { TRUNCATED_STD, varianceScaling } from '../../src/initializers/variance-scaling.ts'
import { xavier } from '../../src/initializers/xavier.ts'
import { denseForward } from '../../src/initializers/dense.ts'
import { all, assertLaw, type Verdict } from '../laws/result.ts'
import { seedOf } from '../support/property.ts'
import {
  budget, chiSquare, frob2, gaussianMeanRadius, gramFrobenius, hoeffdingRadius, ledger, meanOf, quadraticForm, within,
} from './bounds.ts'

const test = suite('initializers: moments')
const L = ledger()

const EPS = Number.EPSILON
/** A conv weight [K, C, kh, kw]: fan_in = 64*9 = 576, fan_out = 128*9 = 1152, 73 728 draws. */
const CONV: Shape = [128, 64, 3, 3]
/** A linear weight [out, in]: fan_in = 200, fan_out = 300, 60 000 draws. */
const LINEAR: Shape = [300, 200]

const keyOf = (name: string) => keyFromSeed(seedOf(name))
const get = (r: E.Either<unknown, Tensor>): Tensor => {
  if (E.isLeft(r)) throw new Error(`initializer failed: ${JSON.stringify(r.left)}`)
  return r.right
}

/**
 * w iid N(mu, s^2): mean by (B2); sum (w - mu)^2 / s^2 ~ chi^2_n by (B1).
 * Two tail events.
 */
const normalLaw = (label: string, w: Tensor, mu: number, s: number): Verdict => {
  const n = w.data.length
  let ss = 0
  for (const v of w.data) ss += (v - mu) * (v - mu)
  const [lo, hi] = chiSquare(n)
  return all(
    within(L, `${label}: mean`, meanOf(w.data), mu - gaussianMeanRadius(n, s), mu + gaussianMeanRadius(n, s)),
    within(L, `${label}: sum (w - mu)^2 / sigma^2 (chi^2_${n})`, ss / (s * s), lo, hi),
  )
}

/**
 * w iid on [lo, hi] with known mean mu and variance v (uniform, truncated normal):
 *   support: exact, up to the rounding of the bound's two formulas (ours and
 *   the initializer's, each a handful of correctly rounded operations: 8 ulps);
 *   mean: (B3) with range hi - lo;  (w - mu)^2 in [0, r^2], r = max(hi - mu, mu - lo): (B3).
 * Two tail events.
 */
const boundedLaw = (label: string, w: Tensor, lo: number, hi: number, mu: number, v: number): Verdict => {
  const n = w.data.length
  const slack = 8 * EPS * Math.max(Math.abs(lo), Math.abs(hi))
  let wmin = Infinity, wmax = -Infinity, ss = 0
  for (const x of w.data) { wmin = Math.min(wmin, x); wmax = Math.max(wmax, x); ss += (x - mu) * (x - mu) }
  const r = Math.max(hi - mu, mu - lo)
  const support = wmin >= lo - slack && wmax <= hi + slack
    ? { ok: true as const }
    : { ok: false as const, message: `${label}: draws span [${wmin}, ${wmax}], outside [${lo}, ${hi}]` }
  return all(
    support,
    within(L, `${label}: mean`, meanOf(w.data), mu - hoeffdingRadius(n, hi - lo), mu + hoeffdingRadius(n, hi - lo)),
    within(L, `${label}: mean (w - mu)^2`, ss / n, v - hoeffdingRadius(n, r * r), v + hoeffdingRadius(n, r * r)),
  )
}

const SQRT2 = Math.SQRT2
const fanAvg = (s: Shape) => { const f = fans(s); if (E.isLeft(f)) throw new Error('fans'); return (f.right.fanIn + f.right.fanOut) / 2 }

interface NormalCase { name: string; draw: (k: ReturnType<typeof keyOf>) => E.Either<unknown, Tensor>; mu: number; s: number }
interface BoundedCase { name: string; draw: (k: ReturnType<typeof keyOf>) => E.Either<unknown, Tensor>; lo: number; hi: number; mu: number; v: number }

// Expected values written from the papers' / PyTorch's formulas, not from our code's.
const normals: NormalCase[] = [
  { name: 'normal (defaults: std 0.01)', draw: (k) => normal(k, LINEAR), mu: 0, s: 0.01 },
  { name: 'normal mean 0.5 std 2', draw: (k) => normal(k, LINEAR, { mean: 0.5, std: 2 }), mu: 0.5, s: 2 },
  { name: 'lecture xavier: std 1/sqrt(fan_in), conv', draw: (k) => xavier(k, CONV), mu: 0, s: 1 / Math.sqrt(576) },
  { name: 'lecture xavier gain 2, linear', draw: (k) => xavier(k, LINEAR, { gain: 2 }), mu: 0, s: 2 / Math.sqrt(200) },
  { name: 'glorot normal: std sqrt(2/(fan_in+fan_out)), conv', draw: (k) => glorotNormal(k, CONV), mu: 0, s: Math.sqrt(2 / (576 + 1152)) },
  { name: 'glorot normal gain 5/3, linear', draw: (k) => glorotNormal(k, LINEAR, { gain: 5 / 3 }), mu: 0, s: (5 / 3) * Math.sqrt(2 / 500) },
  { name: 'kaiming normal defaults (leaky_relu, a = 0 -> gain sqrt 2, fan_in), conv', draw: (k) => kaimingNormal(k, CONV), mu: 0, s: SQRT2 / Math.sqrt(576) },
  { name: 'kaiming normal relu fan_out, conv', draw: (k) => kaimingNormal(k, CONV, { nonlinearity: 'relu', mode: 'fan_out' }), mu: 0, s: SQRT2 / Math.sqrt(1152) },
  { name: 'kaiming normal tanh (gain 5/3), linear', draw: (k) => kaimingNormal(k, LINEAR, { nonlinearity: 'tanh' }), mu: 0, s: (5 / 3) / Math.sqrt(200) },
  { name: 'kaiming normal leaky_relu a = 0.2, conv', draw: (k) => kaimingNormal(k, CONV, { a: 0.2 }), mu: 0, s: Math.sqrt(2 / 1.04) / Math.sqrt(576) },
  { name: 'kaiming normal linear (gain 1), linear', draw: (k) => kaimingNormal(k, LINEAR, { nonlinearity: 'linear' }), mu: 0, s: 1 / Math.sqrt(200) },
  // ConvTranspose2d(128, 64, 3) stores [C_in = 128, C_out = 64, 3, 3]; PyTorch's fan_in reads dim 1:
  // 64 * 9 = 576, not the 128 * 9 inputs that feed one output of the transposed conv (stride 1)
  { name: 'kaiming normal on a transposed-conv weight: fan_in = C_out * k^2 (dim 1), as PyTorch', draw: (k) => kaimingNormal(k, CONV, { nonlinearity: 'relu' }), mu: 0, s: SQRT2 / Math.sqrt(64 * 9) },
  { name: 'variance scaling scale 0.5, fan_out, normal, conv', draw: (k) => varianceScaling(k, CONV, { scale: 0.5, mode: 'fan_out', distribution: 'normal' }), mu: 0, s: Math.sqrt(0.5 / 1152) },
  { name: 'variance scaling scale 2, fan_avg, normal, linear', draw: (k) => varianceScaling(k, LINEAR, { scale: 2, mode: 'fan_avg', distribution: 'normal' }), mu: 0, s: Math.sqrt(2 / 250) },
]

const bgl = (fi: number, fo: number, g = 1) => g * Math.sqrt(6 / (fi + fo))
const bk = (g: number, fan: number) => (Math.sqrt(3) * g) / Math.sqrt(fan)
const tr = (s: number) => ({ lo: -2 * s / TRUNCATED_STD, hi: 2 * s / TRUNCATED_STD, mu: 0, v: s * s })

const boundeds: BoundedCase[] = [
  { name: 'uniform a = -1, b = 3', draw: (k) => uniform(k, LINEAR, { a: -1, b: 3 }), lo: -1, hi: 3, mu: 1, v: 16 / 12 },
  { name: 'uniform defaults [0, 1)', draw: (k) => uniform(k, CONV), lo: 0, hi: 1, mu: 0.5, v: 1 / 12 },
  { name: 'glorot uniform: bound sqrt(6/(fan_in+fan_out)), conv', draw: (k) => glorotUniform(k, CONV), lo: -bgl(576, 1152), hi: bgl(576, 1152), mu: 0, v: bgl(576, 1152) ** 2 / 3 },
  { name: 'glorot uniform gain sqrt 2, linear', draw: (k) => glorotUniform(k, LINEAR, { gain: SQRT2 }), lo: -bgl(200, 300, SQRT2), hi: bgl(200, 300, SQRT2), mu: 0, v: bgl(200, 300, SQRT2) ** 2 / 3 },
  { name: 'kaiming uniform defaults: bound sqrt(3) sqrt(2)/sqrt(fan_in), conv', draw: (k) => kaimingUniform(k, CONV), lo: -bk(SQRT2, 576), hi: bk(SQRT2, 576), mu: 0, v: 2 / 576 },
  { name: 'kaiming uniform selu (gain 3/4) fan_out, conv', draw: (k) => kaimingUniform(k, CONV, { nonlinearity: 'selu', mode: 'fan_out' }), lo: -bk(0.75, 1152), hi: bk(0.75, 1152), mu: 0, v: 0.5625 / 1152 },
  { name: 'kaiming uniform a = sqrt 5 (PyTorch layer default): U(+-1/sqrt(fan_in)), linear', draw: (k) => kaimingUniform(k, LINEAR, { a: Math.sqrt(5) }), lo: -1 / Math.sqrt(200), hi: 1 / Math.sqrt(200), mu: 0, v: 1 / 600 },
  { name: 'variance scaling defaults (scale 1, fan_in, truncated normal), conv', draw: (k) => varianceScaling(k, CONV), ...tr(1 / Math.sqrt(576)) },
  { name: 'variance scaling scale 3, fan_avg, truncated normal, linear', draw: (k) => varianceScaling(k, LINEAR, { scale: 3, mode: 'fan_avg', distribution: 'truncated_normal' }), ...tr(Math.sqrt(3 / fanAvg(LINEAR))) },
  { name: 'variance scaling scale 3, fan_avg, uniform, conv', draw: (k) => varianceScaling(k, CONV, { scale: 3, mode: 'fan_avg', distribution: 'uniform' }), lo: -Math.sqrt(9 / 864), hi: Math.sqrt(9 / 864), mu: 0, v: 3 / 864 },
]

for (const c of normals) test(`${c.name}: mean and variance`, () => { assertLaw(normalLaw(c.name, get(c.draw(keyOf(c.name))), c.mu, c.s)) })
for (const c of boundeds) test(`${c.name}: support, mean and variance`, () => { assertLaw(boundedLaw(c.name, get(c.draw(keyOf(c.name))), c.lo, c.hi, c.mu, c.v)) })

test('zeros and constant are exactly constant', () => {
  const z = get(zeros(keyOf('z'), CONV))
  assert.ok(z.data.every((v) => v === 0) && z.data.length === 73728)
  const c = get(constant(keyOf('c'), [3, 4], { value: -0.25 }))
  assert.ok(c.data.every((v) => v === -0.25))
  assert.ok(E.isLeft(constant(keyOf('c'), [3, 4], {})), 'constant needs a value')
})

test('the truncated-normal correction C is the std of N(0, 1) truncated to [-2, 2]', () => {
  // Var = 1 - 2 * 2 phi(2) / (Phi(2) - Phi(-2)); erf(sqrt 2) by its Taylor series
  // (alternating, terms < 2^n/n! <= 2, so rounding stays below 1e-15)
  let erf = 0, term = Math.SQRT2
  for (let k = 0; k < 60; k++) { erf += term / (2 * k + 1); term *= -2 / (k + 1) }
  erf *= 2 / Math.sqrt(Math.PI)
  const phi2 = Math.exp(-2) / Math.sqrt(2 * Math.PI)
  const c = Math.sqrt(1 - (4 * phi2) / erf)
  assert.ok(Math.abs(c - TRUNCATED_STD) < 1e-15, `${c} vs ${TRUNCATED_STD}`)
})

test('initializers are pure functions of the key: same key, same tensor; another key, another', () => {
  const k = keyOf('purity')
  for (const f of [xavier, glorotNormal, glorotUniform, kaimingNormal, kaimingUniform, varianceScaling] as const) {
    const a = get(f(k, [20, 30])), b = get(f(k, [20, 30])), c = get(f(keyOf('purity 2'), [20, 30]))
    assert.ok(a.data.every((v, i) => Object.is(v, b.data[i])))
    assert.ok(a.data.some((v, i) => v !== c.data[i]))
  }
})

test('bad shapes and options are error values that name the argument', () => {
  const k = keyOf('errors')
  const cases: [E.Either<{ arg: string }, Tensor>, string][] = [
    [kaimingNormal(k, [5]), 'shape'],
    [xavier(k, [3, -1]), 'shape'],
    [glorotUniform(k, [2.5, 3] as unknown as Shape), 'shape'],
    [kaimingNormal(k, [4, 4], { nonlinearity: 'swish' }), 'options.nonlinearity'],
    [kaimingNormal(k, [4, 4], { mode: 'fan_avg' as 'fan_in' }), 'options.mode'],
    [varianceScaling(k, [4, 4], { distribution: 'cauchy' as 'normal' }), 'options.distribution'],
    [varianceScaling(k, [4, 4], { scale: -1 }), 'options.scale'],
    [normal(k, [4, 4], { std: -0.1 }), 'options.std'],
    [normal(k, [4, 4], { std: Number.NaN }), 'options.std'],
    [uniform(k, [4, 4], { a: 2, b: 1 }), 'options.b'],
    [xavier(k, [2 ** 14, 2 ** 14]), 'shape'],
  ]
  for (const [r, arg] of cases) {
    assert.ok(E.isLeft(r), `expected an error for ${arg}`)
    if (E.isLeft(r)) assert.is(r.left.arg, arg)
  }
  // zero-element weights: a no-op in PyTorch, an empty tensor here
  const empty = get(kaimingUniform(k, [0, 3]))
  assert.equal(empty.shape, [0, 3])
})

/**
 * Var(sum_i w_i x_i) = n Var(w) Var(x) for independent zero-mean w, x: the
 * identity every fan-based init is built on. Y = X W^T, X [B, n] iid N(0, 1),
 * W [m, n] from the initializer; mean(Y^2) should be n Var(w).
 * In two stages, each with its own bound:
 *  (i) given W, vec(Y) is Gaussian with E sum Y^2 = B ||W||_F^2 and
 *      sum Y^2 = sum_s x_s^T (W^T W) x_s, a quadratic form whose coefficients are
 *      the eigenvalues of W^T W, each repeated B times: (B1) with
 *      |a|_2 = sqrt(B) ||W^T W||_F and |a|_inf <= ||W^T W||_F.
 *  (ii) ||W||_F^2 around m n Var(w): chi^2_{mn} (B1) for a normal W, Hoeffding
 *      (B3) on w^2 in [0, b^2] for a uniform one.
 * Together: mean(Y^2) / (n Var(w)) lies in [lo_i lo_ii, hi_i hi_ii]. Three tail events.
 */
const productLaw = (label: string, w: Tensor, varW: number, uniformBound?: number): Verdict => {
  const [m, n] = w.shape
  const B = 400
  const x = draw(keyOf(`${label} x`), [B, n])
  const y = denseForward(x.data, w.data, B, n, m)
  const sumY2 = frob2(y)
  const wf2 = frob2(w.data)
  const g = gramFrobenius(w.data, m, n)
  const [lo1, hi1] = quadraticForm(B * wf2, Math.sqrt(B) * g, g)
  const [lo2, hi2] = uniformBound === undefined
    ? chiSquare(m * n).map((v) => v * varW)
    : [-1, 1].map((s) => m * n * (varW + s * hoeffdingRadius(m * n, uniformBound ** 2)))
  const ratio = sumY2 / (B * m) / (n * varW)
  return all(
    within(L, `${label}: sum Y^2 given W`, sumY2, lo1, hi1),
    within(L, `${label}: ||W||_F^2`, wf2, lo2, hi2),
    within(L, `${label}: mean(Y^2) / (n Var w Var x)`, ratio, (lo1 / (B * wf2)) * (lo2 / (m * n * varW)), (hi1 / (B * wf2)) * (hi2 / (m * n * varW)), 0),
  )
}

test('Var(sum w_i x_i) = n Var(w) Var(x): lecture xavier weights', () => {
  const w = get(xavier(keyOf('product xavier'), [200, 300]))
  assertLaw(productLaw('xavier', w, 1 / 300))
})

test('Var(sum w_i x_i) = n Var(w) Var(x): glorot uniform weights', () => {
  const w = get(glorotUniform(keyOf('product glorot'), [200, 300]))
  const b = Math.sqrt(6 / 500)
  assertLaw(productLaw('glorot uniform', w, b * b / 3, b))
})

test('false-failure budget of this file', () => { assertLaw(budget(L)) })

test.run()
