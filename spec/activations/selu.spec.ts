import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as Elu from '../../src/activations/elu.ts'
import * as Selu from '../../src/activations/selu.ts'
import { failed, ok } from '../laws/result.ts'
import { gradientProperty, property } from '../support/property.ts'
import { close, forwardOf, pinned, pointwiseCases, spreadTensor, valueAndDerivative } from './support.ts'

const test = suite('selu')

gradientProperty(test, Selu.op, pointwiseCases({}, { kinks: [0] }))

// selu = scale * elu(., alpha): the same function. Tolerance: each side is one
// expm1 (<= 1 ulp) and one or two products (1/2 ulp each), so 4 ulps of |y|.
property(test, 'selu(x) = scale * elu(x, alpha)', spreadTensor(undefined, { min: -30, max: 30 }), (x) => {
  const s = forwardOf(Selu.op, {}, x).data
  const e = forwardOf(Elu.op, { alpha: Selu.ALPHA }, x).data
  for (let i = 0; i < s.length; i++) {
    if (!close(s[i], Selu.SCALE * e[i], 4, Math.abs(s[i]))) return failed(`x = ${x.data[i]}: selu ${s[i]}, scale * elu ${Selu.SCALE * e[i]}`)
  }
  return ok
})

test("selu'(0) = scale * alpha (the x <= 0 branch, as elu'(0) = alpha)", () => {
  assert.equal(Array.from(valueAndDerivative(Selu.op, {}, [0]).dx), [1.7580993408473766])
})

// PyTorch 1.13.1, float64. Pins the constants to all 17 digits through x = 1 and the slope at 0.
pinned(test, Selu.op, {}, [
  [-7.5, -1.757126963580787, 0.0009723772665898928], [-2.0, -1.5201664685956948, 0.2379328722516818],
  [-0.5, -0.6917581878028713, 1.0663411530445053], [-0.001, -0.0017572205841202171, 1.7563421202632563],
  [0.0, 0.0, 1.7580993408473766], [0.3, 0.31521029620664415, 1.0507009873554805],
  [1.0, 1.0507009873554805, 1.0507009873554805], [9.0, 9.456308886199324, 1.0507009873554805],
  [NaN, NaN, 1.0507009873554805], [Infinity, Infinity, 1.0507009873554805], [-Infinity, -1.7580993408473766, 0.0],
], 'PyTorch 1.13')

test.run()
