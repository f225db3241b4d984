import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as Sigmoid from '../../src/activations/sigmoid.ts'
import { failed, ok } from '../laws/result.ts'
import { EPS64 } from '../laws/tolerance.ts'
import { gradientProperty, property } from '../support/property.ts'
import { forwardOf, pinned, pointwiseCases, spreadTensor, spreadValue, valueAndDerivative } from './support.ts'

const test = suite('sigmoid')

gradientProperty(test, Sigmoid.op, pointwiseCases({}, { min: -10, max: 10 }))

/**
 * sigma(-x) = 1 - sigma(x). Each sigma is exp, an addition and a division,
 * within 2 ulps of a value <= 1, so within 2 EPS64 absolutely; the subtraction
 * 1 - sigma adds EPS64 / 2. 4 EPS64 covers the three.
 */
property(test, 'sigmoid(-x) = 1 - sigmoid(x)', spreadTensor(undefined, { min: -40, max: 40 }), (x) => {
  const p = forwardOf(Sigmoid.op, {}, x).data
  const m = forwardOf(Sigmoid.op, {}, { ...x, data: x.data.map((v) => -v) }).data
  for (let i = 0; i < p.length; i++) if (!(Math.abs(m[i] - (1 - p[i])) <= 4 * EPS64)) return failed(`x = ${x.data[i]}: sigma(-x) ${m[i]}, 1 - sigma(x) ${1 - p[i]}`)
  return ok
})

// sigma' = sigma(x) sigma(-x) = p (1 - p) <= 1/4 with equality only at p = 1/2.
property(test, "sigmoid's slope is at most 1/4, and exactly 1/4 at 0", fc.array(spreadValue({ min: -50, max: 50 }), { minLength: 1, maxLength: 16 }), (xs) => {
  const { dx } = valueAndDerivative(Sigmoid.op, {}, [0, ...xs])
  if (dx[0] !== 0.25) return failed(`sigma'(0) = ${dx[0]}`)
  for (let i = 1; i < dx.length; i++) if (!(dx[i] <= 0.25 && dx[i] >= 0)) return failed(`sigma'(${xs[i - 1]}) = ${dx[i]}`)
  return ok
})

test('sigmoid is stable for large |x|: no overflow, no NaN, the tail kept in relative terms', () => {
  const { y, dx } = valueAndDerivative(Sigmoid.op, {}, [800, -800, -700, 1000])
  assert.equal(Array.from(y), [1, 0, Math.exp(-700), 1]) // sigma(-700) = e^-700 / (1 + e^-700) rounds to e^-700
  assert.equal(Array.from(dx), [0, 0, Math.exp(-700), 0])
})

// PyTorch 1.13.1 float64; x = 9's slope from mpmath: PyTorch's y (1 - y) is 6.6e-13 off there.
pinned(test, Sigmoid.op, {}, [
  [-7.5, 0.0005527786369235996, 0.0005524730727021604], [-2.0, 0.11920292202211755, 0.1049935854035065],
  [-0.5, 0.3775406687981454, 0.2350037122015945], [-0.001, 0.4997500000208333, 0.24999993750001046], [0.0, 0.5, 0.25],
  [0.3, 0.574442516811659, 0.24445831169074586], [1.0, 0.7310585786300049, 0.19661193324148185],
  [2.5, 0.9241418199787566, 0.07010371654510807], [9.0, 0.9998766054240137, 0.00012337934976484891],
  [NaN, NaN, NaN], [Infinity, 1.0, 0.0], [-Infinity, 0.0, 0.0],
], 'PyTorch 1.13 and mpmath')

test.run()
