/**
 * LSUV (Mishkin & Matas 2016): after calibration every layer's pre-activation
 * output has variance within tol of 1 on the calibration batch; the weights are
 * the orthogonal ones times a positive scalar; nothing given is modified.
 * All deterministic: no statistical bound is involved. Tolerances:
 *  - recomputing Var(z_l) with the Linear op (another summation order) agrees
 *    with LSUV's own value to 1e-12: both are means of B*out squares of sums of
 *    in <= 120 products, each with relative error <= in * u * (sum |terms|)/|sum|,
 *    and through a 4-layer chain that stays below 1e-12 for these O(1) values.
 *  - W W^T (or W^T W) = c^2 I with c^2 the Gram's mean diagonal, to the
 *    orthogonality tolerance of orthogonal.spec.ts (16 p q u), times c^2.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { keyFromSeed, normal as draw, split } from '../../src/core/random.ts'
import { type Tensor, fromArray, make } from '../../src/core/tensor.ts'
import { moments } from '../../src/initializers/dense.ts'
import { calibrate, lsuv } from '../../src/initializers/lsuv.ts'
import { orthogonal } from '../../src/initializers/orthogonal.ts'
import * as Linear from '../../src/layers/linear.ts'
import { seedOf } from '../support/property.ts'

const test = suite('initializers: LSUV')

const U = 2 ** -53
const B = 300
const SHAPES = [[120, 100], [80, 120], [80, 80], [50, 80]]

const get = <A>(r: E.Either<unknown, A>): A => {
  if (E.isLeft(r)) throw new Error(JSON.stringify(r.left))
  return r.right
}

const act = (f: string) => (v: number) => (f === 'relu' ? (v > 0 ? v : 0) : f === 'tanh' ? Math.tanh(v) : v)

/** Var(z_l) per layer, recomputed independently with the Linear op. */
const variancesOf = (weights: readonly Tensor[], x: Tensor, f: string, biases?: readonly Tensor[]): number[] => {
  const out: number[] = []
  let h = x
  weights.forEach((w, l) => {
    const z = get(Linear.op.forward({}, { x: h, weight: w, ...(biases ? { bias: biases[l] } : {}) })).outputs.y
    out.push(moments(z.data).variance)
    h = make(z.shape, z.data.map(act(f)))
  })
  return out
}

/** W is c * (an orthonormal-rows or orthonormal-columns matrix) for some c > 0. */
const scaledOrthogonal = (w: Tensor): boolean => {
  const [r, c] = w.shape
  const tall = r >= c
  const [p, q] = tall ? [r, c] : [c, r]
  const G = new Float64Array(q * q)
  for (let i = 0; i < q; i++) for (let j = 0; j < q; j++) {
    let s = 0
    for (let k = 0; k < p; k++) s += tall ? w.data[k * c + i] * w.data[k * c + j] : w.data[i * c + k] * w.data[j * c + k]
    G[i * q + j] = s
  }
  let c2 = 0
  for (let i = 0; i < q; i++) c2 += G[i * q + i] / q
  const tol = 16 * p * q * U * c2
  return c2 > 0 && G.every((v, idx) => Math.abs(v - (idx % (q + 1) === 0 ? c2 : 0)) <= tol)
}

for (const f of ['tanh', 'relu', 'linear'] as const) {
  test(`lsuv, ${f}: every layer's output variance is within tol of 1 on the calibration batch`, () => {
    const x = draw(keyFromSeed(seedOf(`lsuv x ${f}`)), [B, 100])
    const r = get(lsuv(keyFromSeed(seedOf(`lsuv ${f}`)), SHAPES, x, { activation: f, tol: 0.01 }))
    const recomputed = variancesOf(r.weights, x, f)
    r.variances.forEach((v, l) => {
      assert.ok(Math.abs(v - 1) < 0.01, `layer ${l + 1}: reported variance ${v}`)
      assert.ok(Math.abs(recomputed[l] - v) <= 1e-12, `layer ${l + 1}: recomputed ${recomputed[l]} vs reported ${v}`)
      assert.ok(r.converged[l])
      // without a bias z is linear in W: one rescaling reaches 1 up to rounding
      assert.ok(r.iterations[l] <= 1, `layer ${l + 1}: ${r.iterations[l]} iterations`)
      assert.ok(scaledOrthogonal(r.weights[l]), `layer ${l + 1}: LSUV only rescales the orthogonal init`)
    })
  })
}

