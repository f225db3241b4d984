import { suite } from 'uvu'
import * as Sigmoid from '../../src/activations/sigmoid.ts'
import * as Tanh from '../../src/activations/tanh.ts'
import { failed, ok } from '../laws/result.ts'
import { EPS64 } from '../laws/tolerance.ts'
import { gradientProperty, property } from '../support/property.ts'
import { forwardOf, pinned, pointwiseCases, spreadTensor } from './support.ts'

const test = suite('tanh')

gradientProperty(test, Tanh.op, pointwiseCases({}, { min: -6, max: 6 }))

/**
 * tanh(x) = 2 sigma(2x) - 1. sigma(2x) is within 2 EPS64 of the truth
 * (absolutely, being <= 1), doubled: 4 EPS64; the subtraction and Math.tanh
 * (<= 1 ulp of a value <= 1) add EPS64 each. 6 EPS64, absolute, because near
 * 0 the right side cancels. Drawn over [-400, 400], where exp(2|x|) overflows:
 * both sides must saturate rather than turn into inf / inf.
 */
property(test, 'tanh(x) = 2 sigmoid(2x) - 1', spreadTensor(undefined, { min: -400, max: 400 }), (x) => {
  const t = forwardOf(Tanh.op, {}, x).data
  const s = forwardOf(Sigmoid.op, {}, { ...x, data: x.data.map((v) => 2 * v) }).data
  for (let i = 0; i < t.length; i++) if (!(Math.abs(t[i] - (2 * s[i] - 1)) <= 6 * EPS64)) return failed(`x = ${x.data[i]}: tanh ${t[i]}, 2 sigma(2x) - 1 = ${2 * s[i] - 1}`)
  return ok
})

// PyTorch 1.13.1 float64; the slopes at -7.5 and 9 from mpmath: PyTorch's 1 - y^2 cancels there.
pinned(test, Tanh.op, {}, [
  [-7.5, -0.9999993881955461, 1.2236085333978091e-6], [-2.0, -0.9640275800758169, 0.07065082485316443],
  [-0.5, -0.46211715726000974, 0.7864477329659274], [-0.001, -0.0009999996666668, 0.9999990000006667], [0.0, 0.0, 1.0],
  [0.3, 0.2913126124515909, 0.9151369618266292], [1.0, 0.7615941559557649, 0.41997434161402614],
  [2.5, 0.9866142981514303, 0.02659222668316057], [9.0, 0.999999969540041, 6.0919917123232292e-8],
  [NaN, NaN, NaN], [Infinity, 1.0, 0.0], [-Infinity, -1.0, 0.0],
], 'PyTorch 1.13 and mpmath')

test.run()
