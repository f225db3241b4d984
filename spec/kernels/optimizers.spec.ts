/**
 * The float32 optimizer-step kernels (kernels/optimizers/) against the
 * float64 catalogue ops src/optimizers/sgd-step.ts and adam-step.ts, on both
 * backends, over every branch: weight decay on and off, momentum with and
 * without a buffer, Nesterov; Adam and AdamW at several steps; forward and
 * backward (src's VJPs, (5)-(7) and (7)-(10)). Bounds follow the kernels, with
 * the host-computed scalars (lr / bc1, sqrt bc2, 1 - lr lambda, lr mu, kappa)
 * rounded once to f32 on upload; Adam's backward reads the forward's f32 m'
 * and v', so its bound starts from theirs.
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import type { Tensors } from '../../src/core/op.ts'
import * as Adam from '../../src/optimizers/adam.ts'
import * as AdamStepRef from '../../src/optimizers/adam-step.ts'
import * as SgdStepRef from '../../src/optimizers/sgd-step.ts'
import * as AdamStep from '../../kernels/optimizers/adam-step.kernel.ts'
import * as SgdStep from '../../kernels/optimizers/sgd-step.kernel.ts'
import { shape } from '../laws/arbitraries.ts'
import { type B, add, div, exact, f32, mul, neg, sqrt, sub, sum } from './bounds.ts'
import { type Bounds, type Case, opReference, parity, tensor32 } from './harness.ts'

const test = suite('kernels: optimizers')

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 })
const sh = shape({ minRank: 0, maxRank: 2, minDim: 0, maxDim: 6 })

const sgdCase: fc.Arbitrary<Case> = fc.record({
  sh, lr: fc.constantFrom(0.1, 0.01, 1), momentum: fc.constantFrom(0, 0.9), dampening: fc.constantFrom(0, 0.1),
  weight_decay: fc.constantFrom(0, 0.01), nesterov: fc.boolean(), buffer: fc.boolean(), seed,
}).filter((a) => !a.nesterov || (a.momentum > 0 && a.dampening === 0))
  .chain(({ sh: s, buffer, seed: sd, ...attrs }) => fc.record({ param: tensor32(s), grad: tensor32(s), momentum_buffer: tensor32(s) })
    .map(({ param, grad, momentum_buffer }) => ({ attrs, inputs: { param, grad, ...(buffer ? { momentum_buffer } : {}) }, seed: sd })))

parity(test, {
  kernel: SgdStep.op,
  reference: opReference(SgdStepRef.op),
  arb: sgdCase,
  bounds: (c: Case, a: SgdStepRef.Attrs, cot: Tensors): Bounds => {
    const { param, grad, momentum_buffer: buf } = c.inputs
    const p: B[] = [], b: B[] = []
    for (let i = 0; i < param.data.length; i++) {
      const pi = exact(param.data[i])
      const d = a.weight_decay !== 0 ? add(exact(grad.data[i]), mul(f32(a.weight_decay), pi)) : exact(grad.data[i]) // (1)
      let u = d // (3)
      if (a.momentum !== 0) {
        const bi = buf === undefined ? d : sum([mul(f32(a.momentum), exact(buf.data[i])), mul(sub(exact(1), f32(a.dampening)), d)]) // (2)
        b.push(bi)
        u = a.nesterov ? add(d, mul(f32(a.momentum), bi)) : bi // (3)
      }
      p.push(add(pi, mul(neg(f32(a.lr)), u))) // (4)
    }
    // backward (5)-(7), cotangents drawn as f32
    const P = cot.param.data, Bc = cot.momentum_buffer?.data
    const kappa = f32(buf !== undefined ? 1 - a.dampening : 1), lrScale = f32(a.lr * (a.nesterov ? a.momentum : 1))
    const dp: B[] = [], dg: B[] = [], db: B[] = []
    for (let i = 0; i < P.length; i++) {
      const Pi = exact(P[i])
      let D = mul(neg(f32(a.lr)), Pi) // (6)
      let Bt = exact(0)
      if (a.momentum !== 0) {
        Bt = Bc === undefined ? mul(neg(lrScale), Pi) : sub(exact(Bc[i]), mul(lrScale, Pi)) // (5)
        D = a.nesterov ? add(mul(kappa, Bt), mul(neg(f32(a.lr)), Pi)) : mul(kappa, Bt) // (6)
      }
      dp.push(add(Pi, mul(f32(a.weight_decay), D))) // (7)
      dg.push(D) // (7)
      db.push(mul(f32(a.momentum), Bt)) // (7)
    }
    return {
      outputs: { param: p, ...(a.momentum !== 0 ? { momentum_buffer: b } : {}) },
      gradients: { param: dp, grad: dg, ...(buf !== undefined ? { momentum_buffer: db } : {}) },
    }
  },
})

const adamCase: fc.Arbitrary<Case> = fc.record({
  sh, lr: fc.constantFrom(1e-3, 0.1), beta1: fc.constantFrom(0.9, 0.5), beta2: fc.constantFrom(0.999, 0.9),
  eps: fc.constantFrom(1e-8, 1e-3), weight_decay: fc.constantFrom(0, 0.01), decoupled: fc.boolean(), step: fc.integer({ min: 1, max: 1000 }), seed,
}).chain(({ sh: s, seed: sd, ...attrs }) => fc.record({
  // v >= 0.01 keeps v' away from 0, where (8)'s slope is infinite (src's header) and webgpu has no dependable Inf
  param: tensor32(s), grad: tensor32(s), exp_avg: tensor32(s), exp_avg_sq: tensor32(s, { min: 0.01, max: 3 }),
}).map((inputs) => ({ attrs, inputs, seed: sd })))

parity(test, {
  kernel: AdamStep.op,
  reference: opReference(AdamStepRef.op),
  arb: adamCase,
  bounds: (c: Case, a: AdamStepRef.Attrs, cot: Tensors): Bounds => {
    const { param, grad, exp_avg: m, exp_avg_sq: v } = c.inputs
    const { bc2, stepSize } = Adam.corrections(AdamStepRef.toConfig(a), a.step) // (4), float64 on the host
    const coupled = a.decoupled ? 0 : a.weight_decay
    const shrink = a.decoupled ? 1 - a.lr * a.weight_decay : 1
    const p1: B[] = [], m1: B[] = [], v1: B[] = []
    const dp: B[] = [], dg: B[] = [], dm: B[] = [], dv: B[] = []
    const [b1, b2, step, bc2Sqrt] = [f32(a.beta1), f32(a.beta2), f32(stepSize), f32(Math.sqrt(bc2))]
    for (let i = 0; i < param.data.length; i++) {
      const pi = exact(param.data[i])
      const gh = coupled !== 0 ? add(exact(grad.data[i]), mul(f32(coupled), pi)) : exact(grad.data[i]) // (1)
      const mi = sum([mul(exact(m.data[i]), f32(a.beta1)), mul(sub(exact(1), f32(a.beta1)), gh)]) // (2)
      const vi = sum([mul(exact(v.data[i]), f32(a.beta2)), mul(mul(sub(exact(1), f32(a.beta2)), gh), gh)]) // (3)
      const delta = add(div(sqrt(vi), f32(Math.sqrt(bc2))), f32(a.eps)) // (5)
      p1.push(sum([mul(pi, f32(shrink)), div(mul(neg(f32(stepSize)), mi), delta)])) // (1), (6)
      m1.push(mi)
      v1.push(vi)
      // backward (7)-(10) from the forward's f32 m' = mi, v' = vi
      const [P, M, V] = [cot.param, cot.exp_avg, cot.exp_avg_sq].map((t) => exact(t.data[i]))
      const s = sqrt(vi)
      const d = add(div(s, bc2Sqrt), f32(a.eps)) // (5)
      const Mt = sub(M, div(mul(step, P), d)) // (7)
      const pm = mul(P, mi)
      // One bound for both branches of (8): where the kernel takes the limit V~ = V (its f32 P m' is 0),
      // the dropped term is at most a |P m'| / den <= a pm.e / den, which the general form charges.
      const Vt = add(V, div(mul(step, pm), mul(mul(mul(mul(exact(2), d), d), bc2Sqrt), s))) // (8)
      const G = add(mul(sub(exact(1), b1), Mt), mul(mul(mul(exact(2), sub(exact(1), b2)), gh), Vt)) // (9)
      dm.push(mul(b1, Mt)) // (10)
      dv.push(mul(b2, Vt)) // (10)
      dg.push(G) // (10)
      dp.push(a.decoupled ? mul(f32(shrink), P) : add(P, mul(f32(coupled), G))) // (10)
    }
    return { outputs: { param: p1, exp_avg: m1, exp_avg_sq: v1 }, gradients: { param: dp, grad: dg, exp_avg: dm, exp_avg_sq: dv } }
  },
})

test.run()
