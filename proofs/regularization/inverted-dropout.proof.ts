/**
 * Inverted dropout keeps the expectation: E_m[dropout(x; m)] = x, so the
 * evaluation mode is the identity (src/regularization/dropout.ts (2), (4)).
 * Exact, by enumerating every keep mask.
 */
import fc from 'fast-check'
import { make } from '../../src/core/tensor.ts'
import type { Derivation } from '../derivation.ts'
import { forward } from '../library.ts'
import { uniform, vector } from '../points.ts'
import { rounding } from '../tolerance.ts'

interface Point {
  /** the probability of dropping a unit */
  readonly p: number
  readonly x: Float64Array
}

/** n <= 8 units (at most 256 masks), x in [-3, 3], p in [0, 0.9] with the ends and 1/2 drawn often. */
const variables: fc.Arbitrary<Point> = fc.record({
  p: fc.oneof(fc.constantFrom(0, 0.5, 0.9), uniform(0, 0.9)),
  x: fc.integer({ min: 1, max: 8 }).chain((n) => vector(n, -3, 3)),
})

/** sum over all 2^n masks m of P(m) f(m), each unit kept (m_j = 1) with probability 1 - p. */
const overMasks = (q: Point, f: (m: Float64Array) => Float64Array): Float64Array => {
  const n = q.x.length
  const total = new Float64Array(n)
  for (let code = 0; code < 2 ** n; code++) {
    const m = new Float64Array(n)
    let w = 1
    for (let j = 0; j < n; j++) { m[j] = (code >> j) & 1; w *= m[j] === 1 ? 1 - q.p : q.p }
    const y = f(m)
    for (let i = 0; i < n; i++) total[i] += w * y[i]
  }
  return total
}

const train = (q: Point, m: Float64Array): Float64Array =>
  forward('dropout', { p: q.p, training: true, inverted: true }, { x: make([q.x.length], q.x), mask: make([q.x.length], m, 'bool') }).y.data

export const derivation: Derivation<Point> = {
  id: 'regularization/inverted-dropout',
  title: 'Inverted dropout keeps the expectation',
  intro: [
    'In training, dropout keeps each unit independently with probability $1 - p$ (so $p$ is the probability of *dropping* it, PyTorch\'s convention) and, in its inverted form, scales the survivors by $1/(1-p)$:',
    '',
    '$$\\operatorname{dropout}(x;\\ m)_i = \\frac{m_i\\, x_i}{1 - p}, \\qquad m_i \\sim \\operatorname{Bernoulli}(1 - p).$$',
    '',
    'The claim: on average over the masks, the output is the input, so at test time no rescaling is needed. It is checked exactly: for $n \\le 8$ units, the expectation is the sum over all $2^n$ masks weighted by their probabilities.',
  ].join('\n'),
  variables,
  steps: [
    {
      latex: '\\mathbb E_m\\bigl[\\operatorname{dropout}(x;\\ m)_i\\bigr]',
      reason: 'The expected training output, as a sum over all $2^n$ keep masks of the library\'s `dropout` forward in training mode, each mask weighted by its probability.',
      value: (q) => overMasks(q, (m) => train(q, m)),
    },
    {
      latex: '\\sum_{m \\in \\{0, 1\\}^n} \\Bigl( \\prod_{j} (1 - p)^{m_j}\\, p^{1 - m_j} \\Bigr) \\frac{m_i\\, x_i}{1 - p}',
      reason: 'The definition of inverted dropout, and the probability of a mask: the units are kept independently, each with probability $1 - p$.',
      value: (q) => overMasks(q, (m) => Float64Array.from(q.x, (xi, i) => (m[i] * xi) / (1 - q.p))),
    },
    {
      latex: '\\frac{x_i}{1 - p}\\, \\mathbb E[m_i]',
      reason: 'Linearity of expectation: $x_i / (1 - p)$ does not depend on the mask.',
      value: (q) => {
        const em = overMasks(q, (m) => m)
        return Float64Array.from(q.x, (xi, i) => (xi / (1 - q.p)) * em[i])
      },
    },
    {
      latex: '\\frac{x_i}{1 - p}\\, (1 - p)',
      reason: 'A Bernoulli variable\'s mean is its probability of being 1.',
      value: (q) => Float64Array.from(q.x, (xi) => (xi / (1 - q.p)) * (1 - q.p)),
    },
    {
      latex: 'x_i',
      reason: 'The two factors cancel, for any $p < 1$.',
      value: (q) => q.x,
    },
    {
      latex: '\\operatorname{dropout}_{\\text{eval}}(x)_i',
      reason: 'Which is what the library\'s evaluation mode returns, `src/regularization/dropout.ts` (4): the identity, with no mask and no scale.',
      value: (q) => forward('dropout', { p: q.p, training: false, inverted: true }, { x: make([q.x.length], q.x) }).y,
    },
  ],
  // Sums over N = 2^n masks of products of n probabilities and one value of
  // size <= |x| / (1 - p) <= 30; the weights sum to 1, so the terms' absolute
  // values add up to <= max|x| / (1 - p): gamma_{N + n + 8} of that.
  tolerance: rounding(4, (q: Point) => (2 ** q.x.length + q.x.length + 8) * Math.max(...Array.from(q.x, Math.abs)) / (1 - q.p),
    '4 (2^n + n + 8) eps max|x| / (1 - p)'),
  outro: 'Vanilla (non-inverted) dropout leaves the survivors unscaled, so its training output has mean $(1 - p)\\, x$ and its evaluation mode must multiply by $1 - p$ instead. The backward pass multiplies the upstream gradient by the same $m_i / (1 - p)$, so the expected gradient is unchanged too.',
}

export const derivations: readonly Derivation[] = [derivation]
