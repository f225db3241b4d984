/**
 * The logistic sigmoid's derivative, y (1 - y), and its maximum 1/4
 * (src/activations/sigmoid.ts (2)).
 */
import { make } from '../../src/core/tensor.ts'
import type { Derivation } from '../derivation.ts'
import { forward } from '../library.ts'
import { type Point, elementwise, library, measured, points, pointwiseTolerance } from './pointwise.ts'

const sigma = (x: number): number => 1 / (1 + Math.exp(-x))

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
      latex: '\\frac{e^{-x}}{\\left(1 + e^{-x}\\right)^2}',
      reason: 'The chain rule: the derivative of $u^{-1}$ is $-u^{-2}$, times the derivative $-e^{-x}$ of $u = 1 + e^{-x}$.',
      value: elementwise((x) => Math.exp(-x) / (1 + Math.exp(-x)) ** 2),
    },
    {
      latex: '\\frac{1}{1 + e^{-x}} \\cdot \\frac{e^{-x}}{1 + e^{-x}}',
      reason: 'Split the square in the denominator into two factors.',
      value: elementwise((x) => (1 / (1 + Math.exp(-x))) * (Math.exp(-x) / (1 + Math.exp(-x)))),
    },
    {
      latex: '\\sigma(x)\\,\\bigl(1 - \\sigma(x)\\bigr)',
      reason: 'The first factor is $\\sigma(x)$, and the second is $1 - \\sigma(x)$ because $\\frac{e^{-x}}{1 + e^{-x}} = \\frac{(1 + e^{-x}) - 1}{1 + e^{-x}}$.',
      value: elementwise((x) => sigma(x) * (1 - sigma(x))),
    },
    {
      latex: 'y\\,(1 - y)',
      reason: 'In terms of the output $y = \\sigma(x)$ of the library\'s forward pass, which is what the backward pass has at hand: no exponential needs to be recomputed.',
      value: (p) => y(p).map((v) => v * (1 - v)),
    },
    {
      latex: '\\frac14 - \\left(y - \\frac12\\right)^2',
      reason: 'Completing the square: $y - y^2 = \\tfrac14 - (y - \\tfrac12)^2$. So the slope is at most $\\tfrac14$, reached only at $y = \\tfrac12$, that is at $x = 0$.',
      value: (p) => y(p).map((v) => 0.25 - (v - 0.5) ** 2),
    },
    library('sigmoid', {}, '\\operatorname{vjp}\\big(\\texttt{sigmoid},\\ x,\\ g = 1\\big)', 'The library\'s backward with upstream gradient 1, `src/activations/sigmoid.ts` (2), through `vjp` with the op from the registry; it evaluates $\\sigma(x)\\,\\sigma(-x)$, the same number without the cancellation of $1 - y$ for large $x$.'),
  ],
  tolerance: pointwiseTolerance,
  outro: 'Karpathy\'s point, read off the last lines: every sigmoid gate multiplies the gradient by at most $\\tfrac14$, and by almost nothing once $|x|$ is large ($\\sigma\'(5) \\approx 0.0066$).',
}

export const derivations: readonly Derivation[] = [derivation]
