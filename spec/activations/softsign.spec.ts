import { suite } from 'uvu'
import * as Softsign from '../../src/activations/softsign.ts'
import { failed, ok } from '../laws/result.ts'
import { gradientProperty, property } from '../support/property.ts'
import { close, forwardOf, pinned, pointwiseCases, spreadTensor } from './support.ts'

const test = suite('softsign')

// y'' jumps at 0 (from 2 to -2): a central difference straddling 0 is off by
// up to h, far above the smooth-case tolerance, so 0 is a kink for the law.
gradientProperty(test, Softsign.op, pointwiseCases({}, { kinks: [0] }))

/**
 * The inverse x = y / (1 - |y|), |y| < 1. y is within 1 ulp (a division of an
 * exact numerator by a 1/2-ulp denominator: 1 ulp); 1 - |y| = 1 / (1 + |x|)
 * then carries a relative error |y| eps / (1 - |y|) = |x| eps plus its own
 * rounding, and the final division 1/2 ulp: together <= 4 (1 + |x|) ulps of |x|.
 */
property(test, 'softsign is invertible: x = y / (1 - |y|), and |y| < 1', spreadTensor(undefined, { min: -100, max: 100 }), (x) => {
  const y = forwardOf(Softsign.op, {}, x).data
  for (let i = 0; i < y.length; i++) {
    const back = y[i] / (1 - Math.abs(y[i]))
    if (!(Math.abs(y[i]) < 1) || !close(back, x.data[i], 4 * (1 + Math.abs(x.data[i])), Math.abs(x.data[i]))) {
      return failed(`x = ${x.data[i]}: y = ${y[i]}, y / (1 - |y|) = ${back}`)
    }
  }
  return ok
})

// PyTorch 1.13.1 float64 (its softsign is composite: NaN at +-inf, value and slope).
pinned(test, Softsign.op, {}, [
  [-7.5, -0.8823529411764706, 0.013840830449826994], [-2.0, -0.6666666666666666, 0.1111111111111111],
  [-0.5, -0.3333333333333333, 0.4444444444444444], [-0.001, -0.0009990009990009992, 0.9980029960049942], [0.0, 0.0, 1.0],
  [0.3, 0.23076923076923075, 0.5917159763313609], [1.0, 0.5, 0.25], [2.5, 0.7142857142857143, 0.08163265306122447],
  [9.0, 0.9, 0.010000000000000009],
  [NaN, NaN, NaN], [Infinity, NaN, NaN], [-Infinity, NaN, NaN],
], 'PyTorch 1.13')

test.run()
