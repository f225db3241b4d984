/**
 * Why Kaiming (He) initialization doubles LeCun's variance behind a ReLU:
 * E[relu(y)^2] = Var(y) / 2 for a symmetric y, so Var(w) = 2 / n keeps the
 * pre-activation variance from layer to layer (src/initializers/kaiming.ts,
 * src/initializers/gain.ts (3)). Exact by enumeration, then one bounded Monte
 * Carlo line on the library's kaiming_uniform.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type Key, split, uniformArray } from '../../src/core/random.ts'
import { kaimingUniform } from '../../src/initializers/kaiming.ts'
import type { Derivation } from '../derivation.ts'
import { monteCarlo, rounding } from '../tolerance.ts'
import { type Dist, expectation, mean, outcomes, symmetric, zeroMean } from './distributions.ts'
import { DELTA } from './variance-of-sum.proof.ts'
import { frac, mul, num, sym } from '../expr.ts'

/**
 * Draws for the Monte Carlo line: 2^17 values of w^2. With R = 3 Var(y) and
 * delta = 1e-12 per run, Hoeffding allows 3 sqrt(ln(2e12) / 2^18) = 0.031 Var(y)
 * of sampling deviation, while a library whose variance is off by 5% moves the
 * line by 0.05 Var(y): the check catches a 5% error in Var(w) (and the
 * mutation in spec/docs/mutations.json shows it does). The previous 16384
 * draws allowed 0.088 Var(y), which a 5% error passed.
 */
export const KAIMING_DRAWS = 2 ** 17

interface Point {
  readonly n: number
  readonly w: Dist
  /** the previous layer's pre-activation, symmetric about 0 */
  readonly y: Dist
  readonly key: Key
}

/**
 * n in 1..3 inputs; w zero-mean on 2 or 3 points with Var(w) = 2/n (He's
 * choice; the lines before the last two hold for any variance, both sides
 * scaling with it); y symmetric on up to 5 points, an atom at 0 included.
 */
const variables = (key: Key): Point => {
  const [kn, kw, ky, km] = split(key, 4)
  const n = 1 + Math.floor(uniformArray(kn, 1)[0] * 3)
  return { n, w: zeroMean(kw, 2 / n), y: symmetric(ky), key: km }
}

const sq = (v: number) => v * v
const relu = (v: number) => (v > 0 ? v : 0)
const varOf = (d: Dist) => mean(d, (v) => sq(v - mean(d)))
const copies = (d: Dist, n: number): Dist[] => Array.from({ length: n }, () => d)

/** Mean square of M draws of the library's default kaiming_uniform for a [rows, n] weight: gain sqrt 2, fan_in n, |w| <= sqrt(6 / n). */
const meanSquareOfLibraryWeights = (p: Point): number => {
  const rows = Math.ceil(KAIMING_DRAWS / p.n)
  const w = kaimingUniform(p.key, [rows, p.n])
  if (E.isLeft(w)) throw new Error(`kaiming_uniform: ${w.left.arg}: ${w.left.expected}`)
  let s = 0
  for (const v of w.right.data) s += v * v
  return s / w.right.data.length
}

// The scalar lines, as Exprs (../expr.ts): each line's LaTeX is generated from the expression its check evaluates.
// #region lines
const N = sym<Point>('n', (p) => p.n)
const VARW = sym<Point>('\\operatorname{Var}(w)', (p) => varOf(p.w))
const ERELU2 = sym<Point>('\\mathbb E\\bigl[\\operatorname{relu}(y)^2\\bigr]', (p) => mean(p.y, (v) => sq(relu(v))))
const EY2 = sym<Point>('\\mathbb E\\bigl[y^2\\bigr]', (p) => mean(p.y, sq))
const VARY = sym<Point>('\\operatorname{Var}(y)', (p) => varOf(p.y))
const HALF = frac<Point>(num(1), num(2), true)
const W2BAR = sym<Point>('\\overline{w^2}', (p) => meanSquareOfLibraryWeights(p))
export const LINES = {
  secondMoment: mul(N, VARW, ERELU2),
  half: mul(N, VARW, HALF, EY2),
  variance: mul(HALF, N, VARW, VARY),
  preserved: VARY,
  library: mul(HALF, N, W2BAR, VARY),
}
// #endregion lines

