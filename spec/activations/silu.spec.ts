import { suite } from 'uvu'
import * as Sigmoid from '../../src/activations/sigmoid.ts'
import * as Silu from '../../src/activations/silu.ts'
import { failed, ok } from '../laws/result.ts'
import { gradientProperty, property } from '../support/property.ts'
import { close, forwardOf, pinned, pointwiseCases, spreadTensor } from './support.ts'

const test = suite('silu')

gradientProperty(test, Silu.op, pointwiseCases({}, { min: -8, max: 8 }))

// silu = x sigmoid(x), against the sigmoid op: one product of x by a value
// within 2 ulps, so 3 ulps of |y|.
property(test, 'silu(x) = x sigmoid(x)', spreadTensor(undefined, { min: -60, max: 60 }), (x) => {
  const y = forwardOf(Silu.op, {}, x).data
  const s = forwardOf(Sigmoid.op, {}, x).data
  for (let i = 0; i < y.length; i++) if (!close(y[i], x.data[i] * s[i], 3, Math.abs(y[i]))) return failed(`x = ${x.data[i]}: silu ${y[i]}, x sigma(x) ${x.data[i] * s[i]}`)
  return ok
})

// PyTorch 1.13.1 float64.
pinned(test, Silu.op, {}, [
  [-7.5, -0.004145839776926997, -0.0035907694083426034], [-2.0, -0.2384058440442351, -0.09078424878489547],
  [-0.5, -0.1887703343990727, 0.2600388126973482], [-0.001, -0.0004997500000208334, 0.4995000000833333], [0.0, 0.0, 0.5],
  [0.3, 0.1723327550434977, 0.6477800103188829], [1.0, 0.7310585786300049, 0.9276705118714869],
  [2.5, 2.3103545499468914, 1.0994011113415267], [9.0, 8.998889448816124, 1.0009870195718982],
  [NaN, NaN, NaN], [Infinity, Infinity, NaN], [-Infinity, NaN, NaN],
], 'PyTorch 1.13')

test.run()
