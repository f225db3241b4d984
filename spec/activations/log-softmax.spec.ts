import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as LogSoftmax from '../../src/activations/log-softmax.ts'
import * as Softmax from '../../src/activations/softmax.ts'
import { vjp } from '../../src/core/op.ts'
import { fromArray, scalar } from '../../src/core/tensor.ts'
import { failed, ok } from '../laws/result.ts'
import { EPS64 } from '../laws/tolerance.ts'
import { gradientProperty, property } from '../support/property.ts'
import { PIN_RTOL, alongDimCases, forwardOf, lanePositions, spreadValue } from './support.ts'

const test = suite('log_softmax')

gradientProperty(test, LogSoftmax.op, alongDimCases({ min: -6, max: 6 }))

const dimOf = (attrs: Readonly<Record<string, unknown>>): number => (attrs.dim as number | undefined) ?? -1
const spread = (xs: readonly number[]): number => Math.max(...xs) - Math.min(...xs)

/**
 * Absolute error of y_k = (x_k - m) - log s, in units of EPS64: the subtraction
 * x_k - m rounds by |x_k - m| / 2, log s (s carries n EPS64 relative, log s <= log n)
 * by n + 1, the last subtraction by |y_k| / 2: <= spread + n + 1 + |y_k|.
 */
const yError = (spr: number, n: number, y: number): number => (spr + n + 1 + Math.abs(y)) * EPS64

/**
 * log_softmax(x + c) = log_softmax(x), c constant along dim. Rounding x + c
 * perturbs each entry by <= |x + c| EPS64 / 2, which moves every y_k by at
 * most twice that (its own entry and the log-sum-exp); each evaluation adds
 * yError.
 */
property(test, 'log_softmax: invariant to adding a constant along dim', fc.tuple(alongDimCases({ min: -20, max: 20 }), fc.array(spreadValue({ min: -1e3, max: 1e3 }), { minLength: 64, maxLength: 64 })), ([{ attrs, inputs: { x } }, cs]) => {
  const lanes = lanePositions(x.shape, dimOf(attrs))
  const shifted = Float64Array.from(x.data)
  lanes.forEach((lane, j) => lane.forEach((p) => { shifted[p] = x.data[p] + cs[j] }))
  const y = forwardOf(LogSoftmax.op, attrs, x).data
  const ys = forwardOf(LogSoftmax.op, attrs, fromArray(x.shape, shifted)).data
  for (const [j, lane] of lanes.entries()) {
    const maxShifted = Math.max(...lane.map((p) => Math.abs(shifted[p])))
    const spr = spread(lane.map((p) => x.data[p]))
    for (const p of lane) {
      const tol = maxShifted * EPS64 + 2 * yError(spr, lane.length, y[p])
      if (!(Math.abs(ys[p] - y[p]) <= tol)) return failed(`c = ${cs[j]}: y[${p}] ${y[p]} became ${ys[p]}`)
    }
  }
  return ok
})

/**
 * exp(log_softmax) = softmax. exp turns the absolute error yError into a
 * relative one (plus 1/2 ulp); softmax carries (n + 3 + spread / 2) EPS64
 * relative (spec/activations/softmax.spec.ts).
 */
property(test, 'log_softmax = log(softmax), as exp(log_softmax) = softmax', alongDimCases({ min: -20, max: 20 }), ({ attrs, inputs: { x } }) => {
  const y = forwardOf(LogSoftmax.op, attrs, x).data
  const s = forwardOf(Softmax.op, attrs, x).data
  for (const lane of lanePositions(x.shape, dimOf(attrs))) {
    const spr = spread(lane.map((p) => x.data[p]))
    for (const p of lane) {
      const tol = s[p] * (yError(spr, lane.length, y[p]) + (lane.length + 4 + spr / 2) * EPS64)
      if (!(Math.abs(Math.exp(y[p]) - s[p]) <= tol)) return failed(`exp(y[${p}]) = ${Math.exp(y[p])}, softmax ${s[p]}`)
    }
  }
  return ok
})

test('log_softmax is finite for logits of +-1e4 (no log of an underflowed softmax)', () => {
  const r = vjp(LogSoftmax.op, { dim: 0 }, { x: fromArray([3], [1e4, -1e4, 0]) }, { y: fromArray([3], [1, 2, 3]) })
  assert.ok(E.isRight(r))
  if (E.isRight(r)) {
    assert.equal(Array.from(r.right.outputs.y.data), [0, -2e4, -1e4]) // PyTorch 1.13: the same, exactly
    assert.equal(Array.from(r.right.gradients.x.data), [-5, 2, 3])
  }
})

test('log_softmax: dim out of range is an error value naming attrs.dim', () => {
  for (const dim of [2, -3]) {
    const r = LogSoftmax.op.forward({ dim }, { x: fromArray([2, 3], [1, 2, 3, 4, 5, 6]) })
    assert.ok(E.isLeft(r) && r.left.arg === 'attrs.dim' && r.left.op === 'log_softmax', `dim ${dim} accepted`)
  }
})

test('log_softmax of a scalar is 0, with zero gradient (PyTorch)', () => {
  const r = vjp(LogSoftmax.op, { dim: -1 }, { x: scalar(2) }, { y: scalar(3) })
  assert.ok(E.isRight(r) && r.right.outputs.y.data[0] === 0 && r.right.gradients.x.data[0] === 0)
})

// PyTorch 1.13.1 float64, same x and cotangent as the softmax spec.
const X = fromArray([2, 3], [1.0, -2.0, 0.5, 3.0, 3.0, -1.0])
const G = fromArray([2, 3], [0.5, -1.0, 2.0, 1.0, 0.25, -0.75])
const TORCH: Record<number, { y: number[]; dx: number[] }> = {
  0: {
    y: [-2.1269280110429727, -5.006715348489118, -0.20141327798275246, -0.1269280110429726, -0.006715348489117967, -1.7014132779827524],
    dx: [0.3211956169668237, -0.9949803618067864, 0.9780319047579454, -0.32119561696682347, 0.9949803618067865, -0.9780319047579454],
  },
  1: {
    y: [-0.5045969023422835, -3.5045969023422834, -1.0045969023422834, -0.7022633214390952, -0.7022633214390952, -4.702263321439095],
    dx: [-0.4056233442229387, -1.045088331354361, 1.4507116755772997, 0.7522686787110784, 0.0022686787110784423, -0.7545373574221569],
  },
}
test('log_softmax: values and vjp pinned against PyTorch 1.13 along dims 0, 1 and -1', () => {
  for (const dim of [0, 1, -1]) {
    const r = vjp(LogSoftmax.op, { dim }, { x: X }, { y: G })
    assert.ok(E.isRight(r))
    if (E.isLeft(r)) return
    const e = TORCH[dim < 0 ? dim + 2 : dim]
    e.y.forEach((v, i) => assert.ok(Math.abs(r.right.outputs.y.data[i] - v) <= PIN_RTOL * Math.abs(v), `dim ${dim} y[${i}]`))
    // dx = g - softmax sum g: differences of terms of size <= 2 here, PIN_RTOL relative to them
    e.dx.forEach((v, i) => assert.ok(Math.abs(r.right.gradients.x.data[i] - v) <= PIN_RTOL * (Math.abs(v) + 1), `dim ${dim} dx[${i}]: ${r.right.gradients.x.data[i]} vs ${v}`))
  }
})

test.run()
