/**
 * Batch normalization's backward in training (src/normalization/batch-norm.ts
 * (8)): the statistics are the batch's, so the gradient flows through them.
 */
import fc from 'fast-check'
import { make } from '../../src/core/tensor.ts'
import type { Derivation } from '../derivation.ts'
import { gradients } from '../library.ts'
import { type NormPoint, normPoints, normalizationDerivation } from './standardization.ts'

const shapes = fc.record({ n: fc.integer({ min: 2, max: 4 }), c: fc.integer({ min: 1, max: 3 }), spatial: fc.array(fc.integer({ min: 1, max: 2 }), { maxLength: 1 }) })
  .map(({ n, c, spatial }) => ({ shape: [n, c, ...spatial], attrs: { training: true } }))

const variables = normPoints(shapes, (shape) => {
  const c = shape[1], s = shape.slice(2).reduce((a, b) => a * b, 1)
  const channel = (i: number) => Math.floor(i / s) % c
  return { groupOf: channel, paramOf: channel, groups: c, params: c }
})

export const derivation: Derivation<NormPoint> = normalizationDerivation({
  id: 'normalization/batch-norm',
  title: 'Batch norm backward, training mode',
  m: 'm',
  intro: [
    'In training, batch norm standardizes each channel with the statistics of the batch itself. For $x$ of shape $[N, C, \\dots]$, a channel holds $m = N \\cdot \\prod(\\text{spatial})$ values; in every sum below, $j$ and $l$ run over the $m$ positions of the channel of $i$:',
    '',
    '$$\\mu = \\frac1m \\sum_j x_j, \\quad \\sigma^2 = \\frac1m \\sum_j (x_j - \\mu)^2, \\quad r = \\frac{1}{\\sqrt{\\sigma^2 + \\epsilon}}, \\quad \\hat x_j = (x_j - \\mu)\\, r, \\quad y_j = \\gamma\\, \\hat x_j + \\beta.$$',
    '',
    'The variance is the biased one (divide by $m$) and $\\epsilon$ sits inside the root. Write $g = \\partial L / \\partial y$ for the upstream gradient and $\\hat g_j = \\gamma\\, g_j$ (here $\\gamma_j = \\gamma$, the channel\'s scale). Because $\\mu$ and $\\sigma^2$ depend on every $x_j$ of the channel, the gradient is not just $r\\, \\hat g_i$.',
  ].join('\n'),
  outro: 'In evaluation mode the running statistics are constants, every term that came from differentiating $\\mu$ or $\\sigma^2$ vanishes, and the gradient is $r\\, \\hat g_i$ alone.',
  variables,
  library: {
    latex: '\\operatorname{vjp}\\big(\\texttt{batch\\_norm},\\ x,\\ g\\big)_i',
    reason: 'The library\'s backward, `src/normalization/batch-norm.ts` (8) by way of `src/normalization/standardize.ts` (5), called through `vjp` with the op from the registry.',
    value: (p) => gradients('batch_norm', p.attrs, {
      x: make(p.shape, p.x), weight: make([p.gamma.length], p.gamma), bias: make([p.beta.length], p.beta),
    }, { y: make(p.shape, p.g) }).x,
  },
})

export const derivations: readonly Derivation[] = [derivation]
