/**
 * Adam's bias correction (src/optimizers/adam.ts (2), (4), (6)): started at
 * m_0 = 0, the first moment m_t underestimates the mean gradient by the factor
 * 1 - beta1^t, and dividing by it makes m-hat unbiased. Exact over discrete
 * gradient distributions (a one-point distribution is a constant gradient);
 * bounded Monte Carlo over continuous ones.
 */
import fc from 'fast-check'
import { type Key, split, uniformArray } from '../../src/core/random.ts'
import { make } from '../../src/core/tensor.ts'
import { corrections } from '../../src/optimizers/adam.ts'
import { EPS64 } from '../../spec/laws/tolerance.ts'
import type { Derivation } from '../derivation.ts'
import { forward } from '../library.ts'
import { uniform } from '../points.ts'
import { monteCarlo, rounding } from '../tolerance.ts'

// ------------------------------------------------------------ exact: E[m_t]

interface Exact {
  readonly beta1: number
  readonly t: number
  /** the stationary gradient distribution: support and probabilities */
  readonly values: readonly number[]
  readonly probs: readonly number[]
}

/** beta1 in [0, 0.99] (0.9 often), t in 1..6, gradients on 1 to 3 points in [-2, 2] (at most 729 sequences). */
const exactPoints: fc.Arbitrary<Exact> = fc.record({
  beta1: fc.oneof(fc.constant(0.9), uniform(0, 0.99)),
  t: fc.integer({ min: 1, max: 6 }),
  support: fc.integer({ min: 1, max: 3 }).chain((k) => fc.tuple(
    fc.array(uniform(-2, 2), { minLength: k, maxLength: k }),
    fc.array(uniform(0.1, 1), { minLength: k, maxLength: k }),
  )),
}).map(({ beta1, t, support: [values, w] }) => {
  const s = w.reduce((a, b) => a + b, 0)
  return { beta1, t, values, probs: w.map((x) => x / s) }
})

/** Every gradient sequence g_1..g_t (k^t of them) with its probability. */
const sequences = (q: Exact): { seq: number[][]; prob: number[] } => {
  const k = q.values.length
  const seq: number[][] = [], prob: number[] = []
  for (let code = 0; code < k ** q.t; code++) {
    const s: number[] = []
    let p = 1, c = code
    for (let i = 0; i < q.t; i++) { s.push(q.values[c % k]); p *= q.probs[c % k]; c = Math.floor(c / k) }
    seq.push(s)
    prob.push(p)
  }
  return { seq, prob }
}

const overSequences = (q: Exact, f: (g: number[]) => number): number => {
  const { seq, prob } = sequences(q)
  return seq.reduce((acc, g, j) => acc + prob[j] * f(g), 0)
}

const meanG = (q: Exact): number => q.values.reduce((a, v, i) => a + q.probs[i] * v, 0)

