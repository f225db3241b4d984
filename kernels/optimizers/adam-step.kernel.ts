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
 * float64 by src's `corrections` and rounded to f32. Fused (issue 18): ONE
 * launch computes theta', m' and v', one thread per element returning the
 * three (gpu.js Array(3), written element-major: [n, 3]), and ONE launch the
 * four gradients of the backward ([n, 4]: dtheta, dg, dm, dv), reading the
 * forward's own f32 m', v' from its packed output and recomputing g^ from
 * theta and g. The host path uploads each array once and reads one buffer
 * back; the resident path takes the columns apart with ../op.ts's takeColumn.
 * At v' = 0
 * with P m' != 0, (8) is an infinite slope; webgpu has no dependable infinity
 * (gpujs §5.4), so there the f32 result is backend-defined.
 */
import * as E from 'fp-ts/lib/Either.js'
import { fail, showShape } from '../../src/core/errors.ts'
import { checkInputs } from '../../src/core/op.ts'
import { type Shape, type Tensor, make, sameShape } from '../../src/core/tensor.ts'
import * as Adam from '../../src/optimizers/adam.ts'
import * as AdamStep from '../../src/optimizers/adam-step.ts'
import { type DeviceTensor, bind, fromF32, release, scoped, toF32 } from '../device-tensor.ts'
import { type KernelOp, type ResidentOp, takeColumn } from '../op.ts'
import { type KernelSpec, type KernelThis, ran, runResident } from '../runtime.ts'

/** (1)-(6) in one launch: [theta', m', v'] per element (output [n, 3]). */
const step: KernelSpec = {
  name: 'adam_step.step',
  components: 3,
  args: {
    p: 'Input', g: 'Input', m: 'Input', v: 'Input', coupled: 'Float', beta1: 'Float', beta2: 'Float',
    shrink: 'Float', stepSize: 'Float', bc2Sqrt: 'Float', eps: 'Float',
  },
  fn: function (this: KernelThis, p: number[], g: number[], m: number[], v: number[], coupled: number, beta1: number, beta2: number,
    shrink: number, stepSize: number, bc2Sqrt: number, eps: number): number[] {
    let gh = g[this.thread.x]
    if (coupled !== 0) gh = gh + coupled * p[this.thread.x] // (1), Adam
    const m1 = m[this.thread.x] * beta1 + (1 - beta1) * gh // (2)
    const v1 = v[this.thread.x] * beta2 + (1 - beta2) * gh * gh // (3)
    const delta = Math.sqrt(v1) / bc2Sqrt + eps // (5)
    return [p[this.thread.x] * shrink + (-stepSize * m1) / delta, m1, v1] // (1), (6)
  },
}

/** (7)-(10) in one launch: [dtheta, dg, dm, dv] per element (output [n, 4]); pk is the forward's [n, 3] output. */
const vjp: KernelSpec = {
  name: 'adam_step.vjp',
  components: 4,
  args: {
    P: 'Input', M: 'Input', V: 'Input', p: 'Input', g: 'Input', pk: 'Input', coupled: 'Float', decoupled: 'Integer', shrink: 'Float',
    stepSize: 'Float', bc2Sqrt: 'Float', eps: 'Float', beta1: 'Float', beta2: 'Float',
  },
  fn: function (this: KernelThis, P: number[], M: number[], V: number[], p: number[], g: number[], pk: number[][], coupled: number, decoupled: number, shrink: number,
    stepSize: number, bc2Sqrt: number, eps: number, beta1: number, beta2: number): number[] {
    const s = Math.sqrt(pk[this.thread.x][2])
    const delta = s / bc2Sqrt + eps // (5)
    const Mt = M[this.thread.x] - (stepSize * P[this.thread.x]) / delta // (7)
    const pm = P[this.thread.x] * pk[this.thread.x][1]
    let Vt = V[this.thread.x] // (8), P m' = 0
    if (pm !== 0) Vt = V[this.thread.x] + (stepSize * pm) / (2 * delta * delta * bc2Sqrt * s) // (8)
    let gh = g[this.thread.x]
    if (coupled !== 0) gh = gh + coupled * p[this.thread.x] // (1), Adam
    const G = (1 - beta1) * Mt + 2 * (1 - beta2) * gh * Vt // (9)
    let dp = P[this.thread.x] + coupled * G // (10), Adam
    if (decoupled === 1) dp = shrink * P[this.thread.x] // (10), AdamW
    return [dp, G, beta1 * Mt, beta2 * Vt] // (10)
  },
}

/** The f32 scalars of (1), (4)-(6), computed in float64 by src and rounded once. */
const scalars = (a: AdamStep.Attrs) => {
  const { bc2, stepSize } = Adam.corrections(AdamStep.toConfig(a), a.step) // (4)
  return {
    coupled: a.decoupled ? 0 : a.weight_decay, // (1)
    shrink: a.decoupled ? 1 - a.lr * a.weight_decay : 1, // (1), (10)
    stepSize, bc2Sqrt: Math.sqrt(bc2),
  }
}

/** Column `col` of element-major [n, k] float32 data as a float32 tensor of `shape`. */
const column = (shape: Shape, d: Float32Array, k: number, col: number): Tensor => {
  const out = new Float64Array(d.length / k)
  for (let i = 0; i < out.length; i++) out[i] = d[i * k + col]
  return make(shape, out, 'float32')
}

/** Resident cache: param and grad are the caller's; `packed` ([n, 3]: theta', m', v') the cache's own. */
export interface ResidentCache { readonly shape: Shape; readonly p: DeviceTensor; readonly g: DeviceTensor; readonly packed: DeviceTensor }

const NAMES = ['param', 'grad', 'exp_avg', 'exp_avg_sq'] as const

