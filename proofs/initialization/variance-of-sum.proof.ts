/**
 * The variance of a layer's pre-activation, Var(sum_i w_i x_i) = n Var(w) Var(x),
 * the computation behind LeCun's and Xavier's 1/n (src/initializers/variance-scaling.ts).
 * Exact by enumeration over discrete distributions, then one bounded Monte
 * Carlo line on the library's own initializer.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type Key, split, uniformArray } from '../../src/core/random.ts'
import { varianceScaling } from '../../src/initializers/variance-scaling.ts'
import type { Derivation } from '../derivation.ts'
import { mul, paren, pow, sub, sym } from '../expr.ts'
import { monteCarlo, rounding } from '../tolerance.ts'
import { type Dist, expectation, mean, outcomes, zeroMean } from './distributions.ts'

interface Point {
  readonly n: number
  readonly w: Dist
  readonly x: Dist
  /** for the Monte Carlo line */
  readonly key: Key
}

/** Monte Carlo draws of the library's weights (at least; rounded up to whole rows of n). */
export const DRAWS = 16384
/** Hoeffding's failure probability per Monte Carlo comparison. */
export const DELTA = 1e-12

/**
 * n in 1..4 inputs; w zero-mean on 2 or 3 points with Var(w) = 1/n (LeCun's
 * and Xavier's fan-in choice: lines 0-5 hold for any variance, and both sides
 * scale with it, so fixing it loses nothing); x zero-mean on 2 or 3 points.
 */
const variables = (key: Key): Point => {
  const [kn, kw, kx, km] = split(key, 4)
  const n = 1 + Math.floor(uniformArray(kn, 1)[0] * 4)
  return { n, w: zeroMean(kw, 1 / n), x: zeroMean(kx), key: km }
}

const sq = (v: number) => v * v
const varOf = (d: Dist) => mean(d, (v) => sq(v - mean(d)))
const copies = (d: Dist, n: number): Dist[] => Array.from({ length: n }, () => d)

/** E[f(w, x)] for one independent pair. */
const pair = (p: Point, f: (w: number, x: number) => number) => expectation([p.w, p.x], (v) => f(v[0], v[1]))

/** M draws of the library's LeCun-uniform weights, [rows, n]: fan_in = n, Var = 1 / n, |w| <= sqrt(3 / n). */
const meanSquareOfLibraryWeights = (p: Point): number => {
  const rows = Math.ceil(DRAWS / p.n)
  const w = varianceScaling(p.key, [rows, p.n], { scale: 1, mode: 'fan_in', distribution: 'uniform' })
  if (E.isLeft(w)) throw new Error(`variance_scaling: ${w.left.arg}: ${w.left.expected}`)
  let s = 0
  for (const v of w.right.data) s += v * v
  return s / w.right.data.length
}

// The scalar lines as Exprs (../expr.ts): each line's LaTeX is generated from the expression its check evaluates.
// #region lines
const N = sym<Point>('n', (p) => p.n)
const VARWX = sym<Point>('\\operatorname{Var}(w x)', (p) => pair(p, (w, x) => sq(w * x)) - sq(pair(p, (w, x) => w * x)))
const EW2 = sym<Point>('\\mathbb E[w^2]', (p) => mean(p.w, sq))
const EX2 = sym<Point>('\\mathbb E[x^2]', (p) => mean(p.x, sq))
const EW = sym<Point>('\\mathbb E[w]', (p) => mean(p.w))
const EX = sym<Point>('\\mathbb E[x]', (p) => mean(p.x))
const VARW = sym<Point>('\\operatorname{Var}(w)', (p) => varOf(p.w))
const VARX = sym<Point>('\\operatorname{Var}(x)', (p) => varOf(p.x))
const W2BAR = sym<Point>('\\overline{w^2}', (p) => meanSquareOfLibraryWeights(p))
export const LINES = {
  diagonal: mul(N, VARWX),
  factored: mul(N, paren(sub(mul(EW2, EX2), mul(pow(EW, 2), pow(EX, 2))))),
  meanZero: mul(N, EW2, EX2),
  variances: mul(N, VARW, VARX),
  preserved: VARX,
  library: mul(N, W2BAR, VARX),
}
// #endregion lines

