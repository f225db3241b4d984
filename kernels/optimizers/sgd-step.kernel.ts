/**
 * Float32 mirror of src/optimizers/sgd-step.ts (PyTorch 1.13 SGD, the update
 * math of src/optimizers/sgd.ts), per element, parameter theta, gradient g, buffer b:
 *   (1) d = g + lambda theta                     skipped when lambda = 0
 *   (2) b' = d (no buffer yet),  b' = mu b + (1 - tau) d (later steps)
 *   (3) u = d + mu b' (Nesterov),  u = b' (momentum),  u = d (mu = 0: no buffer at all)
 *   (4) theta' = theta - lr u
 * Backward (the step is linear in (theta, g, b)), cotangents P = dL/dtheta',
 * B = dL/db' (zero when not given), kappa = 1 on the first step and 1 - tau
 * otherwise:
 *   (5) B~ = B - lr mu P (Nesterov),  B - lr P (momentum)
 *   (6) D = kappa B~ - lr P (Nesterov),  kappa B~ (momentum),  -lr P (mu = 0)
 *   (7) dtheta = P + lambda D,   dg = D,   db = mu B~
 * Two launches forward: b' by (1)-(2) when mu != 0, then theta' by (1), (3), (4).
 * Backward: one kernel, launched once per gradient (`which`: 0 dtheta, 1 dg,
 * 2 db); lr mu (or lr) and kappa are float64 products of attributes, rounded
 * once to f32. A momentum_buffer given with momentum 0 gets a zero gradient, as in src.
 */
import * as E from 'fp-ts/lib/Either.js'
import { fail, showShape } from '../../src/core/errors.ts'
import { checkInputs } from '../../src/core/op.ts'
import { type Tensor, sameShape } from '../../src/core/tensor.ts'
import * as SgdStep from '../../src/optimizers/sgd-step.ts'
import { type DeviceTensor, bind, release, reshape, scoped } from '../device-tensor.ts'
import { type KernelOp, type ResidentOp, download, keep, upload } from '../op.ts'
import { type KernelSpec, type KernelThis, f32, ran, run, runResident } from '../runtime.ts'

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

/** (5)-(7): which = 0 dtheta, 1 dg, 2 db. mode as in `update`: 0 no momentum, 1 momentum, 2 Nesterov. */
const vjp: KernelSpec = {
  name: 'sgd_step.vjp',
  args: { P: 'Input', B: 'Input', hasB: 'Integer', mode: 'Integer', lr: 'Float', lrScale: 'Float', kappa: 'Float', mu: 'Float', lambda: 'Float', which: 'Integer' },
  fn: function (this: KernelThis, P: number[], B: number[], hasB: number, mode: number, lr: number, lrScale: number, kappa: number, mu: number, lambda: number, which: number): number {
    let D = -lr * P[this.thread.x] // (6), no momentum
    let Bt = 0
    if (mode !== 0) {
      Bt = -lrScale * P[this.thread.x] // (5), no cotangent for b'
      if (hasB === 1) Bt = B[this.thread.x] - lrScale * P[this.thread.x] // (5)
      D = kappa * Bt // (6), momentum
      if (mode === 2) D = kappa * Bt + -lr * P[this.thread.x] // (6), Nesterov
    }
    if (which === 1) return D // (7)
    if (which === 2) return mu * Bt // (7)
    return P[this.thread.x] + lambda * D // (7)
  },
}

/** A flat [n] result as a tensor of `shape` (a view). */
const reshapeTo = (t: DeviceTensor, shape: readonly number[]) => {
  const v = reshape(t, shape)
  release(t)
  return v
}

/** What (5)-(7) need besides the attributes: which buffers there were. */
export interface Cache { readonly shape: readonly number[]; readonly hadBuffer: boolean }

/**
 * The forward on device tensors (issue 18), the same two kernels as the host
 * path: b' by (1)-(2) when mu != 0, then theta' reading b' on the device.
 * Outputs param (and momentum_buffer with momentum). No resident backward:
 * a training step needs only the forward; the host op has the VJP.
 */
export const resident: ResidentOp<SgdStep.Attrs, undefined> = {
  forward: async (dev, a, { param, grad, momentum_buffer: buf }) => {
    if (param === undefined || grad === undefined) return fail('sgd_step', 'inputs', 'param and grad', 'a missing tensor')
    for (const [name, t] of [['grad', grad], ['momentum_buffer', buf]] as const) {
      if (t !== undefined && !sameShape(t.shape, param.shape)) return fail('sgd_step', `inputs.${name}`, `shape ${showShape(param.shape)} (param's)`, showShape(t.shape))
    }
    const n = param.size
    const [p, g] = [bind(param, [n]), bind(grad, [n])]
    return scoped(async (s) => {
      const outputs: Record<string, DeviceTensor> = {}
      let b: ReturnType<typeof bind> | ReturnType<typeof f32> = f32([0], [1])
      if (a.momentum !== 0) {
        const b1 = s.ok(await runResident(dev, buffer, [n], [p, g, buf === undefined ? b : bind(buf, [n]), buf === undefined ? 0 : 1, a.weight_decay, a.momentum, a.dampening])) // (1), (2)
        outputs.momentum_buffer = s.ok(reshapeTo(b1, param.shape))
        b = bind(outputs.momentum_buffer, [n])
      }
      const mode = a.momentum === 0 ? 0 : a.nesterov ? 2 : 1
      try {
        const p1 = s.ok(await runResident(dev, update, [n], [p, g, b, mode, a.weight_decay, a.momentum, a.lr])) // (3), (4)
        const shaped = s.ok(reshapeTo(p1, param.shape))
        outputs.param = shaped
        return { outputs, cache: undefined }
      } catch (e) {
        release(outputs.momentum_buffer)
        throw e
      }
    })
  },
  dispose: () => undefined,
}

export const op: KernelOp<SgdStep.Attrs, Cache> = {
  name: 'sgd_step',
  parseAttrs: SgdStep.op.parseAttrs,
  resident,
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
    return E.right(ran(dev, { outputs, cache: { shape: pt.shape, hadBuffer: bt !== undefined } }))
  },
  backward: async (dev, a, { shape, hadBuffer }, cot) => {
    const n = cot.param.data.length
    const P = upload(cot.param, [n])
    const B = cot.momentum_buffer === undefined ? f32([0], [1]) : upload(cot.momentum_buffer, [n])
    const mode = a.momentum === 0 ? 0 : a.nesterov ? 2 : 1
    const kappa = hadBuffer ? 1 - a.dampening : 1
    const args = [P, B, cot.momentum_buffer === undefined ? 0 : 1, mode, a.lr, a.lr * (a.nesterov ? a.momentum : 1), kappa, a.momentum, a.weight_decay]
    const grads: Record<string, Tensor> = {}
    for (const [name, which] of [['param', 0], ['grad', 1], ['momentum_buffer', 2]] as const) {
      if (name === 'momentum_buffer' && !hadBuffer) continue
      const d = await run(dev, vjp, [n], [...args, which]) // (5)-(7)
      if (E.isLeft(d)) return d
      grads[name] = download(shape, d.right)
    }
    return E.right(ran(dev, grads))
  },
}
