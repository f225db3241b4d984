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
 * (4) and lr / bc1, sqrt(bc2), 1 - lr lambda are scalars computed once in
 * float64 by src's `corrections` and rounded to f32; three launches compute
 * m', v' and theta'. Forward only: the src op's backward ((7)-(10)) has no kernel yet.
 */
import * as E from 'fp-ts/lib/Either.js'
import { fail, showShape } from '../../src/core/errors.ts'
import { checkInputs } from '../../src/core/op.ts'
import { sameShape } from '../../src/core/tensor.ts'
import * as Adam from '../../src/optimizers/adam.ts'
import * as AdamStep from '../../src/optimizers/adam-step.ts'
import { type KernelOp, download, keep, upload } from '../op.ts'
import { type KernelSpec, type KernelThis, ran, run } from '../runtime.ts'

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

export const op: KernelOp<AdamStep.Attrs, null> = {
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
    return E.right(ran(dev, { outputs: { param: download(pt.shape, p1.right), exp_avg: download(pt.shape, m1.right), exp_avg_sq: download(pt.shape, v1.right) }, cache: null }))
  },
}
