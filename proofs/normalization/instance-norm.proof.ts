/**
 * Instance normalization's backward (src/normalization/instance-norm.ts (5)):
 * each (sample, channel) plane is standardized by its own statistics.
 */
import fc from 'fast-check'
import { make } from '../../src/core/tensor.ts'
import type { Derivation } from '../derivation.ts'
import { gradients } from '../library.ts'
import { type NormPoint, normPoints, normalizationDerivation } from './standardization.ts'

const shapes = fc.record({
  n: fc.integer({ min: 1, max: 2 }),
  c: fc.integer({ min: 1, max: 3 }),
  spatial: fc.oneof(fc.tuple(fc.integer({ min: 2, max: 5 })), fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 2, max: 3 }))),
}).map(({ n, c, spatial }) => ({ shape: [n, c, ...spatial], attrs: {} }))

const variables = normPoints(shapes, (shape) => {
  const c = shape[1], s = shape.slice(2).reduce((a, b) => a * b, 1)
  return { groupOf: (i) => Math.floor(i / s), paramOf: (i) => Math.floor(i / s) % c, groups: shape[0] * c, params: c }
})

export const derivation: Derivation<NormPoint> = normalizationDerivation({
  id: 'normalization/instance-norm',
  title: 'Instance norm backward',
  m: 'S',
  intro: [
    'Instance norm standardizes each plane: for $x$ of shape $[N, C, \\dots]$, the $S = \\prod(\\text{spatial})$ values of one sample in one channel, with that plane\'s own statistics, then scales and shifts per channel. In every sum below, $j$ and $l$ run over the $S$ positions of the plane of $i$:',
    '',
    '$$\\mu = \\frac1S \\sum_j x_j, \\quad \\sigma^2 = \\frac1S \\sum_j (x_j - \\mu)^2, \\quad r = \\frac{1}{\\sqrt{\\sigma^2 + \\epsilon}}, \\quad \\hat x_j = (x_j - \\mu)\\, r, \\quad y_j = \\gamma\\, \\hat x_j + \\beta.$$',
    '',
    'With $g = \\partial L / \\partial y$, write $\\hat g_j = \\gamma\\, g_j$, $\\gamma$ being the channel\'s scale (the same for the whole plane).',
  ].join('\n'),
  outro: 'The statistics of one plane never see another sample, so, unlike batch norm, the gradient of one sample does not depend on the rest of the batch.',
  variables,
  library: {
    latex: '\\operatorname{vjp}\\big(\\texttt{instance\\_norm},\\ x,\\ g\\big)_i',
    reason: 'The library\'s backward, `src/normalization/instance-norm.ts` (5) by way of `src/normalization/standardize.ts` (5), called through `vjp` with the op from the registry.',
    value: (p) => gradients('instance_norm', p.attrs, {
      x: make(p.shape, p.x), weight: make([p.gamma.length], p.gamma), bias: make([p.beta.length], p.beta),
    }, { y: make(p.shape, p.g) }).x,
  },
})

export const derivations: readonly Derivation[] = [derivation]
