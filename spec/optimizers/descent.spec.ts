/**
 * Each optimizer decreases a convex quadratic f(theta) = 1/2 theta^T A theta -
 * b^T theta (A symmetric positive definite, L = ||A||_F >= lambda_max) when its
 * rate satisfies a stated condition. Each law checks a Lyapunov function V
 * step by step (V(t+1) <= V(t) up to rounding, ./support.ts descentSlack),
 * that f never rises above f(theta_0), and a strict decrease over the run
 * when the initial gradient is not tiny (|grad f(theta_0)|^2 >= 1e-2, so that
 * the guaranteed decrease dwarfs rounding). Conditions, with the argument:
 *
 * SGD, lr < 2/L. f(theta - lr g) <= f - lr |g|^2 (1 - lr L / 2) (descent
 * lemma): V = f.
 *
 * Momentum (heavy ball; PyTorch b' = mu b + g, theta' = theta - lr b'), lr <
 * 2(1 - mu)/L. With d_t = theta_{t+1} - theta_t = mu d_{t-1} - lr g_t, the
 * descent lemma and 2 mu d_{t-1}.d_t <= mu (|d_{t-1}|^2 + |d_t|^2) give
 *   V_{t+1} <= V_t - |d_t|^2 ((1 - mu)/lr - L/2),   V_t = f(theta_t) + mu/(2 lr) |d_{t-1}|^2
 * and d_{t-1} = -lr b_t, so V_t = f(theta_t) + mu lr |b_t|^2 / 2.
 *
 * Nesterov (PyTorch form), lr <= 1/L. In the lectures' variables x = theta +
 * lr mu b (the point before the look-ahead; see sgd.spec.ts) the method is
 * y_t = x_t + mu d_{t-1}, x_{t+1} = y_t - lr grad f(y_t). The descent lemma at
 * y_t, convexity f(y_t) <= f(x_t) + grad f(y_t).(y_t - x_t), and
 * grad f(y_t) = (mu d_{t-1} - d_t)/lr give
 *   V_{t+1} <= V_t - (1 - mu^2) |d_{t-1}|^2 / (2 lr) - lr (1 - lr L) |grad f(y_t)|^2 / 2,
 *   V_t = f(x_t) + |d_{t-1}|^2 / (2 lr) = f(theta_t + lr mu b_t) + lr |b_t|^2 / 2.
 *
 * Adaptive methods: each step is theta' = theta - lr D g with D diagonal,
 * 0 < D_ii <= d; then f(theta') <= f - lr g^T D g (1 - lr L d / 2), since
 * |D g|^2 <= d g^T D g. So lr < 2/(L d) decreases f at every step.
 *  - Adam with beta1 = 0: m' = g, bc1 = 1, D_ii = 1/(sqrt(v^_i) + eps) <= 1/eps:
 *    lr < 2 eps / L. With beta1 > 0 the direction m^ is not g, and the argument
 *    only covers the first step (m^ = g there): checked for that step.
 *  - AdaGrad: D_ii = clr/lr / (sqrt(s'_i) + eps), s' >= initial accumulator s0,
 *    clr <= lr: lr < 2 (sqrt(s0) + eps) / L.
 *  - RMSProp (no momentum, not centered): D_ii = 1/(sqrt(a'_i) + eps) <= 1/eps:
 *    lr < 2 eps / L.
 * The adaptive laws draw eps in [0.01, 1] so that the condition allows a
 * visible step; every lr is c times the bound, c in [0.05, 0.95].
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import { adagrad } from '../../src/optimizers/adagrad.ts'
import { adam } from '../../src/optimizers/adam.ts'
import { rmsprop } from '../../src/optimizers/rmsprop.ts'
import { sgd } from '../../src/optimizers/sgd.ts'
import { type Verdict, failed, ok } from '../laws/result.ts'
import { property } from '../support/property.ts'
import { type Quadratic, descentSlack, f, grad, quadraticArb, real, trajectory, unwrap } from './support.ts'

const test = suite('descent on convex quadratics')

const K = 20
const fraction = real(0.05, 0.95)
const withQ = <T>(arb: fc.Arbitrary<T>) => fc.tuple(quadraticArb, arb).map(([qt, rest]) => ({ ...qt, ...rest }))

const norm2 = (v: ArrayLike<number>): number => { let s = 0; for (let i = 0; i < v.length; i++) s += v[i] * v[i]; return s }

/** V nonincreasing along `points` (V = f at the point plus `kinetic`), f never above f(theta_0), strict overall decrease. */
const lyapunov = (q: Quadratic, points: Float64Array[], kinetic: (t: number) => number, slackExtra: (t: number) => number, spread?: (t: number) => ArrayLike<number>): Verdict => {
  const V = (t: number) => f(q, points[t]) + kinetic(t)
  for (let t = 0; t + 1 < points.length; t++) {
    const slack = descentSlack(q, points[t], points[t + 1], slackExtra(t), spread?.(t))
    if (!(V(t + 1) <= V(t) + slack)) return failed(`step ${t + 1}: V rose from ${V(t)} to ${V(t + 1)} (slack ${slack})`)
  }
  const f0 = f(q, points[0]), fK = f(q, points[points.length - 1])
  if (norm2(grad(q, points[0])) >= 1e-2 && !(fK < f0)) return failed(`no decrease over ${points.length - 1} steps: f ${f0} -> ${fK}`)
  return ok
}

