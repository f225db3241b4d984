import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { erf, erfc } from '../../src/activations/erf.ts'
import { EPS64 } from '../laws/tolerance.ts'
import { failed, ok } from '../laws/result.ts'
import { property } from '../support/property.ts'
import { close, spreadValue } from './support.ts'

const test = suite('erf')

/**
 * [x, erf(x), erfc(x)] from mpmath 1.2.1 at 40 significant digits (shown to 20),
 * evaluated at the float64 value of x (not the decimal: erfc's relative
 * sensitivity is 2x, so 3.999 and the double nearest it differ by 8 ulps),
 * across Cody's three intervals and their joins (0.46875, 4) and into the
 * subnormal tail of erfc.
 */
const KNOWN: readonly (readonly [number, number, number])[] = [
  [0, 0.0, 1.0],
  [1e-10, 1.128379167095512615e-10, 0.99999999988716208329],
  [0.1, 0.1124629160182848984, 0.8875370839817151016],
  [0.46875, 0.49261347321793799159, 0.50738652678206200841],
  [0.46875000001, 0.49261347322699592371, 0.50738652677300407629],
  [0.5, 0.52049987781304653768, 0.47950012218695346232],
  [1, 0.84270079294971486934, 0.15729920705028513066],
  [1.5, 0.96610514647531072707, 0.033894853524689272933],
  [2, 0.99532226501895273416, 0.0046777349810472658379],
  [3, 0.99997790950300141456, 0.000022090496998585441373],
  [3.999, 0.99999998445525050901, 1.5544749490994991533e-8],
  [4, 0.99999998458274209972, 1.5417257900280018852e-8],
  [4.001, 0.99999998470921782675, 1.5290782173248731519e-8],
  [5, 0.99999999999846254021, 1.5374597944280348502e-12],
  [6, 0.99999999999999997848, 2.1519736712498913117e-17],
  [10, 1.0, 2.088487583762544757e-45],
  [15, 1.0, 7.2129941724512066666e-100],
  [20, 1.0, 5.3958656116079009289e-176],
  [26, 1.0, 5.6631924088561428465e-296],
  [26.5, 1.0, 2.2109076642637342759e-307],
  [26.6, 1.0, 1.0885125885442265332e-309],
  [27, 1.0, 5.237048923789255685e-319],
]

// 4 ulps: the worst relative errors measured against mpmath over 46,000 points
// in [-30, 30] were 1.9 ulps for erf and 3.4 for erfc (Cody's approximations
// are good to ~1e-18 in exact arithmetic, so this is float64 rounding).
test('erf and erfc agree with 40-digit values to 4 ulps (and erfc through its subnormal tail)', () => {
  for (const [x, e, c] of KNOWN) {
    assert.ok(close(erf(x), e, 4, Math.abs(e)), `erf(${x}) = ${erf(x)}, expected ${e}`)
    assert.ok(close(erfc(x), c, 4, Math.abs(c)), `erfc(${x}) = ${erfc(x)}, expected ${c}`)
    assert.ok(close(erf(-x), -e, 4, Math.abs(e)), `erf(${-x}) = ${erf(-x)}, expected ${-e}`)
    assert.ok(close(erfc(-x), 2 - c, 4, 2), `erfc(${-x}) = ${erfc(-x)}, expected ${2 - c}`)
  }
})

test('erf at the edges: +-1 at +-inf, erfc 0 and 2, NaN stays NaN', () => {
  assert.equal([erf(Infinity), erf(-Infinity), erfc(Infinity), erfc(-Infinity)], [1, -1, 0, 2])
  assert.ok(Number.isNaN(erf(NaN)) && Number.isNaN(erfc(NaN)))
  assert.ok(Object.is(erf(-0), -0))
})

const xs = spreadValue({ min: -30, max: 30 })

property(test, 'erf is odd, exactly (every branch is computed on |x|)', xs, (x) =>
  Object.is(erf(-x), -erf(x)) ? ok : failed(`erf(${-x}) = ${erf(-x)}, -erf(${x}) = ${-erf(x)}`))

// erf = (0.5 - erfc) + 0.5 or erfSmall and erfc = 1 - erfSmall: the sum is 1
// up to the rounding of one subtraction and one addition, 2 EPS64 (values <= 2).
property(test, 'erf(x) + erfc(x) = 1', xs, (x) =>
  Math.abs(erf(x) + erfc(x) - 1) <= 2 * EPS64 ? ok : failed(`erf + erfc - 1 = ${erf(x) + erfc(x) - 1} at ${x}`))

property(test, 'erfc is decreasing and stays in [0, 2]', fc.tuple(xs, xs), ([a, b]) => {
  const [lo, hi] = a <= b ? [a, b] : [b, a]
  return erfc(lo) >= erfc(hi) && erfc(hi) >= 0 && erfc(lo) <= 2 ? ok : failed(`erfc(${lo}) = ${erfc(lo)}, erfc(${hi}) = ${erfc(hi)}`)
})

test.run()
