/**
 * Unit pins for every tolerance computation the laws and proofs rest on: the
 * gradient-law tolerances (spec/laws/tolerance.ts), the proofs' line bounds
 * (proofs/tolerance.ts), the kernels' error arithmetic and its absolute and
 * relative checks (spec/kernels/bounds.ts, harness.ts), the case format's
 * comparison rule (src/cases/compare.ts), the statistical radii of
 * spec/regularization/expectation.ts and spec/initializers/bounds.ts, and the
 * ulp budgets of spec/accuracy/budgets.ts.
 *
 * A tolerance that quietly gains slack lets every law that uses it pass more
 * than it should, and no law fails. So each helper is held here to its formula,
 * restated independently from the argument in its header, at chosen points, and
 * the constants to their values: any slack added must be added here as well,
 * in the open.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as P from '../../proofs/tolerance.ts'
import { fromArray } from '../../src/core/tensor.ts'
import { compareTensor, defaultTolerance } from '../../src/cases/compare.ts'
import { ACCURACY, ERF_BUDGET, SUBNORMAL, logSoftmaxUlps, softmaxUlps } from '../accuracy/budgets.ts'
import * as IB from '../initializers/bounds.ts'
import * as K from '../kernels/bounds.ts'
import { checkElement } from '../kernels/harness.ts'
import * as L from '../laws/tolerance.ts'
import { hoeffdingDeviation } from '../regularization/expectation.ts'

const test = suite('tolerances: every helper pinned to its formula')

/** a and b agree to a relative 1e-14 (the pins restate formulas; only the order of operations may differ). */
const near = (a: number, b: number, what: string): void =>
  assert.ok(Math.abs(a - b) <= 1e-14 * Math.max(Math.abs(a), Math.abs(b)), `${what}: ${a} vs ${b}`)

test('spec/laws/tolerance.ts: the constants', () => {
  assert.is(L.EPS64, 2 ** -52)
  assert.equal({ ...L.TOL }, { STEP: 1e-5, M3_REL: 1e3, OP_ULPS: 64, KINK_GAP: 1e-3 })
})

test('spec/laws/tolerance.ts: truncation h^2/6 M3_REL (m + sum|g|), rounding (n + 64) eps s / h, and their sum', () => {
  near(L.truncation(1e-5, 1, 2), (1e-10 / 6) * 1e3 * 3, 'truncation')
  near(L.truncation(1e-5, 1, 2), 5e-8, 'truncation, literal')
  near(L.rounding(1e-5, 10, 3), (74 * 2 ** -52 * 3) / 1e-5, 'rounding')
  near(L.rounding(2e-5, 0, 1), 64 * 2 ** -52 / 2e-5, 'rounding with no terms')
  near(L.centralDifferenceTolerance(1e-5, -2, 10, 3), (1e-10 / 6) * 1e3 * 3 + (74 * 2 ** -52 * 3) / 1e-5, 'central difference')
})

test('proofs/tolerance.ts: rounding, roundingEach, exact', () => {
  const r = P.rounding<{ s: number }>(3, (p) => p.s, 'three terms')
  near(r.bound({ s: 2 }, new Float64Array(1), 0), 3 * 2 ** -52 * 2, 'rounding')
  assert.ok(r.text.startsWith('float64 rounding'))
  near(P.roundingEach<null>(2, (_p, i) => i + 1, 'each').bound(null, new Float64Array(5), 4), 2 * 2 ** -52 * 5, 'roundingEach')
  assert.is(P.exact<null>('integers').bound(null, new Float64Array(1), 0), 0)
})

test('proofs/tolerance.ts: stepOf is 1e-5 max(1, |x|)', () => {
  assert.is(P.stepOf(0.5), 1e-5)
  assert.is(P.stepOf(-1), 1e-5)
  near(P.stepOf(-300), 3e-3, 'stepOf(-300)')
})

test('proofs/tolerance.ts: centralDifferences and differenceTolerance (linear: rounding only)', () => {
  const c = [3, -0.5, 2]
  const lin: P.Objective = (x) => ({ f: x.reduce((s, v, j) => s + c[j] * v, 0), n: 3, s: x.reduce((s, v, j) => s + Math.abs(c[j] * v), 0) })
  const x = Float64Array.from([0.25, -2, 7])
  const d = P.centralDifferences(lin, x)
  for (let j = 0; j < 3; j++) {
    const h = P.stepOf(x[j])
    const lt = P.differenceTolerance(() => x, () => lin, true).bound(null, d, j)
    near(lt, L.rounding(h, 3, lin(x).s), `linear tolerance ${j}`)
    assert.ok(Math.abs(d[j] - c[j]) <= lt, `d/dx_${j} = ${d[j]}`)
    const nt = P.differenceTolerance(() => x, () => lin).bound(null, d, j)
    near(nt, L.centralDifferenceTolerance(h, d[j], 3, lin(x).s), `tolerance ${j}`)
  }
})