export const firstMoment: Derivation<Exact> = {
  id: 'optimization/adam-bias-correction/first-moment',
  title: 'Adam\'s first moment is biased toward zero',
  intro: [
    'Adam keeps an exponential moving average of the gradients, started at zero:',
    '',
    '$$m_0 = 0, \\qquad m_s = \\beta_1\\, m_{s-1} + (1 - \\beta_1)\\, g_s.$$',
    '',
    'Suppose the gradients $g_1, g_2, \\dots$ are independent draws from one distribution (stationary), with mean $\\mathbb E[g]$. The claim: $\\mathbb E[m_t] = (1 - \\beta_1^t)\\, \\mathbb E[g]$, well below $\\mathbb E[g]$ in the first steps ($1 - 0.9^1 = 0.1$). The lines are checked exactly, by enumerating every gradient sequence of a random discrete distribution; a one-point distribution is a constant gradient, for which $m_t = (1 - \\beta_1^t)\\, g$ holds without any expectation.',
  ].join('\n'),
  variables: exactPoints,
  steps: [
    {
      latex: '\\mathbb E[m_t]',
      reason: 'The mean of the moving average after $t$ steps, computed by running the recursion on every possible gradient sequence and weighting each by its probability.',
      value: (q) => overSequences(q, (g) => g.reduce((m, gs) => q.beta1 * m + (1 - q.beta1) * gs, 0)),
    },
    {
      latex: '\\mathbb E\\Bigl[(1 - \\beta_1) \\sum_{s=1}^{t} \\beta_1^{\\,t-s}\\, g_s\\Bigr]',
      reason: 'Unroll the recursion from $m_0 = 0$: each gradient enters once, scaled by $1 - \\beta_1$ and then by $\\beta_1$ for every later step.',
      value: (q) => overSequences(q, (g) => (1 - q.beta1) * g.reduce((acc, gs, i) => acc + q.beta1 ** (q.t - 1 - i) * gs, 0)),
    },
    {
      latex: '(1 - \\beta_1) \\sum_{s=1}^{t} \\beta_1^{\\,t-s}\\, \\mathbb E[g]',
      reason: 'Linearity of expectation, and stationarity: every $g_s$ has the same mean $\\mathbb E[g]$.',
      value: (q) => { let s = 0; for (let i = 1; i <= q.t; i++) s += q.beta1 ** (q.t - i); return (1 - q.beta1) * s * meanG(q) },
    },
    {
      latex: '\\bigl(1 - \\beta_1^{\\,t}\\bigr)\\, \\mathbb E[g]',
      reason: 'A geometric sum: $(1 - \\beta_1)(1 + \\beta_1 + \\dots + \\beta_1^{t-1}) = 1 - \\beta_1^t$. The weights of the gradients add up to $1 - \\beta_1^t$, not 1; the missing $\\beta_1^t$ is the weight of the zero the average started from.',
      value: (q) => (1 - q.beta1 ** q.t) * meanG(q),
    },
    {
      latex: '\\mathbb E\\bigl[\\, m_t \\text{ after } t \\text{ calls of } \\texttt{adam\\_step} \\,\\bigr]',
      reason: 'The library\'s `exp_avg`, `src/optimizers/adam.ts` (2) through the `adam_step` op from the registry, run from zero on every gradient sequence at once (one element per sequence) and averaged with the same weights.',
      value: (q) => {
        const { seq, prob } = sequences(q)
        const n = seq.length
        let param = make([n], new Float64Array(n)), m = make([n], new Float64Array(n)), v = make([n], new Float64Array(n))
        for (let s = 0; s < q.t; s++) {
          const out = forward('adam_step', { beta1: q.beta1, step: s + 1 }, { param, grad: make([n], Float64Array.from(seq, (g) => g[s])), exp_avg: m, exp_avg_sq: v })
          param = out.param; m = out.exp_avg; v = out.exp_avg_sq
        }
        return prob.reduce((acc, p, j) => acc + p * m.data[j], 0)
      },
    },
  ],
  // Sums over N = k^t sequences of products of t probabilities and an average
  // of t gradients (|.| <= 2); the weights sum to 1: gamma_{N + 2t + 8} of 2.
  tolerance: rounding(4, (q: Exact) => (q.values.length ** q.t + 2 * q.t + 8) * 2, '4 (N + 2t + 8) eps 2 over N = k^t sequences, |g| <= 2'),
}

// ------------------------------------------------------ Monte Carlo: E[m-hat_t]

interface Sampled {
  readonly beta1: number
  readonly t: number
  /** gradients uniform on [lo, hi] */
  readonly lo: number
  readonly hi: number
  readonly key: Key
}

/** Independent gradient sequences simulated at once, one tensor element each. */
export const SEQUENCES = 4096
/** Hoeffding's failure probability per comparison; 200 runs: <= 2e-10 in all. */
export const DELTA = 1e-12

/** beta1 in [0, 0.99], t in 1..10, [lo, hi] inside [-2, 2] of width >= 0.1. */
const sampledPoints = (key: Key): Sampled => {
  const [ku, kk] = split(key)
  const u = uniformArray(ku, 4)
  const a = -2 + 4 * u[2], b = -2 + 4 * u[3]
  const lo = Math.min(a, b), hi = Math.max(Math.max(a, b), Math.min(a, b) + 0.1)
  return { beta1: 0.99 * u[0], t: 1 + Math.floor(10 * u[1]), lo, hi, key: kk }
}

