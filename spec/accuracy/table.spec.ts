/**
 * The measuring stick itself: ulp() at the powers of two and in the
 * subnormals, ulpError on known cases, and the committed table checked
 * against itself (every hi the rounding of hi + lo) and against values known
 * from elsewhere (Abramowitz & Stegun; the 40-digit values already pinned in
 * spec/activations/erf.spec.ts).
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { nextDown, nextUp } from '../laws/edges.ts'
import { type Exact, MIN_NORMAL, SUBNORMAL_GAP, TABLE, ulp, ulpError } from './ulp.ts'

const test = suite('accuracy: the ulp measure and the mpmath table')

test('ulp: 2^-52 on [1, 2), 2^-51 from 2, 2^-1074 for every subnormal and the least normal', () => {
  assert.is(ulp(1), 2 ** -52)
  assert.is(ulp(nextDown(2)), 2 ** -52)
  assert.is(ulp(2), 2 ** -51)
  assert.is(ulp(-3), 2 ** -51)
  assert.is(ulp(0.1), 2 ** -56)
  assert.is(ulp(MIN_NORMAL), 2 ** -1074)
  assert.is(ulp(nextUp(MIN_NORMAL) * 2), 2 ** -1073)
  assert.is(ulp(5e-324), SUBNORMAL_GAP)
  assert.is(ulp(0), SUBNORMAL_GAP)
  assert.is(ulp(Number.MAX_VALUE), 2 ** 971)
  // every power of two from 2^-1022 to 2^1023 and its predecessor (log2 rounding must not misplace either)
  for (let e = -1021; e <= 1023; e++) {
    assert.is(ulp(2 ** e), 2 ** (e - 52), `ulp(2^${e})`)
    assert.is(ulp(nextDown(2 ** e)), 2 ** (e - 53), `ulp(pred 2^${e})`)
  }
})

test('ulpError: whole ulps, the lo part counted, infinities only against themselves', () => {
  assert.is(ulpError(1 + 2 ** -52, [1, 0]), 1)
  assert.is(ulpError(1, [1, 2 ** -53]), 0.5)
  assert.is(ulpError(1 + 3 * 2 ** -52, [1, -(2 ** -53)]), 3.5)
  assert.is(ulpError(Infinity, ['inf', 0]), 0)
  assert.is(ulpError(1e308, ['inf', 0]), Infinity)
  assert.is(ulpError(NaN, [1, 0]), Infinity)
})

test('every table entry is a correctly rounded hi with |lo| <= ulp(hi) / 2', () => {
  const all: Exact[] = [
    ...Object.values(TABLE.functions).flatMap((f) => [...f.f, ...f.df]),
    ...TABLE.rows.flatMap((r) => [...r.log_softmax, ...r.softmax]),
  ]
  assert.ok(all.length > 8000, `${all.length} entries`)
  for (const [h, lo] of all) {
    if (typeof h !== 'number') continue
    // lo is stored to 3 significant digits, within 0.5% of itself: 0.5 ulp plus 0.5% of it
    assert.ok(Math.abs(lo) <= 0.5025 * ulp(h), `hi ${h}, lo ${lo}: not the rounding of hi + lo`)
  }
  assert.is(TABLE.precision_bits, 200)
})

/** Values known independently of ./reference.py (A&S tables, erf.spec.ts's 40-digit mpmath values). */
const KNOWN: readonly (readonly [string, 'f' | 'df', number, number])[] = [
  ['sigmoid', 'f', 0, 0.5],
  ['sigmoid', 'df', 0, 0.25],
  ['sigmoid', 'f', 1, 0.7310585786300049],
  ['tanh', 'f', 1, 0.7615941559557649],
  ['tanh', 'df', 0, 1],
  ['erf', 'f', 1, 0.8427007929497149],
  ['erf', 'df', 0.5, 0.47950012218695346],
  ['erf', 'f', 0.5, 0.5204998778130465],
  ['softplus', 'f', 0, Math.LN2],
  ['log_sigmoid', 'f', 0, -Math.LN2],
  ['gelu', 'f', 1, 0.8413447460685429],
  ['gelu', 'df', 0, 0.5],
  ['elu', 'f', -1, -0.6321205588285577],
  ['softsign', 'f', 1, 0.5],
]

test('the table agrees with independently known values (A&S, the 40-digit erf pins)', () => {
  for (const [name, which, x, v] of KNOWN) {
    const i = TABLE.x.indexOf(x)
    assert.ok(i >= 0, `x = ${x} not in the table`)
    const e = TABLE.functions[name][which][i]
    assert.ok(ulpError(v, e) <= 0.5, `${name} ${which}(${x}): table ${e[0]}, known ${v}`)
  }
})

test.run()
