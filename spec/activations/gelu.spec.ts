import fc from 'fast-check'
import { suite } from 'uvu'
import * as Gelu from '../../src/activations/gelu.ts'
import { failed, ok } from '../laws/result.ts'
import { gradientProperty, property } from '../support/property.ts'
import { close, forwardOf, pinned, pointwiseCases, rejects, spreadTensor } from './support.ts'

const test = suite('gelu')

gradientProperty(test, Gelu.op, pointwiseCases(fc.constantFrom({}, { approximate: 'none' }, { approximate: 'tanh' }), { min: -6, max: 6 }))

/**
 * The tanh form is a fit to x Phi(x): a dense 30-digit mpmath scan of the
 * difference (an even function, since both forms satisfy gelu(x) - gelu(-x) = x)
 * peaks at 4.732e-4 at x = +-2.6989, and both forms approach x or 0 like
 * exp(-x^2 / 2) outside [-10, 10]. So 1e-3 bounds the approximation error
 * everywhere, with a margin of 2 over the true maximum; float64 rounding
 * (~1e-15) is negligible against both.
 */
property(test, 'gelu tanh approximation is within 1e-3 of exact gelu', spreadTensor(undefined, { min: -12, max: 12 }), (x) => {
  const a = forwardOf(Gelu.op, { approximate: 'tanh' }, x).data
  const e = forwardOf(Gelu.op, {}, x).data
  for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i] - e[i]) <= 1e-3)) return failed(`x = ${x.data[i]}: tanh form ${a[i]}, exact ${e[i]}`)
  return ok
})

/**
 * Phi(x) + Phi(-x) = 1 gives gelu(x) - gelu(-x) = x, and likewise
 * sigma(2u) + sigma(-2u) = 1 for the tanh form. Each gelu value is a product
 * of x and a CDF accurate to a few ulps, so |error| <= 8 ulps of |x|.
 */
for (const approximate of ['none', 'tanh'] as const) {
  property(test, `gelu(x) - gelu(-x) = x (approximate ${approximate})`, spreadTensor(undefined, { min: -40, max: 40 }), (x) => {
    const p = forwardOf(Gelu.op, { approximate }, x).data
    const m = forwardOf(Gelu.op, { approximate }, { ...x, data: x.data.map((v) => -v) }).data
    for (let i = 0; i < p.length; i++) {
      if (!close(p[i] - m[i], x.data[i], 8, Math.abs(x.data[i]))) return failed(`x = ${x.data[i]}: gelu(x) - gelu(-x) = ${p[i] - m[i]}`)
    }
    return ok
  })
}

test('gelu: an unknown approximation is an error value naming attrs.approximate', () => {
  rejects(Gelu.op, { approximate: 'erf' }, 'attrs.approximate')
  rejects(Gelu.op, { approximate: true }, 'attrs.approximate')
})

// PyTorch 1.13.1 float64, except x = -7.5 (and -5 for tanh), marked mpmath: there
// PyTorch's 1 + erf(x / sqrt 2), resp. 1 + tanh(u), cancels (it returns
// -2.3939e-13 and -0.0), while our erfc and sigma(2u) forms keep full precision.
pinned(test, Gelu.op, {}, [
  [-7.5, -2.3931687546831722e-13, -1.7938314830426484e-12], // mpmath
  [-2.0, -0.04550026389635842, -0.08523180107819692], [-0.5, -0.15426876936299344, 0.13250487534383712],
  [-0.001, -0.000499601057786089, 0.4992021157051586], [0.0, 0.0, 0.5], [0.3, 0.1853734266566858, 0.7323277668271099],
  [1.0, 0.841344746068543, 1.0833154705876864], [2.5, 2.4844758366855597, 1.037611085908145], [9.0, 9.0, 1.0],
  [NaN, NaN, NaN], [Infinity, Infinity, NaN], [-Infinity, NaN, NaN],
], 'PyTorch 1.13 and mpmath')
pinned(test, Gelu.op, { approximate: 'tanh' }, [
  [-7.5, -4.0162682175141396e-18, -5.4233923005215781e-17], // mpmath
  [-5.0, -2.291796196629506e-7, -1.5463619875325946e-6], // mpmath
  [-2.0, -0.04540230591222494, -0.0860992566236183], [-0.5, -0.15428599017485606, 0.13263009646535764],
  [-0.001, -0.000499601057786418, 0.499202115706475], [0.0, 0.0, 0.5], [0.3, 0.18537092354275922, 0.7322954516388018],
  [1.0, 0.8411919906082768, 1.0829640838457826], [2.5, 2.484915733910001, 1.037951576212666], [9.0, 9.0, 1.0],
  [NaN, NaN, NaN], [Infinity, Infinity, NaN], [-Infinity, NaN, NaN],
], 'PyTorch 1.13 and mpmath')

test.run()
