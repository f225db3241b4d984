/**
 * Errors in ulps against a reference known to far more digits than a float64
 * (./table.json, [hi, lo] pairs: the exact value is hi + lo, hi its correctly
 * rounded float64).
 *
 * ulp(r) is the gap between consecutive float64s at r: 2^(e - 52) for
 * 2^e <= |r| < 2^(e+1), and 2^-1074 (the subnormal gap) for |r| < 2^-1022.
 * One correctly rounded operation errs by at most 0.5 ulp of its result, and a
 * relative error delta of a normal value r is |delta r| < |delta| 2^(e+1) =
 * (|delta| / u) ulp(r), u = 2^-53 the unit roundoff: a relative error of k u
 * is less than k ulps. The budgets of ./budgets.ts count in those units.
 */
import { readFileSync } from 'node:fs'

export const SUBNORMAL_GAP = 2 ** -1074
export const MIN_NORMAL = 2 ** -1022

/** The gap between float64s at |r| (r finite). */
export const ulp = (r: number): number => {
  const a = Math.abs(r)
  if (a < MIN_NORMAL) return SUBNORMAL_GAP
  if (!Number.isFinite(a)) return Infinity
  let e = Math.floor(Math.log2(a))
  // log2 may round across a power of two: settle e so that 2^e <= a < 2^(e+1)
  if (2 ** e > a) e--
  else if (2 ** (e + 1) <= a) e++
  return 2 ** (e - 52)
}

export type Exact = readonly [number | 'inf' | '-inf', number]

const num = (v: number | 'inf' | '-inf'): number => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v)

/**
 * |computed - exact| in ulps of the exact value (the ulp of hi, its rounding):
 * ((computed - hi) - lo) / ulp(hi). The difference computed - hi is exact
 * whenever the two are within a factor 2 (Sterbenz), so for any error below
 * 2^52 ulps the measure itself errs by at most 0.003 ulp (lo's 3 digits,
 * within 0.5% of |lo| <= 0.5 ulp).
 * Infinite references: 0 when computed equals it, else Infinity.
 */
export const ulpError = (computed: number, exact: Exact): number => {
  const hi = num(exact[0])
  if (!Number.isFinite(hi)) return computed === hi ? 0 : Infinity
  if (Number.isNaN(computed)) return Infinity
  return Math.abs((computed - hi) - exact[1]) / ulp(hi)
}

export interface Table {
  readonly precision_bits: number
  readonly x: readonly number[]
  readonly functions: Readonly<Record<string, { readonly f: readonly Exact[]; readonly df: readonly Exact[] }>>
  readonly rows: readonly {
    readonly x: readonly number[]
    readonly log_softmax: readonly Exact[]
    readonly softmax: readonly Exact[]
    /** VJPs with the cotangent [1, 2, ..., n] */
    readonly log_softmax_vjp: readonly Exact[]
    readonly softmax_vjp: readonly Exact[]
    /** d CE / dx for class ce_target, reduction sum: softmax - onehot */
    readonly ce_target: number
    readonly ce_grad: readonly Exact[]
  }[]
}

/** ./table.json, written by ./reference.py (mpmath at 200 bits). */
export const TABLE: Table = JSON.parse(readFileSync(new URL('./table.json', import.meta.url), 'utf8'))