property(test, 'SGD with lr < 2/L decreases f at every step', withQ(fc.record({ c: fraction })), ({ q, theta0, c }) => {
  const lr = (c * 2) / q.L
  const { thetas } = trajectory(unwrap(sgd({ lr })), theta0, K, (t) => grad(q, t))
  return lyapunov(q, thetas, () => 0, () => 0)
})

property(test, 'SGD with momentum mu and lr < 2(1 - mu)/L: V = f + mu lr |b|^2 / 2 never rises', withQ(fc.record({ c: fraction, mu: real(0, 0.95) })), ({ q, theta0, c, mu }) => {
  const lr = (c * 2 * (1 - mu)) / q.L
  const { thetas, states } = trajectory(unwrap(sgd({ lr, momentum: mu })), theta0, K, (t) => grad(q, t))
  const buf = (t: number) => states[t].momentumBuffer.w?.data ?? new Float64Array(q.n)
  const kinetic = (t: number) => (mu * lr * norm2(buf(t))) / 2
  // the buffer's own rounding, 2u (mu |b| + |g|) per entry, moves V by mu lr |b'| times it
  const extra = (t: number) => {
    const g = grad(q, thetas[t]), b = buf(t), b1 = buf(t + 1)
    let s = kinetic(t) + kinetic(t + 1)
    for (let i = 0; i < q.n; i++) s += mu * lr * Math.abs(b1[i]) * (mu * Math.abs(b[i]) + Math.abs(g[i]))
    return s
  }
  return lyapunov(q, thetas, kinetic, extra)
})

property(test, 'Nesterov with lr <= 1/L: V = f(theta + lr mu b) + lr |b|^2 / 2 never rises', withQ(fc.record({ c: fraction, mu: real(0.01, 0.95) })), ({ q, theta0, c, mu }) => {
  const lr = c / q.L
  const { thetas, states } = trajectory(unwrap(sgd({ lr, momentum: mu, nesterov: true })), theta0, K, (t) => grad(q, t))
  const buf = (t: number) => states[t].momentumBuffer.w?.data ?? new Float64Array(q.n)
  const xs = thetas.map((th, t) => Float64Array.from(th, (v, i) => v + lr * mu * buf(t)[i]))
  const kinetic = (t: number) => (lr * norm2(buf(t))) / 2
  const extra = (t: number) => {
    const g = grad(q, thetas[t]), b = buf(t), b1 = buf(t + 1)
    let s = kinetic(t) + kinetic(t + 1)
    for (let i = 0; i < q.n; i++) s += lr * Math.abs(b1[i]) * (mu * Math.abs(b[i]) + Math.abs(g[i]))
    return s
  }
  // x = theta + lr mu b is formed from numbers that can be larger than x itself
  const spread = (t: number) => Float64Array.from(thetas[t], (v, i) =>
    Math.abs(v) + Math.abs(thetas[t + 1][i]) + lr * (Math.abs(buf(t)[i]) + Math.abs(buf(t + 1)[i]) + Math.abs(grad(q, thetas[t])[i])))
  return lyapunov(q, xs, kinetic, extra, spread)
})

const adaptive = fc.record({ c: fraction, eps: real(0.01, 1) })

property(test, 'Adam with beta1 = 0 and lr < 2 eps/L decreases f at every step', withQ(fc.record({ a: adaptive, beta2: real(0, 0.999) })), ({ q, theta0, a, beta2 }) => {
  const lr = (a.c * 2 * a.eps) / q.L
  const { thetas } = trajectory(unwrap(adam({ lr, beta1: 0, beta2, eps: a.eps })), theta0, K, (t) => grad(q, t))
  return lyapunov(q, thetas, () => 0, () => 0)
})

property(test, 'Adam with any beta1 and lr < 2 eps/L decreases f on its first step', withQ(fc.record({ a: adaptive, beta1: real(0, 0.99), beta2: real(0, 0.999) })), ({ q, theta0, a, beta1, beta2 }) => {
  const lr = (a.c * 2 * a.eps) / q.L
  const { thetas } = trajectory(unwrap(adam({ lr, beta1, beta2, eps: a.eps })), theta0, 1, (t) => grad(q, t))
  return lyapunov(q, thetas, () => 0, () => 0)
})

property(test, 'AdaGrad with lr < 2 (sqrt(s0) + eps)/L decreases f at every step', withQ(fc.record({ a: adaptive, s0: real(0, 1), lrDecay: real(0, 0.5) })), ({ q, theta0, a, s0, lrDecay }) => {
  const lr = (a.c * 2 * (Math.sqrt(s0) + a.eps)) / q.L
  const { thetas } = trajectory(unwrap(adagrad({ lr, eps: a.eps, initialAccumulatorValue: s0, lrDecay })), theta0, K, (t) => grad(q, t))
  return lyapunov(q, thetas, () => 0, () => 0)
})

property(test, 'RMSProp (no momentum, not centered) with lr < 2 eps/L decreases f at every step', withQ(fc.record({ a: adaptive, alpha: real(0, 0.999) })), ({ q, theta0, a, alpha }) => {
  const lr = (a.c * 2 * a.eps) / q.L
  const { thetas } = trajectory(unwrap(rmsprop({ lr, alpha, eps: a.eps })), theta0, K, (t) => grad(q, t))
  return lyapunov(q, thetas, () => 0, () => 0)
})

test.run()
