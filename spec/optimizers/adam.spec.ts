import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as Adam from '../../src/optimizers/adam.ts'
import * as AdamStep from '../../src/optimizers/adam-step.ts'
import { vjp } from '../../src/core/op.ts'
import { type Tensor, fromArray, ones, zeros } from '../../src/core/tensor.ts'
import { shape } from '../laws/arbitraries.ts'
import { failed, ok } from '../laws/result.ts'
import { EPS64 } from '../laws/tolerance.ts'
import { gradientProperty, property } from '../support/property.ts'
import { closeToTorch, real, realTensor, torchTrajectory, unwrap } from './support.ts'
import * as Torch from './torch-1.13.ts'

const test = suite('adam')

/**
 * Gradient-law draws. The step's third derivative in v' is about
 * (lr/bc1) |m'| sqrt(bc2) (15/8) v'^(-7/2) (from delta ~ sqrt(v'/bc2)); with
 * beta1 <= 0.9 (bc1 >= 0.1), lr <= 0.5, |m'| <= 5, beta2 >= 0.9 and
 * exp_avg_sq >= 1 (v' >= 0.9) it stays below ~50, inside TOL.M3_REL's
 * allowance. Small v is exercised by the first-step law and the torch numbers.
 */
const adamAttrs = fc.record({
  lr: real(1e-3, 0.5),
  beta1: real(0, 0.9),
  beta2: real(0.9, 0.9999),
  eps: real(1e-8, 0.1),
  weight_decay: fc.oneof(fc.constant(0), real(0, 0.5)),
  decoupled: fc.boolean(),
  step: fc.integer({ min: 1, max: 100 }),
})

const adamCase = fc.record({ sh: shape(), attrs: adamAttrs })
  .chain(({ sh, attrs }) => fc.record({ param: realTensor(sh), grad: realTensor(sh), exp_avg: realTensor(sh), exp_avg_sq: realTensor(sh, 1, 4) })
    .map((inputs) => ({ attrs, inputs: inputs as Readonly<Record<string, Tensor>> })))

gradientProperty(test, AdamStep.op, adamCase)

test('PyTorch 1.13 torch.optim.Adam and AdamW, 3 steps with weight decay (params and both moments)', () => {
  const cfg = { lr: 0.01, beta1: 0.8, beta2: 0.95, eps: 1e-3, weightDecay: 0.1 }
  const slots = { exp_avg: (s: Adam.State) => s.expAvg.w, exp_avg_sq: (s: Adam.State) => s.expAvgSq.w }
  const a = torchTrajectory(unwrap(Adam.adam(cfg)), Torch.adam, slots)
  assert.ok(a.ok, a.ok ? '' : `Adam: ${a.message}`)
  const w = torchTrajectory(unwrap(Adam.adamW(cfg)), Torch.adamw, slots)
  assert.ok(w.ok, w.ok ? '' : `AdamW: ${w.message}`)
})

test('PyTorch 1.13 through the catalogue op: adam_step chained on its own outputs, step counting 1, 2, 3', () => {
  for (const [decoupled, record] of [[false, Torch.adam], [true, Torch.adamw]] as const) {
    let param = fromArray([4], Torch.P0), m = zeros([4]), v = zeros([4])
    Torch.GRADS.forEach((g, t) => {
      const attrs = unwrap(AdamStep.op.parseAttrs({ lr: 0.01, beta1: 0.8, beta2: 0.95, eps: 1e-3, weight_decay: 0.1, decoupled, step: t + 1 }))
      const out = unwrap(AdamStep.op.forward(attrs, { param, grad: fromArray([4], g), exp_avg: m, exp_avg_sq: v })).outputs
      param = out.param; m = out.exp_avg; v = out.exp_avg_sq
      const r = closeToTorch(`decoupled ${decoupled} step ${t + 1}`, param.data, record[t].param)
      assert.ok(r.ok, r.ok ? '' : r.message)
    })
  }
})

const stepCase = fc.record({ sh: shape(), attrs: adamAttrs })
  .chain(({ sh, attrs }) => fc.record({ param: realTensor(sh), grad: realTensor(sh), exp_avg: realTensor(sh), exp_avg_sq: realTensor(sh, 0, 4) })
    .map((inputs) => ({ attrs, inputs })))

const sameBits = (a: Tensor, b: Tensor): boolean => a.data.every((v, i) => Object.is(v, b.data[i]))

