import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as Softplus from '../../src/activations/softplus.ts'
import { failed, ok } from '../laws/result.ts'
import { shape } from '../laws/arbitraries.ts'
import { gradientProperty, property } from '../support/property.ts'
import { PIN_RTOL, close, forwardOf, pinned, rejects, spreadTensor, spreadTensorOf, spreadValue, valueAndDerivative } from './support.ts'

const test = suite('softplus')

// beta x crosses the threshold inside [-5, 5] for most draws; the switch is a
// jump of log1p(e^-threshold) / beta in the value, kept KINK_GAP away.
const cases = fc.record({
  beta: fc.constantFrom(1, 0.5, 2, 3.7, -1.5),
  threshold: fc.constantFrom(20, 1, 2.5, 6, -2),
}).chain((attrs) => shape().chain((sh) => spreadTensorOf(sh, { min: -5, max: 5, kinks: [attrs.threshold / attrs.beta] }))
  .map((x) => ({ attrs, inputs: { x } })))
gradientProperty(test, Softplus.op, cases)
gradientProperty(test, Softplus.op, spreadTensor(undefined, { min: -5, max: 5 }).map((x) => ({ attrs: {}, inputs: { x } })), undefined, 'softplus: gradient law at the defaults')

/**
 * softplus(x) - softplus(-x) = x, the exact function (threshold 1e9 switches
 * nothing off here). Each value is (z + log1p(e^-z)) / beta or log1p(e^z) / beta,
 * within 4 ulps of itself; the difference is then within 8 ulps of
 * |sp(x)| + |sp(-x)|.
 */
property(test, 'softplus(x) - softplus(-x) = x', fc.tuple(spreadValue({ min: 0.25, max: 4 }), spreadTensor(undefined, { min: -60, max: 60 })), ([beta, x]) => {
  const attrs = { beta, threshold: 1e9 }
  const p = forwardOf(Softplus.op, attrs, x).data
  const m = forwardOf(Softplus.op, attrs, { ...x, data: x.data.map((v) => -v) }).data
  for (let i = 0; i < p.length; i++) if (!close(p[i] - m[i], x.data[i], 8, Math.abs(p[i]) + Math.abs(m[i]))) return failed(`beta ${beta}, x = ${x.data[i]}: ${p[i]} - ${m[i]} = ${p[i] - m[i]}`)
  return ok
})

property(test, 'softplus is the identity, slope 1, exactly where beta x > threshold', fc.tuple(fc.constantFrom(1, 2, 0.5), fc.constantFrom(20, 5, 1), spreadValue({ min: 1e-9, max: 100 })), ([beta, threshold, d]) => {
  const x = (threshold + d) / beta
  if (!(beta * x > threshold)) return ok
  const { y, dx } = valueAndDerivative(Softplus.op, { beta, threshold }, [x])
  return y[0] === x && dx[0] === 1 ? ok : failed(`beta ${beta}, threshold ${threshold}, x ${x}: y ${y[0]}, y' ${dx[0]}`)
})

test('softplus switches strictly: at beta x == threshold the log1p form applies (PyTorch)', () => {
  // the next double above 2.5 and above 20 (v + v eps rounds to v + ulp(v) for these v)
  const up = (v: number) => v + v * Number.EPSILON
  const near = (a: number, e: number) => Math.abs(a - e) <= PIN_RTOL * Math.abs(e)
  for (const [attrs, x, logForm, slope] of [
    [{ beta: 2, threshold: 5 }, 2.5, 2.503357674244559, 0.9933071490757152], // log1p(e^5) / 2, sigma(5): PyTorch 1.13
    [{}, 20, 20.000000002061153, 0.9999999979388464], // log1p(e^20), sigma(20)
  ] as const) {
    const { y, dx } = valueAndDerivative(Softplus.op, attrs, [x, up(x)])
    assert.ok(near(y[0], logForm) && near(dx[0], slope), `at beta x = threshold: y ${y[0]}, y' ${dx[0]}; expected ${logForm}, ${slope}`)
    assert.equal([y[1], dx[1]], [up(x), 1], 'just above the threshold: the identity')
  }
})

test('softplus never overflows, even with a threshold that lets beta x reach exp overflow', () => {
  const { y, dx } = valueAndDerivative(Softplus.op, { threshold: 1e9 }, [800, -800])
  assert.equal(Array.from(y), [800, 0])
  assert.equal(Array.from(dx), [1, 0])
})

test('softplus: beta 0 and non-numeric attributes are error values naming the attribute', () => {
  rejects(Softplus.op, { beta: 0 }, 'attrs.beta')
  rejects(Softplus.op, { threshold: 'inf' }, 'attrs.threshold')
})

// PyTorch 1.13.1 float64, F.softplus(x, beta, threshold).
pinned(test, Softplus.op, {}, [
  [-7.5, 0.0005529314753607964, 0.0005527786369235996], [-2.0, 0.1269280110429725, 0.11920292202211755],
  [-0.5, 0.4740769841801067, 0.37754066879814546], [-0.001, 0.6926473055599401, 0.49975000002083336],
  [0.0, 0.6931471805599453, 0.5], [0.3, 0.8543552444685272, 0.574442516811659], [1.0, 1.3132616875182228, 0.7310585786300049],
  [2.5, 2.5788897342925496, 0.9241418199787564], [9.0, 9.000123402189724, 0.9998766054240138],
  [NaN, NaN, NaN], [Infinity, Infinity, 1.0], [-Infinity, 0.0, 0.0],
], 'PyTorch 1.13')
pinned(test, Softplus.op, { beta: 2.0, threshold: 5.0 }, [
  [-7.5, 1.5295113685686024e-07, 3.059022269256247e-07], [-2.0, 0.009074963958904869, 0.017986209962091555],
  [-0.5, 0.15663084375911143, 0.2689414213699951], [-0.001, 0.346073840279931, 0.49950000016666657],
  [0.0, 0.34657359027997264, 0.5], [0.3, 0.5187439752429428, 0.6456563062257954], [1.0, 1.0634640055214863, 0.8807970779778824],
  [2.5, 2.503357674244559, 0.9933071490757152], [9.0, 9.0, 1.0],
], 'PyTorch 1.13')
pinned(test, Softplus.op, { beta: 0.5, threshold: 1.0 }, [
  [-7.5, 0.04649092874485006, 0.02297736991002561], [-2.0, 0.6265233750364457, 0.2689414213699951],
  [-0.5, 1.1518788397576871, 0.4378234991142019], [0.0, 1.3862943611198906, 0.5], [1.0, 1.9481539683602134, 0.6224593312018546],
  [2.5, 2.5, 1.0], [9.0, 9.0, 1.0],
], 'PyTorch 1.13')

test.run()
