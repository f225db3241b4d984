/**
 * Float32 mirror of src/optimizers/adam-step.ts (PyTorch 1.13 Adam / AdamW, no
 * amsgrad; the update math of src/optimizers/adam.ts), at step t:
 *   (1) g^ = g + lambda theta, theta~ = theta (Adam; skipped when lambda = 0)
 *       g^ = g, theta~ = theta (1 - lr lambda) (AdamW, decoupled)
 *   (2) m' = beta1 m + (1 - beta1) g^
 *   (3) v' = beta2 v + (1 - beta2) g^^2
 *   (4) bc1 = 1 - beta1^t,  bc2 = 1 - beta2^t
 *   (5) delta = sqrt(v') / sqrt(bc2) + eps
 *   (6) theta' = theta~ - (lr / bc1) m' / delta
 * Backward, cotangents P, M, V of theta', m', v' (zero when not given), a = lr / bc1:
 *   (7) M~ = M - a P / delta
 *   (8) V~ = V + a P m' / (2 delta^2 sqrt(bc2) sqrt(v'))     V~ = V where P m' = 0 (src's limit)
 *   (9) G^ = (1 - beta1) M~ + 2 (1 - beta2) g^ V~
 *  (10) dm = beta1 M~,  dv = beta2 V~,  dg = G^,
 *       dtheta = P + lambda G^ (Adam),  (1 - lr lambda) P (AdamW)
 * (4) and lr / bc1, sqrt(bc2), 1 - lr lambda are scalars computed once in
 * float64 by src's `corrections` and rounded to f32; three launches compute
 * m', v' and theta'. The backward reads the forward's own f32 m', v' and
 * recomputes g^ from theta and g (seven arrays: gpu.js's limit, gpujs §7.1),
 * one launch per gradient (`which`: 0 dtheta, 1 dg, 2 dm, 3 dv). At v' = 0
 * with P m' != 0, (8) is an infinite slope; webgpu has no dependable infinity
 * (gpujs §5.4), so there the f32 result is backend-defined.
 */
import * as E from 'fp-ts/lib/Either.js'
import { fail, showShape } from '../../src/core/errors.ts'
import { checkInputs } from '../../src/core/op.ts'
import { type Tensor, sameShape } from '../../src/core/tensor.ts'
import * as Adam from '../../src/optimizers/adam.ts'
import * as AdamStep from '../../src/optimizers/adam-step.ts'
import { type KernelOp, download, keep, upload } from '../op.ts'
import { type F32, type KernelSpec, type KernelThis, f32, ran, run } from '../runtime.ts'

/** m' (decay = beta1, square 0) or v' (decay = beta2, square 1) from g^ of (1). */
const moment: KernelSpec = {
  name: 'adam_step.moment',
  args: { p: 'Input', g: 'Input', m: 'Input', coupled: 'Float', decay: 'Float', square: 'Integer' },
  fn: function (this: KernelThis, p: number[], g: number[], m: number[], coupled: number, decay: number, square: number): number {
    let gh = g[this.thread.x]
    if (coupled !== 0) gh = gh + coupled * p[this.thread.x] // (1), Adam
    if (square === 1) return m[this.thread.x] * decay + (1 - decay) * gh * gh // (3)
    return m[this.thread.x] * decay + (1 - decay) * gh // (2)
  },
}

const update: KernelSpec = {
  name: 'adam_step.param',
  args: { p: 'Input', m: 'Input', v: 'Input', shrink: 'Float', stepSize: 'Float', bc2Sqrt: 'Float', eps: 'Float' },
  fn: function (this: KernelThis, p: number[], m: number[], v: number[], shrink: number, stepSize: number, bc2Sqrt: number, eps: number): number {
    const delta = Math.sqrt(v[this.thread.x]) / bc2Sqrt + eps // (5)
    return p[this.thread.x] * shrink + (-stepSize * m[this.thread.x]) / delta // (1), (6)
  },
}

