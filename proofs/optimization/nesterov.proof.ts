/**
 * Nesterov momentum: PyTorch's buffer form (src/optimizers/sgd.ts (2)-(4),
 * nesterov) is the lectures' look-ahead form in the variable theta = x + rho v.
 */
import fc from 'fast-check'
import { make } from '../../src/core/tensor.ts'
import type { Derivation } from '../derivation.ts'
import { forward } from '../library.ts'
import { uniform, vector } from '../points.ts'
import { perPoint } from '../tolerance.ts'
import { EPS64 } from '../../spec/laws/tolerance.ts'

interface Point {
  /** momentum rho and learning rate eta */
  readonly rho: number
  readonly eta: number
  /** steps */
  readonly T: number
  /** start: position and velocity of the look-ahead form */
  readonly x0: Float64Array
  readonly v0: Float64Array
  /** grad f(theta) = tanh(theta - c) + a theta: smooth, nonlinear, Lipschitz <= 2 */
  readonly c: Float64Array
  readonly a: Float64Array
}

const variables: fc.Arbitrary<Point> = fc.integer({ min: 1, max: 4 }).chain((d) => fc.record({
  rho: uniform(0.05, 0.99), eta: uniform(0.01, 1), T: fc.integer({ min: 1, max: 5 }),
  x0: vector(d, -2, 2), v0: vector(d, -2, 2), c: vector(d, -1, 1), a: vector(d, 0, 1),
}))

const grad = (q: Point, th: Float64Array): Float64Array => Float64Array.from(th, (t, i) => Math.tanh(t - q.c[i]) + q.a[i] * t)
const axpy = (a: Float64Array, s: number, b: Float64Array) => Float64Array.from(a, (ai, i) => ai + s * b[i])
const cat = (a: Float64Array, b: Float64Array) => { const o = new Float64Array(a.length + b.length); o.set(a); o.set(b, a.length); return o }

/** The look-ahead form, T steps: every x_t, v_t and gradient (for the tolerance's scale too). */
const lookAhead = perPoint((q: Point) => {
  let x = q.x0, v = q.v0
  const seen: Float64Array[] = [x, v.map((vi) => vi / q.eta)]
  for (let t = 0; t < q.T; t++) {
    const g = grad(q, axpy(x, q.rho, v))
    v = axpy(v.map((vi) => q.rho * vi), -q.eta, g)
    x = axpy(x, 1, v)
    seen.push(x, v.map((vi) => vi / q.eta), g)
  }
  return { x, v, seen }
})

/**
 * Rounding. Each step rounds a few operations on numbers of size at most B
 * (the largest |x|, |v| / eta, |gradient| along the run); an error in
 * (theta, v) grows per step by at most 1 + rho + eta L (1 + rho) <= 6, with
 * L <= 2 the gradient's Lipschitz constant. So 64 * 6^T eps B covers T steps
 * in either form; b = -v / eta is compared in units where v / eta is <= B.
 */
const scale = perPoint((q: Point) => {
  let b = 1
  for (const s of lookAhead(q).seen) for (const v of s) b = Math.max(b, Math.abs(v))
  return 64 * 6 ** q.T * b
})