test('proofs/tolerance.ts: Hoeffding R sqrt(ln(2/delta) / 2M), and the Monte Carlo bound adds M eps magnitude', () => {
  near(P.hoeffding(1, 100, 0.05), Math.sqrt(Math.log(40) / 200), 'hoeffding')
  near(P.hoeffding(1, 100, 0.05), 0.135810151574062, 'hoeffding, literal (sqrt(ln 40 / 200) to 15 digits)')
  const mc = P.monteCarlo<null>(() => 2, () => 1, () => 50, 1e-10, 'pin')
  near(mc.bound(null, new Float64Array(1), 0), 2 * Math.sqrt(Math.log(2e10) / 100) + 50 * 2 ** -52, 'monteCarlo')
})

test('proofs/tolerance.ts: perPoint computes once per point', () => {
  let calls = 0
  const f = P.perPoint((p: { a: number }) => { calls++; return p.a * 2 })
  const p = { a: 3 }
  assert.is(f(p) + f(p) + f(p), 18)
  assert.is(calls, 1)
})

test('spec/kernels/bounds.ts: the float32 constants and gamma', () => {
  assert.equal([K.U, K.ULP, K.FLUSH, K.REF_SLACK, K.NORMAL32], [2 ** -24, 2 ** -23, 2 ** -126, 1e-12, 2 ** -126])
  near(K.gamma(10), (10 * 2 ** -24) / (1 - 10 * 2 ** -24), 'gamma(10)')
})

test('spec/kernels/bounds.ts: each operation charges its WGSL rounding and propagates its operands\' errors', () => {
  const a = K.add(K.exact(1), K.exact(2))
  near(a.e, 2 ** -24 * 3 + 2 ** -126, 'add')
  const t = K.f32(0.1)
  near(t.e, Math.abs(0.1 - Math.fround(0.1)), 'f32 upload')
  const m = K.mul(K.exact(3), t)
  const e0 = 3 * t.e
  near(m.e, e0 + 2 ** -24 * (Math.abs(0.30000000000000004) + e0) + 2 ** -126, 'mul')
  const d = K.div(K.exact(1), K.exact(4))
  near(d.e, 5 * 2 ** -24 * 0.25 + 2 ** -126, 'div: 2.5 ULP')
  const x = K.exp(K.exact(2))
  near(x.e, (3 + 4) * 2 ** -23 * Math.exp(2) + 2 ** -126, 'exp: (3 + 2|x|) ULP')
  const s = K.sum([K.exact(1), K.exact(-2), K.exact(4)])
  near(s.e, K.gamma(2) * 7 + 2 ** -126, 'sum: gamma(n - 1) sum |terms|')
})

test('spec/kernels/bounds.ts and harness.ts: absolute check, relative check, and both together', () => {
  // a loose model: the absolute bound passes 0 against 2.06e-9; the relative budget does not
  const loose = { v: 2.06e-9, e: 1e-8 }
  assert.is(K.check('x', 0, 2.06e-9, loose), undefined)
  assert.ok(K.checkRelative('x', 0, 2.06e-9, 20) !== undefined)
  assert.ok(checkElement('x', 0, 2.06e-9, loose, 20) !== undefined)
  assert.is(checkElement('x', 0, 2.06e-9, loose), undefined, 'no budget: the absolute bound alone')
  // the relative budget: ulps ULP |r| + REF_SLACK |r|, exactly
  const r = 1.5, allowed = (20 * 2 ** -23 + 1e-12) * 1.5
  assert.is(K.checkRelative('x', r + allowed * 0.999, r, 20), undefined)
  assert.ok(K.checkRelative('x', r + allowed * 1.001, r, 20) !== undefined)
  // below the least normal float32 it does not apply (a device may flush)
  assert.is(K.checkRelative('x', 0, 1e-39, 20), undefined)
  assert.ok(K.check('x', 0.5, 0.25, K.exact(0.25)) !== undefined)
})