test('lsuv pre-initializes orthogonally: the calibrated weight is a positive multiple of orthogonal(key_l)', () => {
  const x = draw(keyFromSeed(3), [B, 100])
  const key = keyFromSeed(seedOf('lsuv ortho'))
  const r = get(lsuv(key, SHAPES, x, { activation: 'tanh' }))
  const keys = split(key, SHAPES.length) // lsuv splits the key per layer, as its documentation says
  r.weights.forEach((w, l) => {
    const o = get(orthogonal(keys[l], SHAPES[l]))
    const c = w.data[0] / o.data[0]
    assert.ok(c > 0)
    // c * o rounds once per entry and the rescalings compose a few roundings: 8 ulps of |c o|
    assert.ok(w.data.every((v, i) => Math.abs(v - c * o.data[i]) <= 8 * Number.EPSILON * Math.abs(c * o.data[i])))
  })
})

test('with biases the rescaling iterates to the tolerance; an unreachable target is reported, not hidden', () => {
  const x = draw(keyFromSeed(5), [B, 100])
  const ws = SHAPES.map((s, l) => get(orthogonal(keyFromSeed(10 + l), s)))
  const small = SHAPES.map((s) => fromArray([s[0]], Array.from({ length: s[0] }, (_, i) => 0.3 * Math.sin(i))))
  const r = get(calibrate(ws, x, { activation: 'tanh', biases: small, tol: 0.01, maxIter: 50 }))
  const recomputed = variancesOf(r.weights, x, 'tanh', small)
  r.variances.forEach((v, l) => {
    assert.ok(r.converged[l] && Math.abs(v - 1) < 0.01, `layer ${l + 1}: ${v}`)
    assert.ok(Math.abs(recomputed[l] - v) <= 1e-12)
  })
  // biases of +-2 alone have variance 4 over the units: no rescaling reaches 1
  const big = SHAPES.map((s) => fromArray([s[0]], Array.from({ length: s[0] }, (_, i) => (i % 2 ? 2 : -2))))
  const r2 = get(calibrate(ws, x, { activation: 'tanh', biases: big, maxIter: 7 }))
  assert.not.ok(r2.converged[0])
  assert.is(r2.iterations[0], 7)
  assert.ok(Math.abs(variancesOf(r2.weights, x, 'tanh', big)[0] - r2.variances[0]) <= 1e-12)
})

test('calibrate is pure: the given weights and batch are untouched', () => {
  const x = draw(keyFromSeed(6), [B, 100])
  const ws = SHAPES.map((s, l) => get(orthogonal(keyFromSeed(20 + l), s)))
  const before = ws.map((w) => Float64Array.from(w.data))
  const xb = Float64Array.from(x.data)
  get(calibrate(ws, x, { activation: 'relu' }))
  ws.forEach((w, l) => assert.ok(w.data.every((v, i) => Object.is(v, before[l][i]))))
  assert.ok(x.data.every((v, i) => Object.is(v, xb[i])))
})

test('mismatched layers, a bad batch and bad options are error values', () => {
  const x = draw(keyFromSeed(6), [10, 100])
  const k = keyFromSeed(1)
  const cases: [E.Either<{ arg: string }, unknown>, string][] = [
    [lsuv(k, [[20, 100], [5, 30]], x), 'shapes[1]'],
    [lsuv(k, [[20, 99]], x), 'shapes[0]'],
    [calibrate([get(orthogonal(k, [20, 99]))], x), 'weights[0]'],
    [lsuv(k, [], x), 'shapes'],
    [lsuv(k, [[4, 100, 3]], x), 'shapes[0]'],
    [lsuv(k, [[20, 100]], make([1000], new Float64Array(1000))), 'x'],
    [lsuv(k, [[20, 100]], x, { tol: 0 }), 'options.tol'],
    [lsuv(k, [[20, 100]], x, { maxIter: 1.5 }), 'options.maxIter'],
    [lsuv(k, [[20, 100]], x, { activation: 'gelu' as 'relu' }), 'options.activation'],
    [calibrate([get(orthogonal(k, [20, 100]))], x, { biases: [fromArray([3], [1, 2, 3])] }), 'options.biases[0]'],
  ]
  for (const [r, arg] of cases) {
    assert.ok(E.isLeft(r), arg)
    if (E.isLeft(r)) assert.is(r.left.arg, arg)
  }
})

test.run()