export const unbiased: Derivation<Sampled> = {
  id: 'optimization/adam-bias-correction/unbiased',
  title: 'The corrected moment m̂ is unbiased',
  intro: 'Adam divides by the factor just found: $\\hat m_t = m_t / (1 - \\beta_1^t)$. Here the gradients are continuous, uniform on an interval $[a, b]$, and the last line simulates the library\'s optimizer on many independent gradient sequences.',
  variables: sampledPoints,
  steps: [
    {
      latex: '\\mathbb E\\bigl[\\hat m_t\\bigr] = \\frac{\\mathbb E[m_t]}{1 - \\beta_1^{\\,t}}',
      reason: 'The correction is a constant, so it comes out of the expectation; $\\mathbb E[m_t] = (1 - \\beta_1)\\sum_s \\beta_1^{t-s}\\, \\mathbb E[g]$ as in the unrolled form above, with $\\mathbb E[g] = (a + b)/2$.',
      value: (q) => { let s = 0; for (let i = 1; i <= q.t; i++) s += q.beta1 ** (q.t - i); return ((1 - q.beta1) * s * (q.lo + q.hi)) / 2 / (1 - q.beta1 ** q.t) },
    },
    {
      latex: '\\frac{1 - \\beta_1^{\\,t}}{1 - \\beta_1^{\\,t}}\\, \\mathbb E[g] = \\mathbb E[g]',
      reason: 'The geometric sum again: the correction divides by exactly the total weight of the gradients, so $\\hat m_t$ is a weighted average of $g_1, \\dots, g_t$ with weights adding up to 1.',
      value: (q) => (q.lo + q.hi) / 2,
    },
    {
      relation: '\\approx',
      latex: '\\overline{\\hat m_t} \\text{ over } 4096 \\text{ runs of } \\texttt{adam\\_step}, \\qquad \\hat m_t = m_t \\cdot \\frac{\\text{step size}}{\\eta}',
      reason: 'The library\'s optimizer on 4096 independent uniform gradient sequences (one tensor element each), its `exp_avg` after $t$ steps times its own correction factor: the step size $\\eta / (1 - \\beta_1^t)$ of `src/optimizers/adam.ts` (4), (6), divided by $\\eta$.',
      value: (q) => {
        const n = SEQUENCES
        let param = make([n], new Float64Array(n)), m = make([n], new Float64Array(n)), v = make([n], new Float64Array(n))
        const keys = split(q.key, q.t)
        for (let s = 0; s < q.t; s++) {
          const g = uniformArray(keys[s], n).map((u) => q.lo + (q.hi - q.lo) * u)
          const out = forward('adam_step', { beta1: q.beta1, step: s + 1 }, { param, grad: make([n], g), exp_avg: m, exp_avg_sq: v })
          param = out.param; m = out.exp_avg; v = out.exp_avg_sq
        }
        const lr = 1e-3 // adam_step's default
        const correction = corrections({ lr, beta1: q.beta1, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false }, q.t).stepSize / lr
        let s = 0
        for (const mj of m.data) s += mj * correction
        return s / n
      },
      // Each m-hat is a weighted average of gradients in [a, b] (the weights are
      // nonnegative and sum to 1), so it lies in [a, b]: Hoeffding with R = b - a,
      // M = 4096, delta = 1e-12, i.e. |deviation| <= 0.059 (b - a) except with
      // probability 1e-12 per run.
      tolerance: monteCarlo((q: Sampled) => q.hi - q.lo, (q: Sampled) => Math.max(Math.abs(q.lo), Math.abs(q.hi)), () => SEQUENCES, DELTA, 'R = b - a, M = 4096 sequences'),
    },
  ],
  // Lines 0 and 1: a geometric sum of t <= 10 nonnegative weights times a mean
  // of size <= 2, divided by 1 - beta1^t. The sum is accurate to (t + 4) ulps;
  // 1 - beta1^t carries the absolute rounding of beta1^t (t ulps of 1), which
  // is relative error t eps / (1 - beta1^t) once divided by: hence
  // 64 (t + 4) eps 2 / (1 - beta1^t), 64 ulps for the powers.
  tolerance: { text: 'float64 rounding, 64 (t + 4) eps 2 / (1 - beta1^t)', bound: (q) => (64 * (q.t + 4) * EPS64 * 2) / (1 - q.beta1 ** q.t) },
  outro: 'The second moment gets the same treatment: $\\mathbb E[v_t] = (1 - \\beta_2^t)\\, \\mathbb E[g^2]$, corrected by $1 - \\beta_2^t$. Without them the first steps are mis-scaled: correcting $v$ alone, the first step would be $1 - \\beta_1 = 0.1$ of its size; correcting neither, it would be $0.1 / \\sqrt{0.001} \\approx 3.2$ times too large (default betas, $t = 1$).',
}

export const title = 'Adam\'s bias correction'

export const derivations: readonly Derivation[] = [firstMoment, unbiased]
