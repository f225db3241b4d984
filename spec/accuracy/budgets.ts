/**
 * The ulp budget of every elementwise function of src/activations/ and of its
 * derivative, each with its argument: a count of roundings, in units of
 * u = 2^-53 (a relative error of k u is less than k ulps, ./ulp.ts).
 *
 * The counts rest on:
 *  - +, -, *, / correctly rounded: u each (IEEE 754).
 *  - Math.exp, expm1, log, log1p: V8's ports of fdlibm (v8/src/base/ieee754.cc),
 *    documented as below 1 ulp: a relative error below 2u.
 *  - Math.tanh, fdlibm's -t / (t + 2) with t = expm1(-2|x|) below |x| = 1 and
 *    1 - 2 / (t + 2) with t = expm1(2|x|) above (no cancellation: the result is
 *    >= 0.76 there), and Math.cosh, (e + 1/e) / 2: below 6u and 4u by the rules
 *    above. Measured on this table they stay below 1.1 and 2.8 ulps.
 *  - The gelu and erf budgets rest on Cody's erfc (ERFC below), measured at
 *    3.4 ulps in spec/activations/erf.spec.ts and derived at 44 here.
 *  - A float64 constant (SQRT1_2, SELU's alpha and scale, gelu's sqrt(2/pi),
 *    0.044715) is within u of the value it names: the reference uses the exact
 *    value, so each constant costs u.
 *  - First order throughout: products of relative errors, (k u)^2 for k below
 *    10^4, are below 10^-23 and vanish in the counts.
 *  - A relative error d of an argument t moves f(t) by cond(t) d relatively,
 *    cond(t) = |t f'(t) / f(t)|, the condition number of f at t.
 *
 * Where a formula sums terms of opposite sign (a derivative through its zero:
 * silu' at x ~ -1.28, mish', gelu'), no evaluation of that formula keeps
 * relative accuracy near the zero; there the budget is in ulps of `scale`, the
 * sum of the terms' magnitudes, which is what the rounding analysis bounds.
 *
 * A result below 2^-1022 is subnormal: an intermediate that underflows (exp(x)
 * for x < -708) carries an absolute error of up to half the subnormal gap,
 * which the formula multiplies by its `underflowGain` (1, or |x| in x sigma(x),
 * x Phi(x) and the like); SUBNORMAL adds that to every budget there.
 */
import { SUBNORMAL_GAP } from './ulp.ts'

export interface Budget {
  /** allowed |computed - exact| in ulps of max(|exact|, scale(x)) */
  readonly ulps: (x: number) => number
  /** the magnitude the error is measured against where terms cancel (default: the exact value itself) */
  readonly scale?: (x: number) => number
  /** what the formula multiplies an underflowed intermediate by (default 1; x sigma(x) and the like: |x|) */
  readonly underflowGain?: (x: number) => number
  readonly why: string
}

export interface Accuracy {
  /** the key of ./table.json */
  readonly name: string
  readonly op: string
  readonly attrs: Readonly<Record<string, unknown>>
  readonly f: Budget
  readonly df: Budget
  /** where the derivative the op returns is, by a documented convention, not the limit (skipped there) */
  readonly dfDomain?: { readonly holds: (x: number) => boolean; readonly why: string }
}

/** Extra ulps for a subnormal result (module header): the underflowed intermediate's half gap times its gain, plus one rounding. */
export const SUBNORMAL = (b: Budget, x: number): number => (b.underflowGain ? Math.max(1, b.underflowGain(x)) : 1) + 1

/** x times an underflowed intermediate (x sigma(x), x Phi(x)). */
const timesX = (x: number): number => Math.abs(x)

const sigma = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)))
const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)))
const sech2 = (x: number): number => 1 / Math.cosh(x) ** 2
const Phi = (x: number): number => 0.5 * erfcApprox(-x * Math.SQRT1_2)
/** erfc to a few digits (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7): only scales and condition numbers use it. */
const erfcApprox = (t: number): number => {
  const z = Math.abs(t), k = 1 / (1 + 0.3275911 * z)
  const r = k * (0.254829592 + k * (-0.284496736 + k * (1.421413741 + k * (-1.453152027 + k * 1.061405429)))) * Math.exp(-z * z)
  return t >= 0 ? r : 2 - r
}
/** cond of erfc at t: <= 2t^2 + 1 for t >= 0 (from erfc(t) > 2 e^-t^2 / (sqrt(pi) (t + sqrt(t^2 + 2))),
 * Abramowitz & Stegun 7.1.13), < 1 for t < 0 (erfc >= 1 there, |t erfc'(t)| <= 2/sqrt(pi) |t| e^-t^2 < 0.5). */
