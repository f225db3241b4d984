import { suite } from 'uvu'
import * as Mish from '../../src/activations/mish.ts'
import * as Softplus from '../../src/activations/softplus.ts'
import * as Tanh from '../../src/activations/tanh.ts'
import { failed, ok } from '../laws/result.ts'
import { gradientProperty, property } from '../support/property.ts'
import { close, forwardOf, pinned, pointwiseCases, spreadTensor } from './support.ts'

const test = suite('mish')

gradientProperty(test, Mish.op, pointwiseCases({}, { min: -6, max: 6 }))

/**
 * mish = x tanh(softplus(x)), composed from the tanh and softplus ops. The
 * softplus op's threshold (20) replaces softplus by x beyond 20, an error of
 * e^-20 in the argument of tanh, where tanh's slope is 4e-17: invisible. Each
 * side: softplus within 4 ulps, tanh's relative sensitivity to its argument
 * <= 1, tanh 1 ulp, product 1/2 ulp: 8 ulps of |y|.
 */
property(test, 'mish(x) = x tanh(softplus(x))', spreadTensor(undefined, { min: -40, max: 40 }), (x) => {
  const y = forwardOf(Mish.op, {}, x).data
  const t = forwardOf(Tanh.op, {}, forwardOf(Softplus.op, {}, x)).data
  for (let i = 0; i < y.length; i++) if (!close(y[i], x.data[i] * t[i], 8, Math.abs(y[i]))) return failed(`x = ${x.data[i]}: mish ${y[i]}, x tanh(softplus x) ${x.data[i] * t[i]}`)
  return ok
})

// PyTorch 1.13.1 float64.
pinned(test, Mish.op, {}, [
  [-7.5, -0.0041469856425822285, -0.0035929070903953616], [-2.0, -0.2525014826957089, -0.1083550924203939],
  [-0.5, -0.22074377465173, 0.28951067791351226], [-0.001, -0.0005996799840458664, 0.5993599521834648], [0.0, 0.0, 0.6],
  [0.3, 0.20800137234811503, 0.7828272995511304], [1.0, 0.8650983882673103, 1.0490362200997922],
  [2.5, 2.471392304557881, 1.041129530131353], [9.0, 8.999999725928019, 1.0000005176238735],
  [NaN, NaN, NaN], [Infinity, Infinity, NaN], [-Infinity, NaN, NaN],
], 'PyTorch 1.13')

test.run()
