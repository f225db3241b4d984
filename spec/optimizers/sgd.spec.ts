import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as Sgd from '../../src/optimizers/sgd.ts'
import * as SgdStep from '../../src/optimizers/sgd-step.ts'
import type { Params } from '../../src/optimizers/optimizer.ts'
import { vjp } from '../../src/core/op.ts'
import { type Tensor, fromArray, ones } from '../../src/core/tensor.ts'
import { shape } from '../laws/arbitraries.ts'
import { failed, ok } from '../laws/result.ts'
import { EPS64 } from '../laws/tolerance.ts'
import { gradientProperty, property } from '../support/property.ts'
import { type Quadratic, closeToTorch, grad, quadraticArb, real, realTensor, torchTrajectory, unwrap } from './support.ts'
import * as Torch from './torch-1.13.ts'

const test = suite('sgd')

const sgdAttrs = fc.record({
  lr: real(0, 1),
  momentum: fc.oneof(fc.constant(0), real(0.01, 0.99)),
  dampening: fc.oneof(fc.constant(0), real(0, 1)),
  weight_decay: fc.oneof(fc.constant(0), real(0, 1)),
  nesterov: fc.boolean(),
}).map((a) => (a.nesterov && a.momentum > 0 ? { ...a, dampening: 0 } : { ...a, nesterov: false }))

const sgdCase = fc.record({ sh: shape(), attrs: sgdAttrs, withBuffer: fc.boolean() })
  .chain(({ sh, attrs, withBuffer }) => fc.record({ param: realTensor(sh), grad: realTensor(sh), buf: realTensor(sh) })
    .map(({ param, grad, buf }) => ({ attrs, inputs: (withBuffer ? { param, grad, momentum_buffer: buf } : { param, grad }) as Readonly<Record<string, Tensor>> })))

gradientProperty(test, SgdStep.op, sgdCase)

test('PyTorch 1.13 torch.optim.SGD, 3 steps: plain, momentum with dampening and weight decay, Nesterov with weight decay', () => {
  const runs: [Partial<Sgd.Config> & { lr: number }, readonly Torch.StepRecord[]][] = [
    [{ lr: 0.1 }, Torch.sgdPlain],
    [{ lr: 0.1, momentum: 0.9, dampening: 0.3, weightDecay: 0.05 }, Torch.sgdMomentumDampWd],
    [{ lr: 0.2, momentum: 0.8, nesterov: true, weightDecay: 0.1 }, Torch.sgdNesterovWd],
  ]
  for (const [cfg, record] of runs) {
    const v = torchTrajectory(unwrap(Sgd.sgd(cfg)), record, { momentum_buffer: (s) => s.momentumBuffer.w })
    assert.ok(v.ok, v.ok ? '' : `${JSON.stringify(cfg)}: ${v.message}`)
  }
})

test('PyTorch 1.13 through the catalogue op: sgd_step chained on its own momentum_buffer output', () => {
  const attrs = unwrap(SgdStep.op.parseAttrs({ lr: 0.1, momentum: 0.9, dampening: 0.3, weight_decay: 0.05 }))
  let param = fromArray([4], Torch.P0)
  let buf: Tensor | undefined
  Torch.GRADS.forEach((g, t) => {
    const out = unwrap(SgdStep.op.forward(attrs, { param, grad: fromArray([4], g), ...(buf ? { momentum_buffer: buf } : {}) })).outputs
    param = out.param
    buf = out.momentum_buffer
    const v = closeToTorch(`step ${t + 1}`, param.data, Torch.sgdMomentumDampWd[t].param)
    assert.ok(v.ok, v.ok ? '' : v.message)
  })
})