/**
 * AdamW with lambda = 0 multiplies theta by 1 - lr 0 = 1 (exact) and Adam with
 * lambda = 0 skips the decay: the same operations follow, so the outputs agree
 * to the bit.
 */
property(test, 'AdamW with zero decay equals Adam, to the bit (the op and the optimizer values)', stepCase, ({ attrs, inputs }) => {
  const run = (decoupled: boolean) => unwrap(AdamStep.op.forward({ ...attrs, weight_decay: 0, decoupled }, inputs)).outputs
  const a = run(false), w = run(true)
  for (const k of ['param', 'exp_avg', 'exp_avg_sq']) if (!sameBits(a[k], w[k])) return failed(`${k} differs`)
  const adam = unwrap(Adam.adam({ lr: attrs.lr, beta1: attrs.beta1, beta2: attrs.beta2, eps: attrs.eps }))
  const adamw = unwrap(Adam.adamW({ lr: attrs.lr, beta1: attrs.beta1, beta2: attrs.beta2, eps: attrs.eps, weightDecay: 0 }))
  let pa = { w: inputs.param }, pw = { w: inputs.param }, sa = adam.init(pa), sw = adamw.init(pw)
  for (let t = 0; t < 3; t++) {
    const ra = unwrap(adam.update({ w: inputs.grad }, sa, pa)), rw = unwrap(adamw.update({ w: inputs.grad }, sw, pw))
    pa = { w: ra.params.w }; sa = ra.state; pw = { w: rw.params.w }; sw = rw.state
    if (!sameBits(pa.w, pw.w)) return failed(`optimizer step ${t + 1}: params differ`)
  }
  return ok
})

/**
 * AdamW's decay is decoupled: the step equals shrinking theta by (1 - lr
 * lambda) and then taking an Adam step with no decay on the same gradient
 * and moments (the moments never see lambda). Same operations: to the bit.
 * Adam's coupled decay equals an undecayed step on the gradient g + lambda theta.
 */
property(test, 'AdamW = shrink theta by (1 - lr lambda), then Adam with no decay; Adam = no-decay step on g + lambda theta', stepCase, ({ attrs, inputs }) => {
  const lambda = attrs.weight_decay
  const w = unwrap(AdamStep.op.forward({ ...attrs, decoupled: true }, inputs)).outputs
  const shrunk = fromArray(inputs.param.shape, inputs.param.data.map((p) => p * (1 - attrs.lr * lambda)))
  const s = unwrap(AdamStep.op.forward({ ...attrs, weight_decay: 0, decoupled: false }, { ...inputs, param: shrunk })).outputs
  for (const k of ['param', 'exp_avg', 'exp_avg_sq']) if (!sameBits(w[k], s[k])) return failed(`AdamW ${k} differs from shrink-then-Adam`)
  const a = unwrap(AdamStep.op.forward({ ...attrs, decoupled: false }, inputs)).outputs
  const coupledGrad = fromArray(inputs.grad.shape, inputs.grad.data.map((g, i) => (lambda !== 0 ? g + lambda * inputs.param.data[i] : g)))
  const c = unwrap(AdamStep.op.forward({ ...attrs, weight_decay: 0, decoupled: false }, { ...inputs, grad: coupledGrad })).outputs
  for (const k of ['param', 'exp_avg', 'exp_avg_sq']) if (!sameBits(a[k], c[k])) return failed(`Adam ${k} differs from a step on g + lambda theta`)
  return ok
})

/**
 * First step from zero moments (t = 1, no decay): m' = (1 - beta1) g,
 * v' = (1 - beta2) g^2, bc1 = 1 - beta1, bc2 = 1 - beta2, so exactly
 *   Delta = -lr g / (|g| + eps),   |Delta| = lr / (1 + eps/|g|) in [lr (1 - eps/|g|), lr],
 * opposite in sign to g: about lr sign(g) whatever the gradient's scale.
 * Rounding: Delta's computation takes about a dozen operations (each relative
 * u), and theta' = theta + Delta then theta' - theta add u (|theta| + lr) each:
 * slack 8 EPS64 lr + 2 EPS64 (|theta| + lr).
 * Gradients are drawn log-uniform over 10^-4..10 so that eps/|g| matters.
 */
