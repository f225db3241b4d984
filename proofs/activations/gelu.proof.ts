/**
 * GELU's derivative, exact (with the normal CDF) and in PyTorch's tanh form
 * (src/activations/gelu.ts (2) and (5)).
 */
import { erf } from '../../src/activations/erf.ts'
import type { Derivation } from '../derivation.ts'
import { type Point, elementwise, library, measured, points, pointwiseTolerance } from './pointwise.ts'

const Phi = (x: number): number => 0.5 * (1 + erf(x / Math.SQRT2))
const KAPPA = 0.044715
const u = (x: number): number => Math.sqrt(2 / Math.PI) * (x + KAPPA * x ** 3)
const du = (x: number): number => Math.sqrt(2 / Math.PI) * (1 + 3 * KAPPA * x * x)
const sigma = (z: number): number => 1 / (1 + Math.exp(-z))

export const exact: Derivation<Point> = {
  id: 'activations/gelu/exact',
  title: 'GELU\'s derivative, exact form',
  intro: 'GELU weighs its input by the probability that a standard normal variable lies below it: $\\operatorname{GELU}(x) = x\\, \\Phi(x)$, with $\\Phi$ the standard normal CDF, $\\Phi(x) = \\tfrac12 \\bigl(1 + \\operatorname{erf}(x/\\sqrt2)\\bigr)$ (PyTorch\'s `approximate="none"`).',
  variables: points,
  steps: [
    measured('\\frac{d}{dx}\\, x\\, \\Phi(x), \\qquad \\Phi(x) = \\frac12\\left(1 + \\operatorname{erf}\\frac{x}{\\sqrt2}\\right)', 'The slope of GELU, measured by a central difference of the definition.', (x) => x * Phi(x)),
    {
      latex: '\\Phi(x) + x \\cdot \\frac12 \\cdot \\frac{2}{\\sqrt\\pi}\\, e^{-(x/\\sqrt2)^2} \\cdot \\frac{1}{\\sqrt2}',
      reason: 'The product rule, then the chain rule on $\\operatorname{erf}(x/\\sqrt2)$, with $\\operatorname{erf}\'(z) = \\frac{2}{\\sqrt\\pi} e^{-z^2}$ and inner derivative $1/\\sqrt2$.',
      value: elementwise((x) => Phi(x) + x * 0.5 * (2 / Math.sqrt(Math.PI)) * Math.exp(-((x / Math.SQRT2) ** 2)) * (1 / Math.SQRT2)),
    },
    {
      latex: '\\Phi(x) + x\\, \\varphi(x), \\qquad \\varphi(x) = \\frac{1}{\\sqrt{2\\pi}}\\, e^{-x^2/2}',
      reason: 'The constants combine to $1/\\sqrt{2\\pi}$ and the exponent to $-x^2/2$: the derivative of the normal CDF is the normal density $\\varphi$.',
      value: elementwise((x) => Phi(x) + x * Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI)),
    },
    library('gelu', { approximate: 'none' }, '\\operatorname{vjp}\\big(\\texttt{gelu},\\ x,\\ g = 1\\big)', 'The library\'s backward with upstream gradient 1, `src/activations/gelu.ts` (2), through `vjp` with the op from the registry.'),
  ],
  tolerance: pointwiseTolerance,
  outro: 'Unlike ReLU\'s, this slope is not confined to $[0, 1]$: it exceeds 1 right of the origin (up to about 1.13, at $x = \\sqrt2$) and dips below 0 left of it (down to about $-0.13$, at $x = -\\sqrt2$).',
}

export const tanhForm: Derivation<Point> = {
  id: 'activations/gelu/tanh',
  title: 'GELU\'s derivative, tanh form',
  intro: 'PyTorch\'s `approximate="tanh"` replaces $\\Phi$ by a tanh curve: $\\operatorname{GELU}(x) \\approx \\tfrac12 x \\bigl(1 + \\tanh u(x)\\bigr)$ with $u(x) = \\sqrt{2/\\pi}\\,(x + \\kappa x^3)$ and $\\kappa = 0.044715$.',
  variables: points,
  steps: [
    measured('\\frac{d}{dx}\\, \\frac12\\, x \\bigl(1 + \\tanh u(x)\\bigr), \\qquad u(x) = \\sqrt{2/\\pi}\\,\\left(x + \\kappa x^3\\right)', 'The slope of the tanh form, measured by a central difference of its definition.', (x) => 0.5 * x * (1 + Math.tanh(u(x)))),
    {
      latex: '\\frac12 \\bigl(1 + \\tanh u\\bigr) + \\frac12\\, x \\left(1 - \\tanh^2 u\\right) u\'(x), \\qquad u\'(x) = \\sqrt{2/\\pi}\\,\\left(1 + 3\\kappa x^2\\right)',
      reason: 'The product rule, then the chain rule with $\\tanh\' = 1 - \\tanh^2$; this is the formula PyTorch\'s kernel evaluates.',
      value: elementwise((x) => 0.5 * (1 + Math.tanh(u(x))) + 0.5 * x * (1 - Math.tanh(u(x)) ** 2) * du(x)),
    },
    {
      latex: '\\sigma(2u) + 2x\\, \\sigma(2u)\\, \\sigma(-2u)\\, u\'(x)',
      reason: 'Since $1 + \\tanh u = 2\\sigma(2u)$ and $1 - \\tanh^2 u = 4\\sigma(2u)\\,\\sigma(-2u)$, with $\\sigma$ the logistic sigmoid: the form the library evaluates, free of the cancellation in $1 + \\tanh u$ for $u \\ll 0$.',
      value: elementwise((x) => sigma(2 * u(x)) + 2 * x * sigma(2 * u(x)) * sigma(-2 * u(x)) * du(x)),
    },
    library('gelu', { approximate: 'tanh' }, '\\operatorname{vjp}\\big(\\texttt{gelu},\\ x,\\ g = 1\\big)', 'The library\'s backward with upstream gradient 1, `src/activations/gelu.ts` (5), through `vjp` with the op from the registry.'),
  ],
  tolerance: pointwiseTolerance,
}

export const title = 'GELU\'s derivative, exact and tanh forms'

export const derivations: readonly Derivation[] = [exact, tanhForm]
