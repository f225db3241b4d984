/**
 * Accuracy in ulps of every elementwise activation and its derivative, over
 * the whole float64 domain (|x| from 5e-324 to 750, both signs, the tails where
 * exp under- and overflows, the kinks and thresholds exactly), against
 * ./table.json: mpmath at 200 bits, written by ./reference.py.
 *
 * These laws do not look at any golden file: a formula that loses digits
 * (1 - sigma(x) for sigma(-x), 1 - tanh^2 for sech^2, expm1(x) + 1 for exp(x),
 * exp(-y*y) without Cody's split) fails here however its vectors were
 * regenerated. Each budget and its argument: ./budgets.ts. An op with a fast
 * path (src/fast/) is held to the same budgets on both of its paths.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { erf, erfc } from '../../src/activations/erf.ts'
import { lookup } from '../../src/registry.ts'
import { valueAndDerivative } from '../activations/support.ts'
import { paths } from './paths.ts'
import { ACCURACY, type Budget, ERF_BUDGET, SUBNORMAL } from './budgets.ts'
import { type Exact, MIN_NORMAL, TABLE, ulp } from './ulp.ts'

const test = suite('accuracy: elementwise functions in ulps against 200-bit mpmath')

const hiOf = (e: Exact): number => (e[0] === 'inf' ? Infinity : e[0] === '-inf' ? -Infinity : e[0])

/** The error in ulps of max(|exact|, scale), and what it may be. */
const measure = (computed: number, e: Exact, x: number, b: Budget): { err: number; allowed: number } => {
  const hi = hiOf(e)
  if (!Number.isFinite(hi)) return { err: computed === hi ? 0 : Infinity, allowed: 0 }
  const s = Math.max(Math.abs(hi), b.scale ? Math.abs(b.scale(x)) : 0)
  const diff = Math.abs((computed - hi) - e[1])
  const err = Number.isNaN(diff) ? Infinity : diff / ulp(s)
  return { err, allowed: b.ulps(x) + (s < MIN_NORMAL ? SUBNORMAL(b, x) : 0) }
}

/** Every point of the table within budget; the first offenders named. */
const within = (label: string, xs: readonly number[], got: ArrayLike<number>, ref: readonly Exact[], b: Budget, skip: (x: number) => boolean = () => false): void => {
  let checked = 0
  const bad: string[] = []
  for (let i = 0; i < xs.length; i++) {
    if (skip(xs[i])) continue
    checked++
    const { err, allowed } = measure(got[i], ref[i], xs[i], b)
    if (err > allowed) bad.push(`x = ${xs[i]}: got ${got[i]}, exact ${hiOf(ref[i])} (+ ${ref[i][1]}), ${err.toPrecision(4)} ulps > ${allowed.toPrecision(4)}`)
  }
  assert.ok(checked > xs.length / 2, `${label}: only ${checked} points checked`)
  assert.ok(bad.length === 0, `${label}: ${bad.length} of ${xs.length} points over budget (${b.why}):\n  ${bad.slice(0, 5).join('\n  ')}`)
}

for (const a of ACCURACY) {
  test(`${a.name}: value and derivative within their ulp budgets over the whole domain, tails included`, () => {
    const ref = TABLE.functions[a.name]
    assert.ok(ref !== undefined && ref.f.length === TABLE.x.length, `table has no ${a.name}`)
    const op = lookup(a.op)
    assert.ok(op !== undefined, `no op ${a.op}`)
    for (const [path, impl] of paths(op!)) {
      const { y, dx } = valueAndDerivative(impl, a.attrs, TABLE.x)
      within(`${a.name}(x) [${path}]`, TABLE.x, y, ref.f, a.f)
      within(`${a.name}'(x) [${path}]`, TABLE.x, dx, ref.df, a.df, a.dfDomain ? (x) => !a.dfDomain!.holds(x) : undefined)
    }
  })
}

test(`erf and erfc at x itself within ${ERF_BUDGET.ulps} ulps (the functions gelu's tails rest on)`, () => {
  const ref = TABLE.functions.erf
  const b: Budget = { ulps: () => ERF_BUDGET.ulps, why: ERF_BUDGET.why }
  within('erf(x)', TABLE.x, TABLE.x.map(erf), ref.f, b)
  within('erfc(x)', TABLE.x, TABLE.x.map(erfc), ref.df, b)
})

test('the table reaches the tails: |x| up to 745, results down to the subnormals, every kink exactly', () => {
  const xs = TABLE.x
  assert.ok(Math.max(...xs) > 745 && Math.min(...xs) < -745)
  for (const k of [0, 20, 10, 5e-324, -5e-324]) assert.ok(xs.includes(k), `x = ${k} missing`)
  const tiny = TABLE.functions.sigmoid.f.filter((e) => hiOf(e) !== 0 && Math.abs(hiOf(e)) < MIN_NORMAL).length
  assert.ok(tiny >= 2, `only ${tiny} subnormal sigmoid values`)
})

test.run()
