import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as LeakyRelu from '../../src/activations/leaky-relu.ts'
import { gradientProperty } from '../support/property.ts'
import { pinned, pointwiseCases, rejects, spreadValue, valueAndDerivative } from './support.ts'

const test = suite('leaky_relu')

const slopes = fc.oneof(fc.constant({}), fc.record({ negative_slope: spreadValue({ min: -2, max: 2 }) }))
gradientProperty(test, LeakyRelu.op, pointwiseCases(slopes, { kinks: [0] }))

test("leaky_relu'(0) = negative_slope (PyTorch's convention at the kink; JAX takes 1)", () => {
  assert.equal(Array.from(valueAndDerivative(LeakyRelu.op, {}, [0, -0]).dx), [0.01, 0.01])
  assert.equal(Array.from(valueAndDerivative(LeakyRelu.op, { negative_slope: 0.2 }, [0]).dx), [0.2])
})

test('leaky_relu: a non-numeric slope is an error value naming attrs.negative_slope', () => {
  rejects(LeakyRelu.op, { negative_slope: '0.1' }, 'attrs.negative_slope')
  rejects(LeakyRelu.op, { slope: 0.1 }, 'attrs.slope')
})

// PyTorch 1.13.1, float64, F.leaky_relu and its autograd gradient (cotangent 1).
pinned(test, LeakyRelu.op, {}, [
  [-7.5, -0.075, 0.01], [-2.0, -0.02, 0.01], [-0.5, -0.005, 0.01], [-0.001, -1e-05, 0.01], [0.0, 0.0, 0.01],
  [0.3, 0.3, 1.0], [1.0, 1.0, 1.0], [2.5, 2.5, 1.0], [9.0, 9.0, 1.0],
  [NaN, NaN, 0.01], [Infinity, Infinity, 1.0], [-Infinity, -Infinity, 0.01],
], 'PyTorch 1.13')
pinned(test, LeakyRelu.op, { negative_slope: 0.2 }, [
  [-7.5, -1.5, 0.2], [-2.0, -0.4, 0.2], [-0.001, -0.0002, 0.2], [0.0, 0.0, 0.2], [1.0, 1.0, 1.0], [NaN, NaN, 0.2],
], 'PyTorch 1.13')

test.run()