const condErfc = (t: number): number => (t >= 0 ? 2 * t * t + 1 : 1)
const SQRT_2_OVER_PI = 0.7978845608028654, KAPPA = 0.044715
const geluW = (x: number): number => 2 * SQRT_2_OVER_PI * (x + KAPPA * x * x * x)

const exact: Budget = { ulps: () => 0, why: 'a selection of x or 0: no arithmetic' }

// ---------------------------------------------------------------- shared pieces, counted once
/** sigma: x >= 0: exp 2u, 1 + e 2u + u, 1 / . u: 4u; x < 0: e 2u, 1 + e 3u, e / (1 + e) 2u + 3u + u = 6u. */
const SIGMA = 6
/** log1p(e^z) (softplus's (3)): exp 2u, log1p 2u (its condition number t / ((1 + t) log1p t) <= 1), plus z + . (same signs) u. */
const SOFTPLUS = 5
/** tanh and cosh, fdlibm (header). */
const TANH = 6, COSH = 4
/**
 * Cody's erfc (src/activations/erf.ts): Horner with positive coefficients at y > 0 errs by at
 * most gamma(2 deg) relatively in numerator and denominator (Higham 5.1), deg 8 in (2): 16u + 16u +
 * the quotient u; exp(-ysq^2) exp(-del) with ysq^2 exact: 2u + 2u + u; the product u: 39u. (3) is
 * smaller ((SQRPI - r) / y with r < 0.02 SQRPI); (1) has degree 4. erf = (0.5 - erfc) + 0.5 halves
 * erfc's share (erfc <= 0.51 <= erf there) and adds 2u. Rounded up: 40 (erfc) and 44 (erfc(-x) = 2 - r).
 */
const ERFC = 44