test('src/cases/compare.ts: the case format\'s tolerances and |a - e| <= atol + rtol |e|', () => {
  assert.equal(defaultTolerance('float32'), { rtol: 1e-4, atol: 1e-5 })
  assert.equal(defaultTolerance('float64'), { rtol: 1e-7, atol: 1e-9 })
  assert.equal(defaultTolerance('int64'), { rtol: 0, atol: 0 })
  const t = { rtol: 1e-7, atol: 1e-9 }
  const e = fromArray([4], [2, NaN, Infinity, -3])
  const edge = 1e-9 + 1e-7 * 2
  assert.is(compareTensor('y', e, fromArray([4], [2 + edge * 0.999, NaN, Infinity, -3]), t), undefined)
  assert.ok(compareTensor('y', e, fromArray([4], [2 + edge * 1.001, NaN, Infinity, -3]), t) !== undefined)
  assert.ok(compareTensor('y', e, fromArray([4], [2, 0, Infinity, -3]), t) !== undefined, 'NaN only against NaN')
  assert.ok(compareTensor('y', e, fromArray([4], [2, NaN, -Infinity, -3]), t) !== undefined, 'an infinity only against itself')
})

test('statistical radii: Hoeffding deviations and the initializer specs\' (B1)-(B6)', () => {
  near(hoeffdingDeviation(4, 1e-9), Math.sqrt((Math.log(2e9) / 2) * 4), 'hoeffdingDeviation')
  assert.is(IB.T, 30)
  near(IB.TAIL, 2 * Math.exp(-30), 'TAIL')
  const [lo, hi] = IB.chiSquare(16)
  near(lo, 16 - 2 * 4 * Math.sqrt(30), 'chi^2 lower')
  near(hi, 16 + 2 * 4 * Math.sqrt(30) + 60, 'chi^2 upper')
  near(IB.gaussianMeanRadius(100, 2), 2 * Math.sqrt(60 / 100), '(B2)')
  near(IB.hoeffdingRadius(100, 2), 2 * Math.sqrt(30 / 200), '(B3)')
  near(IB.rademacherRadius(5), Math.sqrt(300), '(B4)')
  near(IB.lipschitzRadius(3), 3 * Math.sqrt(60), '(B5)')
  near(IB.gaussianOpNorm(4, 9, 0.5), 0.5 * (2 + 3 + Math.sqrt(60)), '(B6)')
})

/** The ulp budgets of spec/accuracy/budgets.ts at x = 1 and x = -30, as their arguments count them. */
const BUDGETS: Readonly<Record<string, readonly [number, number, number, number]>> = {
  // name: [f at 1, f' at 1, f at -30, f' at -30]
  relu: [0, 0, 0, 0],
  leaky_relu: [1, 0, 1, 0],
  sigmoid: [6, 13, 6, 13],
  tanh: [6, 10, 6, 10],
  softsign: [2, 4, 2, 4],
  silu: [7, 15, 7, 15],
  log_sigmoid: [5, 6, 5, 6],
  elu: [3, 3, 3, 3],
  selu: [6, 6, 6, 6],
  softplus: [5, 6, 5, 6],
  softplus_beta2: [5, 6, 5, 6],
}

test('spec/accuracy/budgets.ts: the ulp budgets are what their arguments count', () => {
  for (const a of ACCURACY) {
    const want = BUDGETS[a.name]
    if (want === undefined) continue
    assert.equal([a.f.ulps(1), a.df.ulps(1), a.f.ulps(-30), a.df.ulps(-30)], [...want], a.name)
  }
  const gelu = ACCURACY.find((a) => a.name === 'gelu')!
  // 44 + 2 (2t^2 + 1) + 1 at t = 30 / sqrt 2 (x = -30): t^2 = 450
  near(gelu.f.ulps(-30), 44 + 2 * (2 * 450.00000000000006 + 1) + 1, 'gelu f at -30')
  near(gelu.f.ulps(1), 44 + 2 + 1, 'gelu f at 1 (t < 0: condition 1)')
  assert.is(ERF_BUDGET.ulps, 44)
  assert.is(SUBNORMAL({ ulps: () => 0, why: '' }, 500), 2)
  assert.is(SUBNORMAL({ ulps: () => 0, why: '', underflowGain: Math.abs }, -500), 501)
  near(logSoftmaxUlps(4), 1.4 * 4 + 4, 'log-softmax')
  near(softmaxUlps(4, 3), 1.4 * 4 + 4 + 3, 'softmax')
})

test.run()
