/**
 * Layer normalization's backward (src/normalization/layer-norm.ts (5)): each
 * row is standardized by its own statistics, with gamma and beta per position.
 */
import fc from 'fast-check'
import { make } from '../../src/core/tensor.ts'
import type { Derivation } from '../derivation.ts'
import { gradients } from '../library.ts'
import { type NormPoint, normPoints, normalizationDerivation } from './standardization.ts'

const shapes = fc.record({
  lead: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 2 }),
  norm: fc.oneof(fc.tuple(fc.integer({ min: 2, max: 6 })), fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 3 }))),
}).map(({ lead, norm }) => ({ shape: [...lead, ...norm], attrs: { normalized_shape: [...norm] as number[] } }))

const variables = normPoints(shapes, (shape, attrs) => {
  const d = (attrs.normalized_shape as number[]).reduce((a, b) => a * b, 1)
  const rows = shape.reduce((a, b) => a * b, 1) / d
  return { groupOf: (i) => Math.floor(i / d), paramOf: (i) => i % d, groups: rows, params: d }
})

const normalizedShape = (p: NormPoint): number[] => p.attrs.normalized_shape as number[]

export const derivation: Derivation<NormPoint> = normalizationDerivation({
  id: 'normalization/layer-norm',
  title: 'Layer norm backward',
  m: 'D',
  intro: [
    'Layer norm standardizes each row: the last dimensions of $x$ (the normalized shape, $D$ values in all) with the row\'s own statistics, and then applies a scale and shift per position inside the normalized shape. In every sum below, $j$ and $l$ run over the $D$ positions of the row of $i$:',
    '',
    '$$\\mu = \\frac1D \\sum_j x_j, \\quad \\sigma^2 = \\frac1D \\sum_j (x_j - \\mu)^2, \\quad r = \\frac{1}{\\sqrt{\\sigma^2 + \\epsilon}}, \\quad \\hat x_j = (x_j - \\mu)\\, r, \\quad y_j = \\gamma_j\\, \\hat x_j + \\beta_j.$$',
    '',
    'With $g = \\partial L / \\partial y$, write $\\hat g_j = \\gamma_j\\, g_j$: unlike batch norm, $\\gamma$ changes along the row, so it stays inside the sums. There is no training mode: the statistics always come from $x$.',
  ].join('\n'),
  outro: 'This is batch norm\'s formula with the roles of the axes exchanged: the sums run along the features of one sample instead of along the batch for one feature.',
  variables,
  library: {
    latex: '\\operatorname{vjp}\\big(\\texttt{layer\\_norm},\\ x,\\ g\\big)_i',
    reason: 'The library\'s backward, `src/normalization/layer-norm.ts` (5) by way of `src/normalization/standardize.ts` (5), called through `vjp` with the op from the registry.',
    value: (p) => gradients('layer_norm', p.attrs, {
      x: make(p.shape, p.x), weight: make(normalizedShape(p), p.gamma), bias: make(normalizedShape(p), p.beta),
    }, { y: make(p.shape, p.g) }).x,
  },
})

export const derivations: readonly Derivation[] = [derivation]