/** (7)-(10) for one gradient: which = 0 dtheta, 1 dg, 2 dm, 3 dv. */
const vjp: KernelSpec = {
  name: 'adam_step.vjp',
  args: {
    P: 'Input', M: 'Input', V: 'Input', p: 'Input', g: 'Input', m: 'Input', v: 'Input', coupled: 'Float', decoupled: 'Integer', shrink: 'Float',
    stepSize: 'Float', bc2Sqrt: 'Float', eps: 'Float', beta1: 'Float', beta2: 'Float', which: 'Integer',
  },
  fn: function (this: KernelThis, P: number[], M: number[], V: number[], p: number[], g: number[], m: number[], v: number[], coupled: number, decoupled: number, shrink: number,
    stepSize: number, bc2Sqrt: number, eps: number, beta1: number, beta2: number, which: number): number {
    const s = Math.sqrt(v[this.thread.x])
    const delta = s / bc2Sqrt + eps // (5)
    const Mt = M[this.thread.x] - (stepSize * P[this.thread.x]) / delta // (7)
    const pm = P[this.thread.x] * m[this.thread.x]
    let Vt = V[this.thread.x] // (8), P m' = 0
    if (pm !== 0) Vt = V[this.thread.x] + (stepSize * pm) / (2 * delta * delta * bc2Sqrt * s) // (8)
    if (which === 2) return beta1 * Mt // (10)
    if (which === 3) return beta2 * Vt // (10)
    let gh = g[this.thread.x]
    if (coupled !== 0) gh = gh + coupled * p[this.thread.x] // (1), Adam
    const G = (1 - beta1) * Mt + 2 * (1 - beta2) * gh * Vt // (9)
    if (which === 1) return G // (10)
    if (decoupled === 1) return shrink * P[this.thread.x] // (10), AdamW
    return P[this.thread.x] + coupled * G // (10), Adam
  },
}

/** The forward's f32 inputs and moments, for (7)-(10). */
export interface Cache { readonly p: F32; readonly g: F32; readonly m: F32; readonly v: F32; readonly shape: readonly number[] }

export const op: KernelOp<AdamStep.Attrs, Cache> = {
  name: 'adam_step',
  parseAttrs: AdamStep.op.parseAttrs,
  forward: async (dev, a, inputs) => {
    const checked = checkInputs('adam_step', AdamStep.op.inputs, inputs)
    if (E.isLeft(checked)) return checked
    const c = AdamStep.toConfig(a)
    const pt = inputs.param!
    for (const name of ['grad', 'exp_avg', 'exp_avg_sq']) {
      const t = inputs[name]!
      if (!sameShape(t.shape, pt.shape)) return fail('adam_step', `inputs.${name}`, `shape ${showShape(pt.shape)} (param's)`, showShape(t.shape))
    }
    const n = pt.data.length
    const [p, g, m, v] = ['param', 'grad', 'exp_avg', 'exp_avg_sq'].map((k) => upload(inputs[k]!, [n]))
    const { bc2, stepSize } = Adam.corrections(c, a.step) // (4)
    const coupled = a.decoupled ? 0 : a.weight_decay // (1)
    const shrink = a.decoupled ? 1 - a.lr * a.weight_decay : 1 // (1)
    const m1 = await run(dev, moment, [n], [p, g, m, coupled, a.beta1, 0]) // (2)
    if (E.isLeft(m1)) return m1
    const v1 = await run(dev, moment, [n], [p, g, v, coupled, a.beta2, 1]) // (3)
    if (E.isLeft(v1)) return v1
    const p1 = await run(dev, update, [n], [p, keep(m1.right, [n]), keep(v1.right, [n]), shrink, stepSize, Math.sqrt(bc2), a.eps]) // (5), (6)
    if (E.isLeft(p1)) return p1
    return E.right(ran(dev, {
      outputs: { param: download(pt.shape, p1.right), exp_avg: download(pt.shape, m1.right), exp_avg_sq: download(pt.shape, v1.right) },
      cache: { p, g, m: keep(m1.right, [n]), v: keep(v1.right, [n]), shape: pt.shape },
    }))
  },
  backward: async (dev, a, { p, g, m, v, shape }, cot) => {
    const n = p.data.length
    const zeros = f32(new Float32Array(n), [n])
    const [P, M, V] = ['param', 'exp_avg', 'exp_avg_sq'].map((k) => (cot[k] === undefined ? zeros : upload(cot[k], [n])))
    const { bc2, stepSize } = Adam.corrections(AdamStep.toConfig(a), a.step) // (4)
    const coupled = a.decoupled ? 0 : a.weight_decay // (1)
    const shrink = a.decoupled ? 1 - a.lr * a.weight_decay : 1 // (10)
    const args = [P, M, V, p, g, m, v, coupled, a.decoupled ? 1 : 0, shrink, stepSize, Math.sqrt(bc2), a.eps, a.beta1, a.beta2]
    const grads: Record<string, Tensor> = {}
    for (const [name, which] of [['param', 0], ['grad', 1], ['exp_avg', 2], ['exp_avg_sq', 3]] as const) {
      const d = await run(dev, vjp, [n], [...args, which]) // (7)-(10)
      if (E.isLeft(d)) return d
      grads[name] = download(shape, d.right)
    }
    return E.right(ran(dev, grads))
  },
}