/**
 * Nesterov: PyTorch's form against the lectures' look-ahead form.
 * PyTorch (tau = 0): b_t = mu b_{t-1} + g(theta_{t-1}), theta_t = theta_{t-1} - lr (g + mu b_t), b_0 = 0.
 * Lectures (Sutskever et al. 2013): v_t = mu v_{t-1} - lr grad f(x_{t-1} + mu v_{t-1}), x_t = x_{t-1} + v_t, v_0 = 0.
 * Claim: theta_t = x_t + mu v_t (the look-ahead point) and v_t = -lr b_t.
 * Induction: if theta_{t-1} = x_{t-1} + mu v_{t-1} and v_{t-1} = -lr b_{t-1}, the lectures' gradient is
 * taken at theta_{t-1}, so v_t = -lr (mu b_{t-1} + g) = -lr b_t, and
 *   x_t + mu v_t = theta_{t-1} - mu v_{t-1} + (1 + mu) v_t = theta_{t-1} + lr mu b_{t-1} - (1 + mu) lr b_t
 *               = theta_{t-1} - lr g - lr mu b_t = theta_t
 * (using lr mu b_{t-1} - lr b_t = -lr g). At t = 0 both hold with x_0 = theta_0.
 * PyTorch's first step b_1 = g (clone, no dampening) is the b_0 = 0 case of the recursion.
 *
 * Tolerance. The two computed trajectories each deviate from the exact one by
 * accumulated rounding. On the quadratic each eigen-mode follows a 2x2 linear
 * recurrence with characteristic polynomial z^2 - (1 + mu)(1 - lr a) z + mu (1 - lr a);
 * for 0 <= lr a <= 1 and mu < 1 its roots lie in the closed unit disk (product
 * mu (1 - lr a) < 1; the polynomial is >= 0 at z = +-1), and then every entry of
 * T^k is at most k (|T| + 1) <= 5k (Cayley-Hamilton: T^k = s_k T - det(T) s_{k-1} I
 * with s_k = (z1^k - z2^k) / (z1 - z2), a sum of k terms of modulus <= 1). A step
 * commits at most 8 roundings relative to S (the largest |theta|, |x|, lr |b|,
 * |v| or lr |g| seen), so after K steps the deviation is at most
 * sum_k 5k 8 u S <= 20 K^2 u S per form; both forms, and the change of
 * variables, fit in 64 K^2 EPS64 S (plus 64 K^2 MIN_VALUE for roundings in the
 * subnormal range, whose error is absolute).
 */
const K_NESTEROV = 30
const nesterovCase = quadraticArb.chain(({ q, theta0 }) => fc.record({
  mu: real(0.01, 0.95),
  c: real(0.05, 1), // lr = c / lambda_max <= 1/lambda_max: every lr a <= 1
}).map(({ mu, c }) => ({ q, theta0, mu, c })))

/** The largest eigenvalue bound for the stability argument: Gershgorin's row sums (>= lambda_max). */
const gershgorin = (q: Quadratic): number => {
  let m = 0
  for (let i = 0; i < q.n; i++) {
    let s = 0
    for (let j = 0; j < q.n; j++) s += Math.abs(q.A[i * q.n + j])
    m = Math.max(m, s)
  }
  return m
}

property(test, 'Nesterov in PyTorch form equals the look-ahead form after theta = x + mu v, v = -lr b (30 steps on a quadratic)', nesterovCase, ({ q, theta0, mu, c }) => {
  const lr = c / gershgorin(q)
  const opt = unwrap(Sgd.sgd({ lr, momentum: mu, nesterov: true }))
  let params: Params = { w: theta0 }
  let state = opt.init(params)
  let x = Float64Array.from(theta0.data), v = new Float64Array(q.n)
  let S = 0
  const scale = (...arrs: ArrayLike<number>[]) => { for (const a of arrs) for (let i = 0; i < a.length; i++) S = Math.max(S, Math.abs(a[i])) }
  for (let t = 1; t <= K_NESTEROV; t++) {
    const g = grad(q, params.w.data)
    const out = unwrap(opt.update({ w: fromArray([q.n], g) }, state, params))
    params = out.params
    state = out.state
    const look = Float64Array.from(x, (xi, i) => xi + mu * v[i])
    const gl = grad(q, look)
    v = Float64Array.from(v, (vi, i) => mu * vi - lr * gl[i])
    x = Float64Array.from(x, (xi, i) => xi + v[i])
    const b = state.momentumBuffer.w.data
    scale(params.w.data, x, v, b.map((bi) => lr * bi), g.map((gi) => lr * gi))
    const tol = 64 * t * t * (EPS64 * S + Number.MIN_VALUE) // MIN_VALUE: roundings that underflow are absolute
    for (let i = 0; i < q.n; i++) {
      const theta = x[i] + mu * v[i]
      if (!(Math.abs(params.w.data[i] - theta) <= tol)) return failed(`step ${t}: theta[${i}] = ${params.w.data[i]}, x + mu v = ${theta}, tol ${tol}`)
      if (!(Math.abs(lr * b[i] + v[i]) <= tol)) return failed(`step ${t}: lr b[${i}] = ${lr * b[i]}, -v = ${-v[i]}, tol ${tol}`)
    }
  }
  return ok
})

