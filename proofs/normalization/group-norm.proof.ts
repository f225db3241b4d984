/**
 * Group normalization's backward (src/normalization/group-norm.ts (5)): each
 * block of C/G channels of one sample is standardized by its own statistics,
 * with gamma and beta per channel (not per group).
 */
import fc from 'fast-check'
import { make } from '../../src/core/tensor.ts'
import type { Derivation } from '../derivation.ts'
import { gradients } from '../library.ts'
import { type NormPoint, normPoints, normalizationDerivation } from './standardization.ts'

const shapes = fc.record({
  n: fc.integer({ min: 1, max: 2 }),
  cg: fc.integer({ min: 1, max: 3 }),
  groups: fc.integer({ min: 1, max: 3 }),
  spatial: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 1 }),
}).filter(({ cg, spatial }) => cg * spatial.reduce((a, b) => a * b, 1) >= 2)
  .map(({ n, cg, groups, spatial }) => ({ shape: [n, cg * groups, ...spatial], attrs: { num_groups: groups } }))

const variables = normPoints(shapes, (shape, attrs) => {
  const c = shape[1], s = shape.slice(2).reduce((a, b) => a * b, 1), G = attrs.num_groups as number
  const block = (c / G) * s
  return { groupOf: (i) => Math.floor(i / block), paramOf: (i) => Math.floor(i / s) % c, groups: shape[0] * G, params: c }
})

export const derivation: Derivation<NormPoint> = normalizationDerivation({
  id: 'normalization/group-norm',
  title: 'Group norm backward',
  m: 'L',
  intro: [
    'Group norm splits the $C$ channels into $G$ groups of $C/G$ consecutive channels and standardizes each sample\'s block of $L = (C/G) \\prod(\\text{spatial})$ values with that block\'s own statistics, then scales and shifts per channel. In every sum below, $j$ and $l$ run over the $L$ positions of the block of $i$:',
    '',
    '$$\\mu = \\frac1L \\sum_j x_j, \\quad \\sigma^2 = \\frac1L \\sum_j (x_j - \\mu)^2, \\quad r = \\frac{1}{\\sqrt{\\sigma^2 + \\epsilon}}, \\quad \\hat x_j = (x_j - \\mu)\\, r, \\quad y_j = \\gamma_j\\, \\hat x_j + \\beta_j.$$',
    '',
    'With $g = \\partial L / \\partial y$, write $\\hat g_j = \\gamma_j\\, g_j$, $\\gamma_j$ the scale of $j$\'s channel: a block spans several channels, so $\\gamma$ changes inside the sums.',
  ].join('\n'),
  outro: 'With $G = 1$ the block is a whole sample (layer norm over channels and space, with per-channel parameters); with $G = C$ it is one plane (instance norm). The same three-term formula covers both.',
  variables,
  library: {
    latex: '\\operatorname{vjp}\\big(\\texttt{group\\_norm},\\ x,\\ g\\big)_i',
    reason: 'The library\'s backward, `src/normalization/group-norm.ts` (5) by way of `src/normalization/standardize.ts` (5), called through `vjp` with the op from the registry.',
    value: (p) => gradients('group_norm', p.attrs, {
      x: make(p.shape, p.x), weight: make([p.gamma.length], p.gamma), bias: make([p.beta.length], p.beta),
    }, { y: make(p.shape, p.g) }).x,
  },
})

export const derivations: readonly Derivation[] = [derivation]
