/**
 * One training step of a two-layer perceptron on device tensors (issue 18):
 * the forward, the backward and the parameter update run as a chain of
 * kernel launches with no host round trip; the caller reads back what it
 * wants (the loss, the new parameters) when it wants.
 *
 *   (1) h = x W1^T + b1            linear (src/layers/linear.ts (1))
 *   (2) a = relu(h)
 *   (3) z = a W2^T + b2
 *   (4) L = cross_entropy(z, y)    mean over the batch, class targets
 * Backward, dL/dL = 1:
 *   (5) dz by cross_entropy (6); dW2, db2, da by linear (2)-(4)
 *   (6) dh = da [h > 0]            relu (2)
 *   (7) dW1, db1 by linear (3)-(4) (dx is not needed: x is data)
 * Update, each parameter theta with its gradient: sgd_step or adam_step.
 *
 * Every step is the resident form of the catalogue kernel of the same name
 * (`kernelRegistry.get(name).resident`): the same kernels as the host path,
 * so the numbers equal a chain of host-path kernel calls exactly
 * (spec/kernels/mlp-step.spec.ts checks both that and the float64 bound).
 * Nothing here is a new kernel; it is the orchestration a training loop does.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { RawAttrs } from '../../src/core/attrs.ts'
import { unsupported } from '../../src/core/errors.ts'
import { type DeviceTensor, fromF32, release, scoped } from '../device-tensor.ts'
import type { KernelOp, ResidentOp } from '../op.ts'
import type { Device, KernelError } from '../runtime.ts'

/** The parameters: W1 [hidden, in], b1 [hidden], W2 [classes, hidden], b2 [classes]. */
export interface MlpParams { readonly w1: DeviceTensor; readonly b1: DeviceTensor; readonly w2: DeviceTensor; readonly b2: DeviceTensor }

export const PARAMS = ['w1', 'b1', 'w2', 'b2'] as const

/** The optimizer: sgd_step or adam_step with its catalogue attributes; Adam carries its moments per parameter. */
export type Optimizer =
  | { readonly kind: 'sgd_step'; readonly attrs: RawAttrs }
  | { readonly kind: 'adam_step'; readonly attrs: RawAttrs; readonly exp_avg: MlpParams; readonly exp_avg_sq: MlpParams }

export interface StepResult {
  readonly params: MlpParams
  /** the loss of (4), a [] tensor, computed before the update */
  readonly loss: DeviceTensor
  /** Adam's new moments */
  readonly exp_avg?: MlpParams
  readonly exp_avg_sq?: MlpParams
}

/** The resident form of a catalogue kernel, or an error naming the one missing. */
export const residentOf = (registry: ReadonlyMap<string, KernelOp>, name: string): E.Either<KernelError, { readonly op: KernelOp; readonly r: ResidentOp }> => {
  const op = registry.get(name)
  if (op?.resident === undefined) return E.left(unsupported('mlp_step', name, 'a kernel with a resident form', 'none'))
  return E.right({ op, r: op.resident })
}

/**
 * One step: (1)-(7), then the update. `target` holds the class of each row
 * as float32 values, `classWeight` ones [classes] (cross_entropy.kernel.ts's
 * `deviceTargets` makes both from host tensors with the host op's checks).
 * The caller owns everything it passes and everything returned; the step
 * releases its intermediates.
 */
export const mlpStep = async (dev: Device, registry: ReadonlyMap<string, KernelOp>, params: MlpParams, x: DeviceTensor, target: DeviceTensor, classWeight: DeviceTensor, opt: Optimizer): Promise<E.Either<KernelError, StepResult>> =>
  scoped(async (s) => {
    const get = (name: string) => s.ok(residentOf(registry, name))
    const attrs = (name: string, raw: RawAttrs) => s.ok(get(name).op.parseAttrs(raw) as E.Either<KernelError, unknown>)
    const [linear, relu, ce, upd] = ['linear', 'relu', 'cross_entropy', opt.kind].map(get)
    const [aLin, aRelu, aCe, aUpd] = [attrs('linear', {}), attrs('relu', {}), attrs('cross_entropy', { reduction: 'mean' }), attrs(opt.kind, opt.attrs)]
    const caches: { readonly r: ResidentOp; readonly c: unknown }[] = []
    const fwd = async (r: ResidentOp, a: unknown, inputs: Record<string, DeviceTensor>) => {
      const f = s.ok(await r.forward(dev, a, inputs))
      caches.push({ r, c: f.cache })
      return f.outputs
    }
    try {
      const h = s.temp((await fwd(linear.r, aLin, { x, weight: params.w1, bias: params.b1 })).y) // (1)
      const a = s.temp((await fwd(relu.r, aRelu, { x: h })).y) // (2)
      const z = s.temp((await fwd(linear.r, aLin, { x: a, weight: params.w2, bias: params.b2 })).y) // (3)
      const loss = (await fwd(ce.r, aCe, { input: z, target, weight: classWeight })).loss // (4)
      const [cLin1, cRelu, cLin2, cCe] = caches.map((c) => c.c)
      const one = s.temp(s.ok(fromF32(dev, Float32Array.of(1), []))) // dL/dL
      const bwd = async (r: ResidentOp, a: unknown, c: unknown, cot: Record<string, DeviceTensor>, wanted?: ReadonlySet<string>) => {
        const g = s.ok(await r.backward!(dev, a, c, cot, wanted))
        for (const t of Object.values(g)) s.temp(t)
        return g
      }
      try {
        const dz = (await bwd(ce.r, aCe, cCe, { loss: one })).input // (5)
        const g2 = await bwd(linear.r, aLin, cLin2, { y: dz }) // (5)
        const dh = (await bwd(relu.r, aRelu, cRelu, { y: g2.x })).x // (6)
        const g1 = await bwd(linear.r, aLin, cLin1, { y: dh }, new Set(['weight', 'bias'])) // (7): no dx of the data
        const grads: Record<string, DeviceTensor> = { w1: g1.weight, b1: g1.bias, w2: g2.weight, b2: g2.bias }
        const out: Record<string, DeviceTensor> = {}, m: Record<string, DeviceTensor> = {}, v: Record<string, DeviceTensor> = {}
        try {
          for (const k of PARAMS) {
            const inputs: Record<string, DeviceTensor> = { param: params[k], grad: grads[k] }
            if (opt.kind === 'adam_step') { inputs.exp_avg = opt.exp_avg[k]; inputs.exp_avg_sq = opt.exp_avg_sq[k] }
            const u = s.ok(await upd.r.forward(dev, aUpd, inputs))
            upd.r.dispose(u.cache)
            out[k] = u.outputs.param
            if (opt.kind === 'adam_step') { m[k] = u.outputs.exp_avg; v[k] = u.outputs.exp_avg_sq } else release(u.outputs.momentum_buffer)
          }
        } catch (e) {
          release(...Object.values(out), ...Object.values(m), ...Object.values(v))
          throw e
        }
        const result: StepResult = { params: out as unknown as MlpParams, loss }
        return opt.kind === 'adam_step' ? { ...result, exp_avg: m as unknown as MlpParams, exp_avg_sq: v as unknown as MlpParams } : result
      } catch (e) {
        release(loss)
        throw e
      }
    } finally {
      for (const { r, c } of caches) r.dispose(c)
    }
  })