/**
 * An L2 penalty lambda/2 ||w||^2 added to the loss contributes lambda w to the
 * gradient; SGD's weight_decay adds lambda w to the gradient first, in (1). The
 * two trajectories perform the same floating-point operations in the same
 * order (g + lambda * w, then the identical update), so they agree to the bit,
 * with any momentum, dampening or Nesterov, over many steps.
 */
const decayCase = quadraticArb.chain(({ q, theta0 }) => fc.record({ attrs: sgdAttrs, lambda: real(0, 1) })
  .map(({ attrs, lambda }) => ({ q, theta0, attrs, lambda })))

property(test, 'weight_decay lambda is an L2 penalty lambda/2 ||w||^2 in the loss (20 steps, to the bit)', decayCase, ({ q, theta0, attrs, lambda }) => {
  const base = { lr: attrs.lr, momentum: attrs.momentum, dampening: attrs.dampening, nesterov: attrs.nesterov }
  const decayed = unwrap(Sgd.sgd({ ...base, weightDecay: lambda }))
  const penalised = unwrap(Sgd.sgd({ ...base, weightDecay: 0 }))
  let pa: Params = { w: theta0 }, pb: Params = { w: theta0 }
  let sa = decayed.init(pa), sb = penalised.init(pb)
  for (let t = 1; t <= 20; t++) {
    const ga = grad(q, pa.w.data)
    const gb = grad(q, pb.w.data).map((g, i) => (lambda !== 0 ? g + lambda * pb.w.data[i] : g)) // d/dw of lambda/2 ||w||^2 = lambda w
    const a = unwrap(decayed.update({ w: fromArray([q.n], ga) }, sa, pa))
    const b = unwrap(penalised.update({ w: fromArray([q.n], gb) }, sb, pb))
    pa = a.params; sa = a.state; pb = b.params; sb = b.state
    for (let i = 0; i < q.n; i++) if (!Object.is(pa.w.data[i], pb.w.data[i])) return failed(`step ${t}: w[${i}] ${pa.w.data[i]} (weight decay) vs ${pb.w.data[i]} (L2 penalty)`)
  }
  return ok
})

/**
 * With momentum 0: w - lr (g + lambda w) = (1 - lr lambda) w - lr g. Each side
 * takes at most 4 rounded operations on numbers bounded by |w| + lr |g| +
 * lr lambda |w|: |difference| <= 8 u (that bound) = 4 EPS64 (that bound).
 */
const oneStepCase = fc.record({ sh: shape(), lr: real(0, 1), lambda: real(0, 1) })
  .chain(({ sh, lr, lambda }) => fc.record({ w: realTensor(sh), g: realTensor(sh) }).map(({ w, g }) => ({ lr, lambda, w, g })))

