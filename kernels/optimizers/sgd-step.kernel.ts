/**
 * Float32 mirror of src/optimizers/sgd-step.ts (PyTorch 1.13 SGD, the update
 * math of src/optimizers/sgd.ts), per element, parameter theta, gradient g, buffer b:
 *   (1) d = g + lambda theta                     skipped when lambda = 0
 *   (2) b' = d (no buffer yet),  b' = mu b + (1 - tau) d (later steps)
 *   (3) u = d + mu b' (Nesterov),  u = b' (momentum),  u = d (mu = 0: no buffer at all)
 *   (4) theta' = theta - lr u
 * Two launches: b' by (1)-(2) when mu != 0, then theta' by (1), (3), (4).
 * Forward only: the src op's backward (its (5)-(7)) has no kernel yet.
 */
import * as E from 'fp-ts/lib/Either.js'
import { fail, showShape } from '../../src/core/errors.ts'
import { checkInputs } from '../../src/core/op.ts'
import { type Tensor, sameShape } from '../../src/core/tensor.ts'
import * as SgdStep from '../../src/optimizers/sgd-step.ts'
import { type KernelOp, download, keep, upload } from '../op.ts'
import { type KernelSpec, type KernelThis, f32, ran, run } from '../runtime.ts'

const buffer: KernelSpec = {
  name: 'sgd_step.buffer',
  args: { p: 'Input', g: 'Input', b: 'Input', hasBuffer: 'Integer', lambda: 'Float', mu: 'Float', tau: 'Float' },
  fn: function (this: KernelThis, p: number[], g: number[], b: number[], hasBuffer: number, lambda: number, mu: number, tau: number): number {
    let d = g[this.thread.x]
    if (lambda !== 0) d = d + lambda * p[this.thread.x] // (1)
    if (hasBuffer === 1) return mu * b[this.thread.x] + (1 - tau) * d // (2)
    return d // (2), first step
  },
}

const update: KernelSpec = {
  name: 'sgd_step.param',
  args: { p: 'Input', g: 'Input', b: 'Input', mode: 'Integer', lambda: 'Float', mu: 'Float', lr: 'Float' },
  fn: function (this: KernelThis, p: number[], g: number[], b: number[], mode: number, lambda: number, mu: number, lr: number): number {
    let d = g[this.thread.x]
    if (lambda !== 0) d = d + lambda * p[this.thread.x] // (1)
    let u = d // (3), no momentum
    if (mode === 1) u = b[this.thread.x] // (3), momentum
    if (mode === 2) u = d + mu * b[this.thread.x] // (3), Nesterov
    return p[this.thread.x] + -lr * u // (4)
  },
}

export const op: KernelOp<SgdStep.Attrs, null> = {
  name: 'sgd_step',
  parseAttrs: SgdStep.op.parseAttrs,
  forward: async (dev, a, inputs) => {
    const checked = checkInputs('sgd_step', SgdStep.op.inputs, inputs)
    if (E.isLeft(checked)) return checked
    const pt = inputs.param!, gt = inputs.grad!, bt = inputs.momentum_buffer
    for (const [name, t] of [['grad', gt], ['momentum_buffer', bt]] as const) {
      if (t !== undefined && !sameShape(t.shape, pt.shape)) return fail('sgd_step', `inputs.${name}`, `shape ${showShape(pt.shape)} (param's)`, showShape(t.shape))
    }
    const n = pt.data.length
    const p = upload(pt, [n]), g = upload(gt, [n])
    const outputs: Record<string, Tensor> = {}
    let b = f32([0], [1])
    if (a.momentum !== 0) {
      const b1 = await run(dev, buffer, [n], [p, g, bt === undefined ? b : upload(bt, [n]), bt === undefined ? 0 : 1, a.weight_decay, a.momentum, a.dampening]) // (1), (2)
      if (E.isLeft(b1)) return b1
      b = keep(b1.right, [n])
      outputs.momentum_buffer = download(pt.shape, b1.right)
    }
    const mode = a.momentum === 0 ? 0 : a.nesterov ? 2 : 1
    const p1 = await run(dev, update, [n], [p, g, b, mode, a.weight_decay, a.momentum, a.lr]) // (3), (4)
    if (E.isLeft(p1)) return p1
    outputs.param = download(pt.shape, p1.right)
    return E.right(ran(dev, { outputs, cache: null }))
  },
}
