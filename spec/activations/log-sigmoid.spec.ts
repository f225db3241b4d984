import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as LogSigmoid from '../../src/activations/log-sigmoid.ts'
import * as Softplus from '../../src/activations/softplus.ts'
import { failed, ok } from '../laws/result.ts'
import { gradientProperty, property } from '../support/property.ts'
import { close, forwardOf, pinned, pointwiseCases, spreadTensor, valueAndDerivative } from './support.ts'

const test = suite('log_sigmoid')

gradientProperty(test, LogSigmoid.op, pointwiseCases({}, { min: -10, max: 10 }))

/**
 * log_sigmoid(x) = -softplus(-x), against the softplus op with threshold 1e9:
 * at its default threshold 20 the softplus op is the identity beyond 20, an
 * error of up to e^-20 = 2e-9 that log_sigmoid, the exact function, does not
 * make. Both sides: log1p of exp plus a max or min, within 4 ulps of |y|.
 */
property(test, 'log_sigmoid(x) = -softplus(-x)', spreadTensor(undefined, { min: -60, max: 60 }), (x) => {
  const y = forwardOf(LogSigmoid.op, {}, x).data
  const s = forwardOf(Softplus.op, { threshold: 1e9 }, { ...x, data: x.data.map((v) => -v) }).data
  for (let i = 0; i < y.length; i++) if (!close(y[i], -s[i], 4, Math.abs(y[i]))) return failed(`x = ${x.data[i]}: log_sigmoid ${y[i]}, -softplus(-x) ${-s[i]}`)
  return ok
})

test('log_sigmoid is finite and exact far out: log sigma(-1000) = -1000, log sigma(1000) = 0', () => {
  const { y, dx } = valueAndDerivative(LogSigmoid.op, {}, [-1000, 1000, -40])
  assert.equal(Array.from(y), [-1000, 0, -40]) // -40 - e^-40 rounds to -40
  assert.equal(Array.from(dx), [1, 0, 1])
})

// PyTorch 1.13.1 float64.
pinned(test, LogSigmoid.op, {}, [
  [-7.5, -7.500552931475361, 0.9994472213630764], [-2.0, -2.1269280110429727, 0.8807970779778824],
  [-0.5, -0.9740769841801067, 0.6224593312018545], [-0.001, -0.6936473055599401, 0.5002499999791666],
  [0.0, -0.6931471805599453, 0.5], [0.3, -0.5543552444685271, 0.425557483188341], [1.0, -0.31326168751822286, 0.2689414213699951],
  [2.5, -0.07888973429254963, 0.07585818002124356], [9.0, -0.00012340218972325883, 0.00012339457598623172],
  [NaN, NaN, NaN], [Infinity, 0.0, 0.0], [-Infinity, -Infinity, 1.0],
], 'PyTorch 1.13')

test.run()
