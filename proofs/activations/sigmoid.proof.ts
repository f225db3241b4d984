/**
 * The logistic sigmoid's derivative, y (1 - y), and its maximum 1/4
 * (src/activations/sigmoid.ts (2)).
 */
import { make } from '../../src/core/tensor.ts'
import type { Derivation } from '../derivation.ts'
import { add, call, exp, frac, mul, neg, num, paren, pow, sub, sym } from '../expr.ts'
import { forward } from '../library.ts'
import { type Point, elementwise, library, measured, points, pointwiseTolerance } from './pointwise.ts'

const sigma = (x: number): number => 1 / (1 + Math.exp(-x))

// The algebraic lines as Exprs (../expr.ts): the LaTeX shown is generated from what the check evaluates.
// #region lines
const X = sym<number>('x', (x) => x)
const ENX = exp(neg(X))
const ONE = num<number>(1)
const SIG = call<number>('\\sigma', X, sigma)
const Y = sym<number>('y', (y) => y)
export const LINES = {
  quotient: frac(ENX, pow(add(ONE, ENX), 2)),
  split: mul(frac(ONE, add(ONE, ENX)), frac(ENX, add(ONE, ENX))),
  product: mul(SIG, paren(sub(ONE, SIG))),
  output: mul(Y, paren(sub(ONE, Y))),
  square: sub(frac(ONE, num(4)), pow(sub(Y, frac(ONE, num(2))), 2)),
}
// #endregion lines

/** y = sigmoid(x) as the library's forward computes it (the value its backward caches). */
const y = (p: Point): Float64Array => forward('sigmoid', {}, { x: make([p.x.length], p.x) }).y.data

export const derivation: Derivation<Point> = {
  id: 'activations/sigmoid',
  title: 'The sigmoid\'s derivative and its maximum',
  intro: 'The logistic sigmoid is $\\sigma(x) = \\dfrac{1}{1 + e^{-x}}$ and its output is $y = \\sigma(x)$. Its backward multiplies the upstream gradient by $\\sigma\'(x)$, and that factor is never larger than $\\tfrac14$: a chain of $k$ sigmoids scales gradients by at most $4^{-k}$.',
  variables: points,
  steps: [
    measured('\\sigma\'(x) = \\frac{d}{dx}\\,\\frac{1}{1 + e^{-x}}', 'The slope of the sigmoid, measured by a central difference of the definition.', sigma),
    {
      latex: LINES.quotient.tex,
      reason: 'The chain rule: the derivative of $u^{-1}$ is $-u^{-2}$, times the derivative $-e^{-x}$ of $u = 1 + e^{-x}$.',
      value: elementwise(LINES.quotient.ev),
    },
    {
      latex: LINES.split.tex,
      reason: 'Split the square in the denominator into two factors.',
      value: elementwise(LINES.split.ev),
    },
    {
      latex: LINES.product.tex,
      reason: 'The first factor is $\\sigma(x)$, and the second is $1 - \\sigma(x)$ because $\\frac{e^{-x}}{1 + e^{-x}} = \\frac{(1 + e^{-x}) - 1}{1 + e^{-x}}$.',
      value: elementwise(LINES.product.ev),
    },
    {
      latex: LINES.output.tex,
      reason: 'In terms of the output $y = \\sigma(x)$ of the library\'s forward pass, which is what the backward pass has at hand: no exponential needs to be recomputed.',
      value: (p) => y(p).map(LINES.output.ev),
    },
    {
      latex: LINES.square.tex,
      reason: 'Completing the square: $y - y^2 = \\tfrac14 - (y - \\tfrac12)^2$. So the slope is at most $\\tfrac14$, reached only at $y = \\tfrac12$, that is at $x = 0$.',
      value: (p) => y(p).map(LINES.square.ev),
    },
    library('sigmoid', {}, '\\operatorname{vjp}\\big(\\texttt{sigmoid},\\ x,\\ g = 1\\big)', 'The library\'s backward with upstream gradient 1, `src/activations/sigmoid.ts` (2), through `vjp` with the op from the registry; it evaluates $\\sigma(x)\\,\\sigma(-x)$, the same number without the cancellation of $1 - y$ for large $x$.'),
  ],
  tolerance: pointwiseTolerance,
  outro: 'Karpathy\'s point, read off the last lines: every sigmoid gate multiplies the gradient by at most $\\tfrac14$, and by almost nothing once $|x|$ is large ($\\sigma\'(5) \\approx 0.0066$).',
}

export const derivations: readonly Derivation[] = [derivation]