const firstStepCase = fc.record({
  n: fc.integer({ min: 1, max: 6 }),
  lr: real(1e-4, 1),
  beta1: real(0, 0.99),
  beta2: real(0, 0.9999),
  logEps: real(-8, -2),
}).chain(({ n, ...a }) => fc.record({
  theta: fc.array(real(-3, 3), { minLength: n, maxLength: n }),
  g: fc.array(fc.tuple(fc.boolean(), real(-4, 1)).map(([s, e]) => (s ? 1 : -1) * 10 ** e), { minLength: n, maxLength: n }),
}).map(({ theta, g }) => ({ ...a, eps: 10 ** a.logEps, theta: fromArray([n], theta), g: fromArray([n], g) })))

property(test, "Adam's first step moves each parameter by lr / (1 + eps/|g|), about lr sign(g), against the gradient", firstStepCase, ({ lr, beta1, beta2, eps, theta, g }) => {
  const n = theta.data.length
  const out = unwrap(AdamStep.op.forward({ lr, beta1, beta2, eps, weight_decay: 0, decoupled: false, step: 1 }, { param: theta, grad: g, exp_avg: zeros([n]), exp_avg_sq: zeros([n]) })).outputs.param
  for (let i = 0; i < n; i++) {
    const delta = out.data[i] - theta.data[i]
    const gi = Math.abs(g.data[i])
    const slack = 8 * EPS64 * lr + 2 * EPS64 * (Math.abs(theta.data[i]) + lr)
    if (Math.sign(delta) === Math.sign(g.data[i]) && delta !== 0) return failed(`step ${i} moved with the gradient: delta ${delta}, g ${g.data[i]}`)
    if (!(Math.abs(delta) <= lr + slack)) return failed(`|delta[${i}]| = ${Math.abs(delta)} > lr = ${lr}`)
    if (!(Math.abs(delta) >= lr * (1 - eps / gi) - slack)) return failed(`|delta[${i}]| = ${Math.abs(delta)} < lr (1 - eps/|g|) = ${lr * (1 - eps / gi)} (|g| ${gi}, eps ${eps})`)
  }
  return ok
})

test('zero gradient, zero moments (v\' = 0): the VJP is the true derivative, finite: dg = -lr (1 - beta1)/(bc1 eps) P, dv = 0', () => {
  const attrs = unwrap(AdamStep.op.parseAttrs({ lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-3, step: 1 }))
  const r = vjp(AdamStep.op, attrs, { param: ones([2]), grad: zeros([2]), exp_avg: zeros([2]), exp_avg_sq: zeros([2]) }, { param: fromArray([2], [1, -2]) })
  assert.ok(E.isRight(r))
  if (E.isLeft(r)) return
  // theta' = theta - lr (1 - beta1) g / (bc1 (|g| + eps)) near g = 0 (bc2 cancels): slope -lr/eps at step 1
  const dg = Array.from(r.right.gradients.grad.data)
  assert.ok(Math.abs(dg[0] - -100) < 1e-9 && Math.abs(dg[1] - 200) < 1e-9, `dg ${dg}`)
  assert.equal(Array.from(r.right.gradients.exp_avg_sq.data).map((v) => v + 0), [0, 0])
  assert.equal(Array.from(r.right.gradients.param.data), [1, -2])
})

test('attributes: step is required and >= 1; betas in [0, 1); lr, eps, weight_decay >= 0; PyTorch defaults otherwise', () => {
  for (const bad of [{}, { step: 0 }, { step: 1.5 }, { step: 1, beta1: 1 }, { step: 1, beta2: -0.1 }, { step: 1, lr: -1 }, { step: 1, eps: -1 }, { step: 1, weight_decay: -0.1 }]) {
    assert.ok(E.isLeft(AdamStep.op.parseAttrs(bad)), JSON.stringify(bad))
  }
  assert.equal(unwrap(AdamStep.op.parseAttrs({ step: 3 })), { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0, decoupled: false, step: 3 })
  assert.ok(E.isLeft(Adam.adam({ beta1: 1 })))
})

test('shape mismatches are error values naming the input', () => {
  const a = unwrap(AdamStep.op.parseAttrs({ step: 1 }))
  const r = AdamStep.op.forward(a, { param: ones([2]), grad: ones([2]), exp_avg: ones([2]), exp_avg_sq: ones([3]) })
  assert.ok(E.isLeft(r) && r.left.arg === 'inputs.exp_avg_sq')
})

test.run()
