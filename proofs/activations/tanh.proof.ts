/**
 * The hyperbolic tangent's derivative, 1 - y^2 = sech^2 x
 * (src/activations/tanh.ts (2)).
 */
import { make } from '../../src/core/tensor.ts'
import type { Derivation } from '../derivation.ts'
import { add, exp, frac, neg, num, paren, pow, sub, sym } from '../expr.ts'

// The algebraic lines as Exprs (../expr.ts): the LaTeX shown is generated from what the check evaluates.
// #region lines
const X = sym<number>('x', (x) => x)
const EP = exp(X), EN = exp(neg(X))
const ONE = num<number>(1)
const Y = sym<number>('y', (y) => y)
export const LINES = {
  quotient: frac(sub(pow(add(EP, EN), 2), pow(sub(EP, EN), 2)), pow(add(EP, EN), 2)),
  divided: sub(ONE, pow(paren(frac(sub(EP, EN), add(EP, EN))), 2)),
  output: sub(ONE, pow(Y, 2)),
  sech: frac(num(4), pow(add(EP, EN), 2)),
}
// #endregion lines
import { forward } from '../library.ts'
import { type Point, elementwise, library, measured, points, pointwiseTolerance } from './pointwise.ts'

const tanh = (x: number): number => (Math.exp(x) - Math.exp(-x)) / (Math.exp(x) + Math.exp(-x))

export const derivation: Derivation<Point> = {
  id: 'activations/tanh',
  title: 'The derivative of tanh',
  intro: 'The hyperbolic tangent is $\\tanh x = \\dfrac{e^{x} - e^{-x}}{e^{x} + e^{-x}}$, with output $y = \\tanh x$. Its slope is $1$ at the origin and decays like $4e^{-2|x|}$.',
  variables: points,
  steps: [
    measured('\\frac{d}{dx}\\,\\frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}', 'The slope of $\\tanh$, measured by a central difference of the definition.', tanh),
    {
      latex: LINES.quotient.tex,
      reason: 'The quotient rule: the derivative of the numerator $e^{x} - e^{-x}$ is the denominator, and the derivative of the denominator is the numerator.',
      value: elementwise(LINES.quotient.ev),
    },
    {
      latex: LINES.divided.tex,
      reason: 'Divide each term of the numerator by the denominator.',
      value: elementwise(LINES.divided.ev),
    },
    {
      latex: LINES.output.tex,
      reason: 'The fraction is $\\tanh x$ itself: the output $y$ of the library\'s forward pass, which the backward pass has at hand.',
      value: (p) => forward('tanh', {}, { x: make([p.x.length], p.x) }).y.data.map(LINES.output.ev),
    },
    {
      latex: `\\operatorname{sech}^2 x = ${LINES.sech.tex}`,
      reason: 'Since $\\cosh^2 x - \\sinh^2 x = 1$, dividing by $\\cosh^2 x$ gives $1 - \\tanh^2 x = 1 / \\cosh^2 x$, with $\\cosh x = \\tfrac12 (e^{x} + e^{-x})$.',
      value: elementwise(LINES.sech.ev),
    },
    library('tanh', {}, '\\operatorname{vjp}\\big(\\texttt{tanh},\\ x,\\ g = 1\\big)', 'The library\'s backward with upstream gradient 1, `src/activations/tanh.ts` (2), through `vjp` with the op from the registry; it evaluates $1/\\cosh^2 x$, which keeps its relative accuracy where $y$ rounds to $\\pm 1$ and $1 - y^2$ would be 0.'),
  ],
  tolerance: pointwiseTolerance,
  outro: 'As with the sigmoid, the gradient through a saturated unit is tiny: $1 - \\tanh^2(5) \\approx 1.8 \\cdot 10^{-4}$. Near the origin, though, $\\tanh$ passes gradients at full strength, where the sigmoid passes at most a quarter.',
}

export const derivations: readonly Derivation[] = [derivation]