export const derivation: Derivation<Point> = {
  id: 'initialization/variance-of-sum',
  title: 'The variance of a sum of products: n Var(w) Var(x)',
  intro: [
    'A unit of a linear layer computes $s = \\sum_{i=1}^{n} w_i x_i$ from $n$ inputs. At initialization the weights are random: independent, identically distributed, with mean 0, and independent of the inputs, which are themselves independent with mean 0. How large is $s$?',
    '',
    'The lines below are checked exactly: $w$ and $x$ are drawn as random discrete distributions (two or three support points each), and every expectation is a finite sum over all outcomes. The last line brings in the library\'s initializer, by sampling.',
  ].join('\n'),
  variables,
  runs: 100,
  steps: [
    {
      latex: '\\operatorname{Var}\\Bigl(\\sum_{i=1}^{n} w_i x_i\\Bigr)',
      reason: 'The variance of the unit\'s output, $\\mathbb E[s^2] - \\mathbb E[s]^2$, computed by enumerating every outcome of the $2n$ independent variables.',
      value: (p) => {
        const ds = [...copies(p.w, p.n), ...copies(p.x, p.n)]
        const s = (v: Float64Array) => { let t = 0; for (let i = 0; i < p.n; i++) t += v[i] * v[p.n + i]; return t }
        return expectation(ds, (v) => sq(s(v))) - sq(expectation(ds, s))
      },
    },
    {
      latex: '\\sum_{i,\\,j} \\operatorname{Cov}\\bigl(w_i x_i,\\ w_j x_j\\bigr)',
      reason: 'The variance of a sum is the sum of the covariances of all pairs of its terms, the diagonal $i = j$ included.',
      value: (p) => {
        const ewx = pair(p, (w, x) => w * x)
        let total = 0
        for (let i = 0; i < p.n; i++) for (let j = 0; j < p.n; j++) {
          total += i === j
            ? pair(p, (w, x) => sq(w * x)) - sq(ewx)
            : expectation([p.w, p.x, p.w, p.x], (v) => v[0] * v[1] * v[2] * v[3]) - ewx * ewx
        }
        return total
      },
    },
    {
      latex: LINES.diagonal.tex,
      reason: 'For $i \\ne j$ the two terms share no variable, so they are independent and their covariance is 0; the $n$ diagonal terms all have the same distribution.',
      value: (p) => LINES.diagonal.ev(p),
    },
    {
      latex: LINES.factored.tex,
      reason: 'Since $w$ and $x$ are independent, expectations of their products factor: $\\mathbb E[(wx)^2] = \\mathbb E[w^2]\\,\\mathbb E[x^2]$ and $\\mathbb E[wx] = \\mathbb E[w]\\,\\mathbb E[x]$.',
      value: (p) => LINES.factored.ev(p),
    },
    {
      latex: LINES.meanZero.tex,
      reason: 'The weights have mean 0, which removes the second term (whatever the mean of $x$).',
      value: (p) => LINES.meanZero.ev(p),
    },
    {
      latex: LINES.variances.tex,
      reason: 'With mean 0, a second moment is a variance; for $x$ this is where its zero mean is used.',
      value: (p) => LINES.variances.ev(p),
    },
    {
      latex: LINES.preserved.tex,
      reason: 'Choosing $\\operatorname{Var}(w) = 1/n$, with $n$ the fan-in (LeCun; the forward half of Xavier/Glorot), makes the layer keep the variance of its input.',
      value: (p) => LINES.preserved.ev(p),
    },
    {
      relation: '\\approx',
      latex: `${LINES.library.tex}, \\qquad w \\sim \\texttt{variance\\_scaling}(\\text{scale } 1,\\ \\text{fan\\_in},\\ \\text{uniform})`,
      reason: 'The library\'s initializer for that choice, `src/initializers/variance-scaling.ts` (2) and (5): the mean square $\\overline{w^2}$ of 16384 of its draws estimates $\\operatorname{Var}(w)$.',
      value: (p) => LINES.library.ev(p),
      // w^2 lies in [0, b^2] with b^2 = 3 / n, so the line lies in an interval
      // of width R = n Var(x) 3 / n = 3 Var(x); Hoeffding with delta = 1e-12 per
      // run: at 100 runs, a false failure has probability <= 1e-10 (union bound).
      tolerance: monteCarlo((p: Point) => 3 * varOf(p.x), (p: Point) => 3 * varOf(p.x), (p: Point) => Math.ceil(DRAWS / p.n) * p.n, DELTA, 'R = 3 Var(x), M >= 16384 draws'),
    },
  ],
  // Sums over at most N = 9^4 outcomes of products of at most 2n + 2 factors;
  // the absolute values of all terms add up to at most (n^2 + n + 1) E[w^2] E[x^2]
  // (Cauchy-Schwarz bounds each covariance's terms by E[w^2] E[x^2]).
  tolerance: rounding(4, (p: Point) => (outcomes([...copies(p.w, p.n), ...copies(p.x, p.n)]) + 2 * p.n + 8) * (p.n * p.n + p.n + 1) * mean(p.w, sq) * mean(p.x, sq),
    '4 (N + 2n + 8) (n^2 + n + 1) E[w^2] E[x^2] eps over N outcomes'),
  outro: 'Glorot and Bengio ask the same of the backward pass, where the sum runs over the $n_{\\text{out}}$ units a weight feeds, and compromise on $\\operatorname{Var}(w) = 2/(n_{\\text{in}} + n_{\\text{out}})$. The derivation needs only independence and zero means: not normality, which is why uniform and normal initializers with the same variance behave alike.',
}

export const derivations: readonly Derivation[] = [derivation]