export const ACCURACY: readonly Accuracy[] = [
  { name: 'relu', op: 'relu', attrs: {}, f: exact, df: exact },
  {
    name: 'leaky_relu', op: 'leaky_relu', attrs: {},
    f: { ulps: () => 1, why: 'negative_slope x: one product (the reference takes the float64 0.01 as the slope)' },
    df: exact,
  },
  {
    name: 'sigmoid', op: 'sigmoid', attrs: {},
    f: { ulps: () => SIGMA, why: 'exp 2u, 1 + e 3u, the quotient u (x < 0; x >= 0 is 4u)' },
    df: { ulps: () => 2 * SIGMA + 1, why: 'sigma(x) sigma(-x): two sigmas and a product, no 1 - y' },
  },
  {
    name: 'tanh', op: 'tanh', attrs: {},
    f: { ulps: () => TANH, why: 'fdlibm tanh = -t / (t + 2), t = expm1(-2|x|): 2u + 3u + u' },
    df: { ulps: () => 2 * COSH + 2, why: '1 / (c c): cosh 4u twice, the product and the quotient u each' },
  },
  {
    name: 'softsign', op: 'softsign', attrs: {},
    f: { ulps: () => 2, why: '1 + |x| and the quotient: u each' },
    df: { ulps: () => 4, why: '1 / (d d) or 1 / d / d: d u, d d 3u, 1 / . 4u (1 / d 2u, / d 4u)' },
  },
  {
    name: 'silu', op: 'silu', attrs: {},
    f: { ulps: () => SIGMA + 1, underflowGain: timesX, why: 'x sigma(x): sigma and a product' },
    df: {
      underflowGain: timesX,
      ulps: () => 15,
      scale: (x) => sigma(x) * (1 + Math.abs(x * sigma(-x))),
      why: 'sigma(x) (1 + x sigma(-x)): x sigma(-x) 7u, the sum u of 1 + |x sigma(-x)|, sigma(x) 6u, the product u; ' +
        'the sum cancels at x ~ -1.28, so in ulps of sigma(x) (1 + |x sigma(-x)|)',
    },
  },
  {
    name: 'mish', op: 'mish', attrs: {},
    f: { ulps: () => SOFTPLUS + TANH + 1, underflowGain: timesX, why: 's = softplus(x) 5u, tanh(s) 6u plus cond 2s / sinh 2s <= 1 times 5u, x . u' },
    df: {
      underflowGain: timesX,
      ulps: (x) => {
        const s = softplus(x), t2 = Math.abs(x * sigma(x) * sech2(s))
        return 19 + 10 * s * (t2 / (Math.tanh(s) + t2))
      },
      scale: (x) => Math.abs(Math.tanh(softplus(x))) + Math.abs(x * sigma(x) * sech2(softplus(x))),
      why: 'tanh(s) + x sigma(x) sech^2(s): tanh(s) 11u; the second term sigma 6u, sech^2 10u plus its ' +
        'condition 2 s tanh(s) <= 2s times the 5u of s, two products 2u, the sum u; in ulps of the terms\' magnitudes (the sum cancels at x ~ -1.19)',
    },
  },
  {
    name: 'log_sigmoid', op: 'log_sigmoid', attrs: {},
    f: { ulps: () => SOFTPLUS, why: 'min(x, 0) - log1p(exp(-|x|)): both terms <= 0, so log1p(exp) 4u and the difference u' },
    df: { ulps: () => SIGMA, why: 'sigma(-x)' },
  },
  {
    name: 'elu', op: 'elu', attrs: {},
    f: { ulps: () => 3, why: 'alpha expm1(x): expm1 2u, the product u (x > 0: x itself)' },
    df: { ulps: () => 3, why: 'alpha exp(x): exp 2u, the product u, and never expm1(x) + 1' },
  },
  {
    name: 'selu', op: 'selu', attrs: {},
    f: { ulps: () => 6, why: 'x > 0: scale (u) x (u); x <= 0: alpha scale rounded 3u, expm1 2u, the product u' },
    df: { ulps: () => 6, why: 'scale (u), or alpha scale 3u times exp 2u, the product u' },
  },
  {
    name: 'softplus', op: 'softplus', attrs: {},
    f: { ulps: () => SOFTPLUS, why: 'x where x > 20, else log1p(e^x) as (3): 5u' },
    df: { ulps: () => SIGMA, why: '1 where x > 20, else sigma(x)' },
  },
  {
    name: 'softplus_beta2', op: 'softplus', attrs: { beta: 2 },
    f: { ulps: () => SOFTPLUS, why: 'as beta 1: beta x and / beta are exact for beta = 2' },
    df: { ulps: () => SIGMA, why: 'sigma(beta x), beta x exact' },
  },
  {
    name: 'gelu', op: 'gelu', attrs: {},
    f: {
      underflowGain: timesX,
      ulps: (x) => ERFC + 2 * condErfc(-x * Math.SQRT1_2) + 1,
      why: 'x/2 erfc(t), t = -x SQRT1_2 rounded twice (2u: the constant and the product), which erfc multiplies ' +
        'by its condition number <= 2t^2 + 1; erfc 44u; the product u. The left tail is as good as t is: PyTorch rounds t the same way',
    },
    df: {
      underflowGain: timesX,
      ulps: (x) => ERFC + 2 * condErfc(-x * Math.SQRT1_2) + 0.5 * x * x + 6,
      scale: (x) => Phi(x) + Math.abs(x * Math.exp(-0.5 * x * x) * 0.3989422804014327),
      why: 'Phi(x) as above; x phi(x): x x u, so exp(-x^2/2) errs by (x^2/2 + 2)u, the constant and two products 3u; ' +
        'the sum u; in ulps of Phi + |x phi| (the sum cancels at x ~ -0.75)',
    },
  },
  {
    name: 'gelu_tanh', op: 'gelu', attrs: { approximate: 'tanh' },
    f: {
      underflowGain: timesX,
      ulps: (x) => { const w = geluW(x); return SIGMA + 1 + 7 * Math.abs(w) * sigma(-w) },
      why: 'x sigma(w), w = 2 sqrt(2/pi) (x + 0.044715 x^3): x^3 2u, 0.044715 . 2u, the sum u, sqrt(2/pi) . 2u: 7u, ' +
        'times the condition |w| sigma(-w) of sigma at w; sigma 6u, the product u',
    },
    df: {
      underflowGain: timesX,
      ulps: (x) => 23 + 7 * Math.abs(geluW(x)),
      scale: (x) => { const w = geluW(x); return sigma(w) + Math.abs(2 * x * sigma(w) * sigma(-w) * SQRT_2_OVER_PI * (1 + 3 * KAPPA * x * x)) },
      why: 'sigma(w) + 2x sigma(w) sigma(-w) u\': each sigma 6u + 7u |w| (its condition), u\' 7u, three products, the sum; in ulps of the terms\' magnitudes',
    },
    dfDomain: { holds: (x) => Math.abs(x) < 1e154, why: 'past |x| ~ 1.3e154 u\' overflows and the derivative is NaN, as PyTorch\'s (src/activations/gelu.ts)' },
  },
  {
    name: 'gelu_sigmoid', op: 'gelu', attrs: { approximate: 'sigmoid' },
    f: {
      ulps: (x) => { const w = 1.702 * x; return SIGMA + 1 + 2 * Math.abs(w) * sigma(-w) },
      underflowGain: timesX,
      why: 'x sigma(w), w = 1.702 x: the constant and the product 2u, times the condition |w| sigma(-w) of sigma; sigma 6u, the product u',
    },
    df: {
      ulps: (x) => 20 + 2 * Math.abs(1.702 * x),
      scale: (x) => { const w = 1.702 * x; return sigma(w) + Math.abs(w * sigma(w) * sigma(-w)) },
      underflowGain: timesX,
      why: 'sigma(w) + w sigma(w) sigma(-w): each sigma 6u + 2u |w| (its condition), w 2u, three products; in ulps of the terms\' magnitudes',
    },
  },
]

