/**
 * src/fast/exp.ts against Math.exp. fexp(v, lo) is within EXP_REL = 4.1 u of
 * the exact exp(v + lo) (derived there, (4)); V8's Math.exp (fdlibm's e_exp.c)
 * is within 1 ulp <= 2u of its exact value. For |v| <= 1 the rounding of
 * v + lo before Math.exp moves its argument by <= u |v + lo|, a relative
 * change <= 1.0001 u |v + lo|. Hence, u = 2^-53,
 *   |fexp(v, lo) - Math.exp(v + lo)| <= (EXP_REL + 2u + 1.0001 u |v + lo|) (1 + 1e-12) Math.exp(v + lo)
 * (the last factor: products of (1 + eps) terms and Math.exp's own error in
 * the scale). A wrong table entry, coefficient or reduction constant moves
 * the result by far more (a dropped r^4/24 term: ~80 u; L1 from Math.LN2
 * alone: ~700 u at |v| ~ 700). Outside [-708, 709] and for NaN fexp is Math.exp.
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import { EXP_REL, N, fexp } from '../../src/fast/exp.ts'
import { failed, ok } from '../laws/result.ts'
import { property } from '../support/property.ts'

const test = suite('fast: exp')
const U = 2 ** -53

const close = (v: number, lo: number) => {
  const want = Math.exp(v + lo), got = fexp(v, lo)
  const tol = (EXP_REL + 2 * U + 1.0001 * U * (Math.abs(v) <= 1 ? Math.abs(v + lo) : 0)) * (1 + 1e-12) * want
  return Math.abs(got - want) <= tol ? ok : failed(`fexp(${v}, ${lo}) = ${got}, Math.exp = ${want}, |diff| ${Math.abs(got - want)} > ${tol}`)
}

property(test, 'fexp(v) is within the derived bound of Math.exp over the whole domain [-708, 709]',
  fc.array(fc.double({ min: -708, max: 709, noNaN: true }), { minLength: 50, maxLength: 50 }),
  (vs) => { for (const v of vs) { const r = close(v, 0); if (!r.ok) return r } return ok }, 200)

property(test, 'fexp(v) is within the bound near 0 and at the table\'s and reduction\'s edges (v = k ln2/N + tiny)',
  fc.array(fc.tuple(fc.integer({ min: -524000, max: 524000 }), fc.double({ min: -1e-3, max: 1e-3, noNaN: true })), { minLength: 50, maxLength: 50 }),
  (ks) => {
    for (const [k, t] of ks) {
      for (const v of [k * Math.LN2 / N + t, (k + 0.5) * Math.LN2 / N, t]) {
        if (v < -708 || v > 709) continue
        const r = close(v, 0)
        if (!r.ok) return r
      }
    }
    return ok
  }, 100)

property(test, 'fexp(v, lo) with a low part |lo| <= 2^-13 is within the bound of Math.exp(v + lo) (|v| <= 1)',
  fc.array(fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -(2 ** -13), max: 2 ** -13, noNaN: true })), { minLength: 50, maxLength: 50 }),
  (ps) => { for (const [v, lo] of ps) { const r = close(v, lo); if (!r.ok) return r } return ok }, 100)

test('fexp is Math.exp outside its domain: underflow, overflow, infinities, NaN', () => {
  for (const v of [-708.5, -745, -746, -1e9, 709.5, 710, 1e9, Infinity, -Infinity, NaN]) {
    if (!Object.is(fexp(v, 0), Math.exp(v))) throw new Error(`fexp(${v}) = ${fexp(v, 0)}, Math.exp = ${Math.exp(v)}`)
  }
})

test.run()
