import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as Softmax from '../../src/activations/softmax.ts'
import { vjp } from '../../src/core/op.ts'
import { fromArray, scalar } from '../../src/core/tensor.ts'
import { failed, ok } from '../laws/result.ts'
import { EPS64 } from '../laws/tolerance.ts'
import { gradientProperty, property } from '../support/property.ts'
import { PIN_RTOL, alongDimCases, forwardOf, lanePositions, rejects, spreadValue } from './support.ts'

const test = suite('softmax')

gradientProperty(test, Softmax.op, alongDimCases({ min: -6, max: 6 }))

const dimOf = (attrs: Readonly<Record<string, unknown>>): number => (attrs.dim as number | undefined) ?? -1
const spread = (xs: readonly number[]): number => Math.max(...xs) - Math.min(...xs)

/**
 * Every lane sums to 1. y_k = e_k / s: exp(x_k - m) carries 1 ulp plus the
 * rounding of x_k - m (relative |x_k - m| EPS64 / 2 after exp), s a relative
 * n EPS64 from its n additions, the division 1/2 ulp; summing the y_k here
 * adds n EPS64 more. Bound: (2n + 3 + spread / 2) EPS64.
 */
property(test, 'softmax: every lane along dim sums to 1', alongDimCases({ min: -20, max: 20 }), ({ attrs, inputs: { x } }) => {
  const y = forwardOf(Softmax.op, attrs, x).data
  for (const lane of lanePositions(x.shape, dimOf(attrs))) {
    const s = lane.reduce((a, p) => a + y[p], 0)
    const tol = (2 * lane.length + 3 + spread(lane.map((p) => x.data[p])) / 2) * EPS64
    if (!(Math.abs(s - 1) <= tol)) return failed(`lane ${lane}: sum ${s}`)
  }
  return ok
})

/**
 * softmax(x + c) = softmax(x) for c constant along dim (one c per lane).
 * Forming x + c rounds each entry by <= |x + c| EPS64 / 2, which moves
 * log y_k by at most twice that: a relative |x + c|max EPS64 in y_k. Each of
 * the two evaluations adds its own (n + 3 + spread / 2) EPS64 (as above).
 */
property(test, 'softmax: invariant to adding a constant along dim', fc.tuple(alongDimCases({ min: -20, max: 20 }), fc.array(spreadValue({ min: -1e3, max: 1e3 }), { minLength: 64, maxLength: 64 })), ([{ attrs, inputs: { x } }, cs]) => {
  const lanes = lanePositions(x.shape, dimOf(attrs))
  const shifted = Float64Array.from(x.data)
  lanes.forEach((lane, j) => lane.forEach((p) => { shifted[p] = x.data[p] + cs[j] }))
  const y = forwardOf(Softmax.op, attrs, x).data
  const ys = forwardOf(Softmax.op, attrs, fromArray(x.shape, shifted)).data
  for (const [j, lane] of lanes.entries()) {
    const maxShifted = Math.max(...lane.map((p) => Math.abs(shifted[p])))
    const own = lane.length + 3 + spread(lane.map((p) => x.data[p])) / 2
    for (const p of lane) {
      if (!(Math.abs(ys[p] - y[p]) <= y[p] * EPS64 * (maxShifted + 2 * own))) return failed(`c = ${cs[j]}: y[${p}] ${y[p]} became ${ys[p]}`)
    }
  }
  return ok
})

test('softmax is exact for logits of +-1e4: one-hot, zero gradient, nothing overflows', () => {
  const r = vjp(Softmax.op, { dim: 0 }, { x: fromArray([3], [1e4, -1e4, 0]) }, { y: fromArray([3], [1, 2, 3]) })
  assert.ok(E.isRight(r))
  if (E.isRight(r)) {
    assert.equal(Array.from(r.right.outputs.y.data), [1, 0, 0])
    assert.equal(Array.from(r.right.gradients.x.data), [0, 0, 0])
  }
})

test('softmax: dim out of range is an error value naming attrs.dim', () => {
  const x = fromArray([2, 3], [1, 2, 3, 4, 5, 6])
  for (const dim of [2, -3, 7]) {
    const r = Softmax.op.forward({ dim }, { x })
    assert.ok(E.isLeft(r) && r.left.arg === 'attrs.dim' && r.left.op === 'softmax', `dim ${dim} accepted`)
  }
  const r0 = Softmax.op.forward({ dim: 1 }, { x: scalar(2) })
  assert.ok(E.isLeft(r0) && r0.left.arg === 'attrs.dim')
  rejects(Softmax.op, { dim: 0.5 }, 'attrs.dim')
  rejects(Softmax.op, { axis: 1 }, 'attrs.axis')
})

test('softmax of a scalar (dim 0 or -1) is 1, with zero gradient (PyTorch)', () => {
  for (const dim of [0, -1]) {
    const r = vjp(Softmax.op, { dim }, { x: scalar(2) }, { y: scalar(3) })
    assert.ok(E.isRight(r) && r.right.outputs.y.data[0] === 1 && r.right.gradients.x.data[0] === 0)
  }
})

test('softmax: a NaN makes its own lane NaN and leaves the others alone', () => {
  const y = forwardOf(Softmax.op, { dim: 1 }, fromArray([2, 2], [NaN, 1, 0, 0]))
  assert.ok(Number.isNaN(y.data[0]) && Number.isNaN(y.data[1]))
  assert.equal([y.data[2], y.data[3]], [0.5, 0.5])
})

// PyTorch 1.13.1 float64: x, cotangent g, and y, dx = vjp for dim 0 and dim 1 (= -1).
const X = fromArray([2, 3], [1.0, -2.0, 0.5, 3.0, 3.0, -1.0])
const G = fromArray([2, 3], [0.5, -1.0, 2.0, 1.0, 0.25, -0.75])
const TORCH: Record<number, { y: number[]; dx: number[] }> = {
  0: {
    y: [0.11920292202211755, 0.006692850924284856, 0.8175744761936437, 0.8807970779778823, 0.9933071490757153, 0.18242552380635632],
    dx: [-0.05249679270175324, -0.008310070838487695, 0.41015274319341527, 0.05249679270175336, 0.008310070838487652, -0.4101527431934153],
  },
  1: {
    y: [0.6037488961486258, 0.030058887569574023, 0.3661922162818002, 0.4954626425778431, 0.4954626425778431, 0.009074714844313747],
    dx: [-0.3044101892531547, -0.06024402225858225, 0.3646542115117368, 0.19198074148812175, -0.1796162404452606, -0.01236450104286119],
  },
}
test('softmax: values and vjp pinned against PyTorch 1.13 along dims 0, 1 and -1', () => {
  for (const dim of [0, 1, -1]) {
    const r = vjp(Softmax.op, { dim }, { x: X }, { y: G })
    assert.ok(E.isRight(r))
    if (E.isLeft(r)) return
    const e = TORCH[dim < 0 ? dim + 2 : dim]
    e.y.forEach((v, i) => assert.ok(Math.abs(r.right.outputs.y.data[i] - v) <= PIN_RTOL * Math.abs(v), `dim ${dim} y[${i}]`))
    // dx entries are differences y (g - sum g y) of terms of size <= 2 here (y <= 1, |g| <= 2): PIN_RTOL relative to them
    e.dx.forEach((v, i) => assert.ok(Math.abs(r.right.gradients.x.data[i] - v) <= PIN_RTOL * (Math.abs(v) + 1), `dim ${dim} dx[${i}]: ${r.right.gradients.x.data[i]} vs ${v}`))
  }
})

test.run()
