import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as Elu from '../../src/activations/elu.ts'
import { gradientProperty } from '../support/property.ts'
import { pinned, pointwiseCases, rejects, spreadValue, valueAndDerivative } from './support.ts'

const test = suite('elu')

// kink at 0: y' jumps from alpha to 1 (for alpha = 1, y'' still jumps)
const alphas = fc.oneof(fc.constant({}), fc.record({ alpha: spreadValue({ min: 0.1, max: 3 }) }))
gradientProperty(test, Elu.op, pointwiseCases(alphas, { kinks: [0] }))

test("elu'(0) = alpha (the x <= 0 branch, PyTorch's convention)", () => {
  assert.equal(Array.from(valueAndDerivative(Elu.op, {}, [0]).dx), [1])
  assert.equal(Array.from(valueAndDerivative(Elu.op, { alpha: 2 }, [0, -0]).dx), [2, 2])
  assert.equal(Array.from(valueAndDerivative(Elu.op, { alpha: 0.5 }, [0]).dx), [0.5])
})

test('elu: a non-finite alpha is an error value naming attrs.alpha', () => {
  rejects(Elu.op, { alpha: null }, 'attrs.alpha')
})

// PyTorch 1.13.1, float64 (its forward is exp(x) - 1, ours expm1: 3e-14 apart at -1e-3).
pinned(test, Elu.op, {}, [
  [-7.5, -0.9994469156298522, 0.0005530843701478336], [-2.0, -0.8646647167633873, 0.1353352832366127],
  [-0.5, -0.3934693402873666, 0.6065306597126334], [-0.001, -0.000999500166624978, 0.999000499833375],
  [0.0, 0.0, 1.0], [0.3, 0.3, 1.0], [9.0, 9.0, 1.0],
  [NaN, NaN, 1.0], [Infinity, Infinity, 1.0], [-Infinity, -1.0, 0.0],
], 'PyTorch 1.13')
pinned(test, Elu.op, { alpha: 2.0 }, [
  [-7.5, -1.9988938312597044, 0.0011061687402956673], [-2.0, -1.7293294335267746, 0.2706705664732254],
  [-0.5, -0.7869386805747332, 1.2130613194252668], [-0.001, -0.001999000333249956, 1.99800099966675],
  [0.0, 0.0, 2.0], [1.0, 1.0, 1.0], [-Infinity, -2.0, 0.0],
], 'PyTorch 1.13')

test.run()