const checkShapes = (shapes: Record<string, Shape | undefined>) => {
  for (const name of NAMES) if (shapes[name] === undefined) return fail('adam_step', `inputs.${name}`, 'a tensor', 'nothing')
  for (const name of NAMES.slice(1)) {
    if (!sameShape(shapes[name]!, shapes.param!)) return fail('adam_step', `inputs.${name}`, `shape ${showShape(shapes.param!)} (param's)`, showShape(shapes[name]!))
  }
  return E.right(undefined)
}

export const resident: ResidentOp<AdamStep.Attrs, ResidentCache> = {
  forward: async (dev, a, inputs) => {
    const ok = checkShapes(Object.fromEntries(NAMES.map((k) => [k, inputs[k]?.shape])))
    if (E.isLeft(ok)) return ok
    const { param, grad, exp_avg: m, exp_avg_sq: v } = inputs
    const n = param.size
    const c = scalars(a)
    return scoped(async (s) => {
      const packed = s.ok(await runResident(dev, step, [n], [bind(param, [n]), bind(grad, [n]), bind(m, [n]), bind(v, [n]), c.coupled, a.beta1, a.beta2, c.shrink, c.stepSize, c.bc2Sqrt, a.eps])) // (1)-(6)
      try {
        const outputs: Record<string, DeviceTensor> = {}
        for (const [name, row] of [['param', 0], ['exp_avg', 1], ['exp_avg_sq', 2]] as const) outputs[name] = s.ok(await takeColumn(dev, packed, 3, row, param.shape))
        return { outputs, cache: { shape: param.shape, p: param, g: grad, packed } }
      } catch (e) {
        release(packed)
        throw e
      }
    })
  },
  backward: async (dev, a, { shape, p, g, packed }, cot) => {
    const n = p.size
    const c = scalars(a)
    return scoped(async (s) => {
      const zeros = cot.param === undefined || cot.exp_avg === undefined || cot.exp_avg_sq === undefined ? s.temp(s.ok(fromF32(dev, new Float32Array(n), [n]))) : undefined
      const [P, M, V] = (['param', 'exp_avg', 'exp_avg_sq'] as const).map((k) => bind(cot[k] ?? zeros!, [n]))
      const all = s.temp(s.ok(await runResident(dev, vjp, [n], [P, M, V, bind(p, [n]), bind(g, [n]), bind(packed, [n, 3]), c.coupled, a.decoupled ? 1 : 0, c.shrink, c.stepSize, c.bc2Sqrt, a.eps, a.beta1, a.beta2]))) // (7)-(10)
      const grads: Record<string, DeviceTensor> = {}
      for (const [name, col] of [['param', 0], ['grad', 1], ['exp_avg', 2], ['exp_avg_sq', 3]] as const) grads[name] = s.ok(await takeColumn(dev, all, 4, col, shape))
      return grads
    })
  },
  dispose: (c) => release(c.packed),
}

/** Host-path cache: the float32 inputs and the packed forward output, uploaded again by the backward. */
export interface Cache { readonly shape: Shape; readonly p: Float32Array; readonly g: Float32Array; readonly packed: Float32Array }

export const op: KernelOp<AdamStep.Attrs, Cache> = {
  name: 'adam_step',
  parseAttrs: AdamStep.op.parseAttrs,
  resident,
  forward: async (dev, a, inputs) => {
    const checked = checkInputs('adam_step', AdamStep.op.inputs, inputs)
    if (E.isLeft(checked)) return checked
    const ok = checkShapes(Object.fromEntries(NAMES.map((k) => [k, inputs[k]?.shape])))
    if (E.isLeft(ok)) return ok
    const pt = inputs.param!
    const n = pt.data.length
    const [p, g, m, v] = NAMES.map((k) => Float32Array.from(inputs[k]!.data))
    const c = scalars(a)
    const r = await scoped(async (s) => {
      const up = (d: Float32Array) => s.temp(s.ok(fromF32(dev, d, [n])))
      const packed = s.temp(s.ok(await runResident(dev, step, [n], [up(p), up(g), up(m), up(v), c.coupled, a.beta1, a.beta2, c.shrink, c.stepSize, c.bc2Sqrt, a.eps]))) // (1)-(6)
      return s.ok(await toF32(packed))
    })
    if (E.isLeft(r)) return r
    const pk = r.right
    return E.right(ran(dev, {
      outputs: { param: column(pt.shape, pk, 3, 0), exp_avg: column(pt.shape, pk, 3, 1), exp_avg_sq: column(pt.shape, pk, 3, 2) },
      cache: { shape: pt.shape, p, g, packed: pk },
    }))
  },
  backward: async (dev, a, { shape, p, g, packed }, cot) => {
    const n = p.length
    const c = scalars(a)
    const r = await scoped(async (s) => {
      const up = (d: Float32Array, dims: number[] = [n]) => s.temp(s.ok(fromF32(dev, d, dims)))
      const zeros = new Float32Array(n)
      const [P, M, V] = (['param', 'exp_avg', 'exp_avg_sq'] as const).map((k) => up(cot[k] === undefined ? zeros : Float32Array.from(cot[k].data)))
      const all = s.temp(s.ok(await runResident(dev, vjp, [n], [P, M, V, up(p), up(g), up(packed, [n, 3]), c.coupled, a.decoupled ? 1 : 0, c.shrink, c.stepSize, c.bc2Sqrt, a.eps, a.beta1, a.beta2]))) // (7)-(10)
      return s.ok(await toF32(all))
    })
    if (E.isLeft(r)) return r
    const d = r.right
    const grads: Record<string, Tensor> = {}
    NAMES.forEach((name, col) => { grads[name] = column(shape, d, 4, col) })
    return E.right(ran(dev, grads))
  },
}