property(test, 'momentum 0: one step on L + lambda/2 ||w||^2 is decaying w by (1 - lr lambda) then stepping on L', oneStepCase, ({ lr, lambda, w, g }) => {
  const out = unwrap(SgdStep.op.forward({ lr, momentum: 0, dampening: 0, weight_decay: lambda, nesterov: false }, { param: w, grad: g })).outputs.param
  for (let i = 0; i < w.data.length; i++) {
    const e = (1 - lr * lambda) * w.data[i] - lr * g.data[i]
    const tol = 4 * EPS64 * (Math.abs(w.data[i]) * (1 + lr * lambda) + lr * Math.abs(g.data[i])) + Number.MIN_VALUE
    if (!(Math.abs(out.data[i] - e) <= tol)) return failed(`w'[${i}] = ${out.data[i]}, (1 - lr lambda) w - lr g = ${e}`)
  }
  return ok
})

property(test, 'the first momentum step starts the buffer from d = g + lambda w itself, whatever the dampening', sgdCase, ({ attrs, inputs }) => {
  if (attrs.momentum === 0) return ok
  const out = unwrap(SgdStep.op.forward(attrs, { param: inputs.param, grad: inputs.grad })).outputs
  for (let i = 0; i < inputs.param.data.length; i++) {
    const d = attrs.weight_decay !== 0 ? inputs.grad.data[i] + attrs.weight_decay * inputs.param.data[i] : inputs.grad.data[i]
    if (!Object.is(out.momentum_buffer.data[i], d)) return failed(`buffer[${i}] = ${out.momentum_buffer.data[i]}, d = ${d} (dampening ${attrs.dampening})`)
  }
  return ok
})

test('momentum 0: no momentum_buffer output, a given buffer is ignored and gets a zero gradient', () => {
  const param = fromArray([2], [1, 2]), grad = fromArray([2], [0.5, -1])
  const r = vjp(SgdStep.op, unwrap(SgdStep.op.parseAttrs({ lr: 0.1 })), { param, grad, momentum_buffer: fromArray([2], [9, 9]) }, { param: ones([2]) })
  assert.ok(E.isRight(r))
  if (E.isLeft(r)) return
  assert.is(r.right.outputs.momentum_buffer, undefined)
  assert.equal(Array.from(r.right.outputs.param.data), [0.95, 2.1])
  assert.equal(Array.from(r.right.gradients.momentum_buffer.data), [0, 0])
  assert.equal(Array.from(r.right.gradients.grad.data), [-0.1, -0.1])
})

test('attributes: lr is required; Nesterov needs momentum > 0 and dampening 0 (an error value, as PyTorch raises)', () => {
  assert.ok(E.isLeft(SgdStep.op.parseAttrs({})))
  for (const bad of [{ lr: 0.1, nesterov: true }, { lr: 0.1, nesterov: true, momentum: 0.9, dampening: 0.1 }, { lr: -1 }, { lr: 0.1, momentum: -0.5 }, { lr: 0.1, weight_decay: -1 }]) {
    const r = SgdStep.op.parseAttrs(bad)
    assert.ok(E.isLeft(r) && r.left._tag === 'Invalid', JSON.stringify(bad))
  }
  assert.ok(E.isLeft(Sgd.sgd({ lr: 0.1, nesterov: true })))
  const d = unwrap(SgdStep.op.parseAttrs({ lr: 0.5 }))
  assert.equal(d, { lr: 0.5, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false })
})

test('shape mismatches are error values naming the input', () => {
  const a = unwrap(SgdStep.op.parseAttrs({ lr: 0.1, momentum: 0.9 }))
  const r1 = SgdStep.op.forward(a, { param: ones([2]), grad: ones([3]) })
  assert.ok(E.isLeft(r1) && r1.left.arg === 'inputs.grad')
  const r2 = SgdStep.op.forward(a, { param: ones([2]), grad: ones([2]), momentum_buffer: ones([1]) })
  assert.ok(E.isLeft(r2) && r2.left.arg === 'inputs.momentum_buffer')
  const opt = unwrap(Sgd.sgd({ lr: 0.1 }))
  assert.ok(E.isLeft(opt.update({ w: ones([3]) }, opt.init({ w: ones([2]) }), { w: ones([2]) })))
})

test.run()