/** erf and erfc themselves at x (what gelu rests on): `f` is erf, `df` is erfc in the table. */
export const ERF_BUDGET = { ulps: ERFC, why: 'Cody\'s rational approximations evaluated in float64 (ERFC above)' }

/**
 * Log-softmax of a lane of n: a_k = x_k - m rounds by u|a_k|; e_k = exp(a_k) by (2 + |a_k|)u;
 * s = sum e_k by (n + 1)u s + u sum e_k |a_k| <= (n + 1)u s + 0.37 (n - 1)u (e^a |a| <= 1/e),
 * <= (1.37 n + 0.63)u s as s >= 1; log s adds 2u log s; y = a - log s adds u|y|. With |a_k| and
 * log s both <= |y| (same signs): |error| <= (1.4 n + 4) u (|y| + 1): in ulps of |y| + 1.
 */
export const logSoftmaxUlps = (n: number): number => 1.4 * n + 4
/** Softmax y_k = e_k / s: (2 + |a_k|)u + (1.37 n + 0.63)u + u relative. */
export const softmaxUlps = (n: number, gap: number): number => 1.4 * n + 4 + gap


/**
 * Log-softmax's VJP dx_k = g_k - exp(y_k) sum g: y_k errs by (1.4 n + 4)u (|y_k| + 1), so exp(y_k) by
 * that times p_k plus 2u p_k, and p (|y| + 1) <= 1 for y <= 0: <= (1.4 n + 6)u absolutely; sum g
 * (n - 1)u sum |g|; the product and the difference u each. In ulps of |g_k| + sum |g|: 2.4 n + 7.
 */
export const logSoftmaxVjpUlps = (n: number): number => 2.4 * n + 7

/**
 * Softmax's VJP dx_k = y_k (g_k - sum_j g_j y_j): each y_j errs by (1.4 n + 4 + gap_j)u relatively
 * and y_j gap_j <= 1/e, so sum g y errs by at most (2.4 n + 3 + 0.37 n)u max|g|; the difference u,
 * y_k's own error. In ulps of y_k (|g_k| + sum |g|): 4.2 n + 8 + gap_k.
 */
export const softmaxVjpUlps = (n: number, gap: number): number => 4.2 * n + 8 + gap

/** Cross entropy's gradient p_k - [k = t] (reduction sum): p_k as softmax, minus 1 exact; in ulps of p_k + [k = t]. */
export const ceGradUlps = (n: number, gap: number): number => 1.4 * n + 5 + gap

export { SUBNORMAL_GAP }
