/**
 * The gradient of cross entropy over softmax is p - y
 * (src/losses/cross-entropy.ts (7), with no weights and no smoothing).
 */
import fc from 'fast-check'
import { make } from '../../src/core/tensor.ts'
import type { Derivation } from '../derivation.ts'
import { forward, gradients } from '../library.ts'
import { vector } from '../points.ts'
import { type Objective, centralDifferences, differenceTolerance, rounding } from '../tolerance.ts'

interface Point {
  readonly n: number
  readonly c: number
  /** logits [N, C], row-major */
  readonly x: Float64Array
  /** the class of each row */
  readonly y: readonly number[]
}

/** N <= 3 rows of C <= 6 logits in [-5, 5] (spec/laws/tolerance.ts's range), a class per row. */
const variables: fc.Arbitrary<Point> = fc.record({ n: fc.integer({ min: 1, max: 3 }), c: fc.integer({ min: 2, max: 6 }) })
  .chain(({ n, c }) => fc.record({
    n: fc.constant(n), c: fc.constant(c),
    x: vector(n * c, -5, 5),
    y: fc.array(fc.integer({ min: 0, max: c - 1 }), { minLength: n, maxLength: n }),
  }))

/** L = -(1/N) sum_n log(e^{x_{n y_n}} / sum_c e^{x_{nc}}), the definition as written (no shift: |x| <= 5 cannot overflow). */
const loss = (p: Point): Objective => (x) => {
  let f = 0, s = 0
  for (let r = 0; r < p.n; r++) {
    let z = 0
    for (let k = 0; k < p.c; k++) z += Math.exp(x[r * p.c + k])
    const t = -Math.log(Math.exp(x[r * p.c + p.y[r]]) / z) / p.n
    f += t
    // a log is accurate to a few ulps of 1 (its argument's relative error), not of its value
    s += Math.abs(t) + 1 / p.n
  }
  return { f, n: p.n + p.c, s }
}

const each = (f: (p: Point, r: number, k: number) => number) => (p: Point): Float64Array =>
  Float64Array.from({ length: p.n * p.c }, (_, i) => f(p, Math.floor(i / p.c), i % p.c))

const sumExp = (p: Point, r: number, shift = 0): number => {
  let z = 0
  for (let k = 0; k < p.c; k++) z += Math.exp(p.x[r * p.c + k] - shift)
  return z
}

const rowMax = (p: Point, r: number): number => Math.max(...p.x.subarray(r * p.c, (r + 1) * p.c))

export const derivation: Derivation<Point> = {
  id: 'losses/softmax-cross-entropy',
  title: 'Softmax cross-entropy: the gradient is p − y',
  intro: [
    'Cross entropy takes logits $x$ of shape $[N, C]$ and a class $y_n$ per row, turns each row into probabilities with the softmax, and averages the negative log-probability of the right class over the batch (PyTorch\'s default `reduction="mean"`):',
    '',
    '$$L = -\\frac1N \\sum_n \\log p_{n y_n}, \\qquad p_{nk} = \\frac{e^{x_{nk}}}{\\sum_c e^{x_{nc}}}.$$',
    '',
    'The claim: the gradient with respect to the logits is the predicted distribution minus the one-hot target, divided by $N$.',
  ].join('\n'),
  variables,
  steps: [
    {
      latex: '\\frac{\\partial L}{\\partial x_{nk}}, \\qquad L = -\\frac1N \\sum_n \\log \\frac{e^{x_{n y_n}}}{\\sum_c e^{x_{nc}}}',
      reason: 'The gradient of the loss in each logit, measured by a central difference of the definition.',
      value: (p) => centralDifferences(loss(p), p.x),
      tolerance: differenceTolerance((p: Point) => p.x, loss),
    },
    {
      latex: '-\\frac1N \\left( [k = y_n] - \\frac{e^{x_{nk}}}{\\sum_c e^{x_{nc}}} \\right)',
      reason: 'Only row $n$ of the sum depends on $x_{nk}$; its log of a quotient is $x_{n y_n} - \\log \\sum_c e^{x_{nc}}$, whose first term has derivative $[k = y_n]$ (1 when $k$ is the target class, else 0) and whose second, by the chain rule, $e^{x_{nk}} / \\sum_c e^{x_{nc}}$.',
      value: each((p, r, k) => -((k === p.y[r] ? 1 : 0) - Math.exp(p.x[r * p.c + k]) / sumExp(p, r)) / p.n),
    },
    {
      latex: '\\frac1N \\bigl( p_{nk} - [k = y_n] \\bigr), \\qquad p_{nk} = \\frac{e^{x_{nk} - m_n}}{\\sum_c e^{x_{nc} - m_n}}',
      reason: 'The fraction is the softmax probability $p_{nk}$; subtracting the row maximum $m_n$ from every logit, as any stable implementation does, multiplies numerator and denominator by the same $e^{-m_n}$.',
      value: each((p, r, k) => (Math.exp(p.x[r * p.c + k] - rowMax(p, r)) / sumExp(p, r, rowMax(p, r)) - (k === p.y[r] ? 1 : 0)) / p.n),
    },
    {
      latex: '\\frac1N \\bigl( \\operatorname{softmax}(x_{n\\cdot})_k - y_{nk} \\bigr), \\qquad y_{nk} = [k = y_n]',
      reason: 'With the target written as a one-hot row, the gradient is prediction minus target; here $p$ comes from the library\'s own `softmax` op.',
      value: (p) => {
        const sm = forward('softmax', { dim: -1 }, { x: make([p.n, p.c], p.x) }).y.data
        return each((q, r, k) => (sm[r * q.c + k] - (k === q.y[r] ? 1 : 0)) / q.n)(p)
      },
    },
    {
      latex: '\\operatorname{vjp}\\big(\\texttt{cross\\_entropy},\\ x,\\ y,\\ g = 1\\big)_{nk}',
      reason: 'The library\'s backward with upstream gradient 1, `src/losses/cross-entropy.ts` (7), through `vjp` with the op from the registry.',
      value: (p) => gradients('cross_entropy', { reduction: 'mean' }, {
        input: make([p.n, p.c], p.x), target: make([p.n], Float64Array.from(p.y), 'int64'),
      }, { loss: make([], Float64Array.of(1)) }).input,
    },
  ],
  // Each line adds at most C + 1 terms of size <= 1 (probabilities), divided by N;
  // exp and log cost a few ulps each: 64 (C + 4) eps / N.
  tolerance: rounding(64, (p: Point) => (p.c + 4) / p.n, '64 (C + 4) eps / N: sums of C probabilities'),
  outro: 'Each row of the gradient sums to zero and has absolute sum at most $2/N$, whatever the logits. Taken apart, the softmax\'s Jacobian and the log\'s $1/p$ can each be extreme (the latter overflows as $p$ underflows) while their product is this tame difference: one reason frameworks fuse the two into one op.',
}

export const derivations: readonly Derivation[] = [derivation]