export const derivation: Derivation<Point> = {
  id: 'optimization/nesterov',
  title: 'Nesterov momentum: the look-ahead form and PyTorch\'s buffer form',
  intro: [
    'Nesterov momentum is usually taught in its look-ahead form (Sutskever et al. 2013): with learning rate $\\eta$ and momentum $\\rho$, evaluate the gradient where the momentum is about to carry the parameters,',
    '',
    '$$v_{t+1} = \\rho\\, v_t - \\eta\\, \\nabla f(x_t + \\rho\\, v_t), \\qquad x_{t+1} = x_t + v_{t+1}.$$',
    '',
    'PyTorch\'s `SGD(nesterov=True)` computes something that looks different: a buffer of gradients and one gradient evaluation at the current parameters. The claim: the two are the same algorithm, in the variables $\\theta = x + \\rho v$ and $b = -v / \\eta$. The lines run both forms for $T \\le 5$ steps on a nonlinear $f$ and compare the pair $(\\theta_T, b_T)$.',
  ].join('\n'),
  variables,
  steps: [
    {
      latex: '\\bigl(x_T + \\rho\\, v_T,\\ \\ -v_T / \\eta\\bigr), \\qquad v_{t+1} = \\rho\\, v_t - \\eta\\, \\nabla f(x_t + \\rho\\, v_t), \\quad x_{t+1} = x_t + v_{t+1}',
      reason: 'The look-ahead form run for $T$ steps, read in the new variables: the look-ahead point $\\theta = x + \\rho v$ and the rescaled velocity $b = -v/\\eta$.',
      value: (q) => { const { x, v } = lookAhead(q); return cat(axpy(x, q.rho, v), v.map((vi) => -vi / q.eta)) },
    },
    {
      relation: '',
      latex: '\\theta_{t+1} = \\theta_t - \\rho\\, v_t + (1 + \\rho)\\, v_{t+1}, \\qquad v_{t+1} = \\rho\\, v_t - \\eta\\, \\nabla f(\\theta_t)',
      reason: 'Substitute $x_t = \\theta_t - \\rho v_t$: the gradient is now taken at the current variable $\\theta_t$ itself, and $\\theta_{t+1} = x_{t+1} + \\rho v_{t+1} = \\theta_t - \\rho v_t + v_{t+1} + \\rho v_{t+1}$ (run from $\\theta_0 = x_0 + \\rho v_0$).',
      value: (q) => {
        let th = axpy(q.x0, q.rho, q.v0), v = q.v0
        for (let t = 0; t < q.T; t++) {
          const v1 = axpy(v.map((vi) => q.rho * vi), -q.eta, grad(q, th))
          th = Float64Array.from(th, (ti, i) => ti - q.rho * v[i] + (1 + q.rho) * v1[i])
          v = v1
        }
        return cat(th, v.map((vi) => -vi / q.eta))
      },
    },
    {
      relation: '',
      latex: '\\theta_{t+1} = \\theta_t - \\eta\\, \\nabla f(\\theta_t) + \\rho\\, v_{t+1}',
      reason: 'By the velocity update, $v_{t+1} - \\rho v_t = -\\eta \\nabla f(\\theta_t)$: a gradient step from $\\theta_t$, plus the new velocity once more.',
      value: (q) => {
        let th = axpy(q.x0, q.rho, q.v0), v = q.v0
        for (let t = 0; t < q.T; t++) {
          const g = grad(q, th)
          v = axpy(v.map((vi) => q.rho * vi), -q.eta, g)
          th = Float64Array.from(th, (ti, i) => ti - q.eta * g[i] + q.rho * v[i])
        }
        return cat(th, v.map((vi) => -vi / q.eta))
      },
    },
    {
      relation: '',
      latex: 'b_{t+1} = \\rho\\, b_t + \\nabla f(\\theta_t), \\qquad \\theta_{t+1} = \\theta_t - \\eta \\bigl(\\nabla f(\\theta_t) + \\rho\\, b_{t+1}\\bigr)',
      reason: 'Divide the velocity by $-\\eta$: $b = -v/\\eta$ is a running sum of gradients, PyTorch\'s momentum buffer, and the update is PyTorch\'s Nesterov step $d + \\rho\\, b\'$ (from $b_0 = -v_0/\\eta$).',
      value: (q) => {
        let th = axpy(q.x0, q.rho, q.v0), b = q.v0.map((vi) => -vi / q.eta)
        for (let t = 0; t < q.T; t++) {
          const g = grad(q, th)
          b = axpy(b.map((bi) => q.rho * bi), 1, g)
          th = Float64Array.from(th, (ti, i) => ti - q.eta * (g[i] + q.rho * b[i]))
        }
        return cat(th, b)
      },
    },
    {
      relation: '',
      latex: '\\bigl(\\theta_T,\\ b_T\\bigr) \\text{ from } T \\text{ calls of } \\texttt{sgd\\_step}(\\text{momentum } \\rho,\\ \\text{nesterov})',
      reason: 'The library\'s step, `src/optimizers/sgd.ts` (2)-(4) through the `sgd_step` op from the registry, called $T$ times with the gradient at the current parameters and the buffer it returned.',
      value: (q) => {
        const d = q.x0.length
        let th: Float64Array = axpy(q.x0, q.rho, q.v0), b: Float64Array = q.v0.map((vi) => -vi / q.eta)
        for (let t = 0; t < q.T; t++) {
          const out = forward('sgd_step', { lr: q.eta, momentum: q.rho, nesterov: true }, {
            param: make([d], th), grad: make([d], grad(q, th)), momentum_buffer: make([d], b),
          })
          th = out.param.data
          b = out.momentum_buffer.data
        }
        return cat(th, b)
      },
    },
  ],
  tolerance: { text: 'float64 rounding, 64 6^T eps B over T steps, B the largest |x|, |v|/eta, |gradient| of the run', bound: (q) => scale(q) * EPS64 },
  outro: 'So the look-ahead costs nothing extra: PyTorch stores the look-ahead point as the parameters, and the gradient it needs is the one at the current parameters. The two forms differ only in which point is called "the parameters", which matters at the end of training (PyTorch returns $\\theta$, the look-ahead point) and nowhere else.',
}

export const derivations: readonly Derivation[] = [derivation]