export const derivation: Derivation<Point> = {
  id: 'initialization/kaiming-relu',
  title: 'Kaiming initialization: the factor 2 behind a ReLU',
  intro: [
    'In a ReLU network a unit computes $z = \\sum_{i=1}^{n} w_i \\operatorname{relu}(y_i)$ from the previous layer\'s pre-activations $y_i$. Take the weights independent with mean 0, and the $y_i$ independent and symmetric about 0 (as the previous layer\'s $z$ is, when its own weights are symmetric). The inputs to the sum, $\\operatorname{relu}(y_i)$, are now never negative, so their mean is not 0, and the variance of a sum of products needs a second look.',
    '',
    'As for the variance of a sum, the lines are checked exactly over random discrete distributions (the $y_i$ with an atom at 0, which ReLU networks have plenty of); the last line samples the library\'s initializer.',
  ].join('\n'),
  variables,
  runs: 40,
  steps: [
    {
      latex: '\\operatorname{Var}\\Bigl(\\sum_{i=1}^{n} w_i \\operatorname{relu}(y_i)\\Bigr)',
      reason: 'The variance of the unit\'s pre-activation, computed by enumerating every outcome of the $2n$ independent variables.',
      value: (p) => {
        const ds = [...copies(p.w, p.n), ...copies(p.y, p.n)]
        const z = (v: Float64Array) => { let t = 0; for (let i = 0; i < p.n; i++) t += v[i] * relu(v[p.n + i]); return t }
        return expectation(ds, (v) => sq(z(v))) - sq(expectation(ds, z))
      },
    },
    {
      latex: LINES.secondMoment.tex,
      reason: 'The variance of a sum of $n$ independent, identically distributed products with $\\mathbb E[w] = 0$ is $n\\, \\mathbb E[w^2]\\, \\mathbb E[x^2]$ whatever the mean of $x$; here $x = \\operatorname{relu}(y)$, and it is its second moment, not its variance, that counts.',
      value: (p) => LINES.secondMoment.ev(p),
    },
    {
      latex: LINES.half.tex,
      reason: 'ReLU keeps $y^2$ where $y > 0$ and gives 0 elsewhere; $y$ is symmetric, so $y$ and $-y$ are equally likely and the positive half carries exactly half of $\\mathbb E[y^2]$.',
      value: (p) => LINES.half.ev(p),
    },
    {
      latex: LINES.variance.tex,
      reason: 'A symmetric $y$ has mean 0, so its second moment is its variance.',
      value: (p) => LINES.variance.ev(p),
    },
    {
      latex: LINES.preserved.tex,
      reason: 'He et al.\'s choice $\\operatorname{Var}(w) = 2/n$ makes $\\tfrac12\\, n \\operatorname{Var}(w) = 1$: the pre-activations have the same variance in every layer. It is LeCun\'s $1/n$ times 2, the gain $\\sqrt2$ squared, because ReLU zeroes half of its input.',
      value: (p) => LINES.preserved.ev(p),
    },
    {
      relation: '\\approx',
      latex: `${LINES.library.tex}, \\qquad w \\sim \\texttt{kaiming\\_uniform}`,
      reason: 'The library\'s initializer with its defaults (gain $\\sqrt2$ from `src/initializers/gain.ts`, fan-in mode), `src/initializers/kaiming.ts` (4): the mean square of 131072 of its draws estimates $\\operatorname{Var}(w)$.',
      value: (p) => LINES.library.ev(p),
      // w^2 lies in [0, b^2], b^2 = 3 * 2 / n, so the line lies in an interval of
      // width R = n/2 Var(y) 6/n = 3 Var(y); Hoeffding, delta = 1e-12 per run:
      // at 40 runs a false failure has probability <= 4e-11 (union bound).
      tolerance: monteCarlo((p: Point) => 3 * varOf(p.y), (p: Point) => 3 * varOf(p.y), (p: Point) => Math.ceil(KAIMING_DRAWS / p.n) * p.n, DELTA, 'R = 3 Var(y), M >= 131072 draws'),
    },
  ],
  // Sums over at most N = 15^3 outcomes of products of at most 2n + 2 factors;
  // the absolute values of all terms add up to at most (n^2 + n + 1) E[w^2] E[y^2]
  // (Cauchy-Schwarz bounds each cross term by E[w^2] E[relu(y)^2] <= E[w^2] E[y^2]).
  tolerance: rounding(4, (p: Point) => (outcomes([...copies(p.w, p.n), ...copies(p.y, p.n)]) + 2 * p.n + 8) * (p.n * p.n + p.n + 1) * mean(p.w, sq) * mean(p.y, sq),
    '4 (N + 2n + 8) (n^2 + n + 1) E[w^2] E[y^2] eps over N outcomes'),
  outro: 'With LeCun\'s $\\operatorname{Var}(w) = 1/n$ instead, each ReLU layer halves the variance, and after 20 layers the signal is $2^{-20} \\approx 10^{-6}$ of its size at the input. For a leaky ReLU with slope $a$ the kept fraction is $(1 + a^2)/2$, hence PyTorch\'s gain $\\sqrt{2/(1 + a^2)}$.',
}

export const derivations: readonly Derivation[] = [derivation]
