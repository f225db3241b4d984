/**
 * The benchmark workloads (kernels/gpujs-notes.md §6 lists the full sizes:
 * matmul 1024^2, LayerNorm 4096 x 1024, a tiny call; conv2d N8 C64 32^2 K64
 * 3x3 and batch norm [64, 256, 16, 16] come from issue 6), each at a reduced size
 * for a 2-core machine and at full size behind --full. A workload builds its
 * inputs once from a fixed key and offers the same computation to every
 * contender: the float64 reference op of src/ (forward, or vjp when the
 * workload includes the backward), our float32 kernel on a device, and
 * TensorFlow.js when a backend is loaded (`tfjs` undefined where TF.js has no
 * comparable op).
 */
import * as E from 'fp-ts/lib/Either.js'
import type { RawAttrs } from '../../src/core/attrs.ts'
import { type Op, type Tensors, vjp } from '../../src/core/op.ts'
import { keyFromSeed, normal, split } from '../../src/core/random.ts'
import { type Shape, type Tensor, fromArray } from '../../src/core/tensor.ts'
import { registry } from '../../src/registry.ts'
import * as Adam from '../../src/optimizers/adam.ts'
import { type DeviceTensor, release, toDevice, toHost } from '../device-tensor.ts'
import { kernelRegistry } from '../index.ts'
import { deviceTargets } from '../losses/cross-entropy.kernel.ts'
import type { KernelOp } from '../op.ts'
import { type MlpParams, PARAMS, mlpStep } from '../optimizers/mlp-step.ts'
import { type Device, type KernelError, formatKernelError } from '../runtime.ts'

/** The slice of TensorFlow.js the workloads use (tfjs-core's namespace). */
export type Tf = typeof import('@tensorflow/tfjs-core')
type TfTensor = import('@tensorflow/tfjs-core').Tensor

export interface Workload {
  readonly name: string
  readonly size: string
  readonly reference: () => void
  readonly kernel: (dev: Device) => Promise<void>
  /**
   * The device-resident variant (kernels/device-tensor.ts), where the workload
   * is a chain: upload every input once, run the whole chain on the device,
   * read every result back once at the end.
   */
  readonly resident?: (dev: Device) => Promise<void>
  readonly tfjs?: (tf: Tf) => Promise<void>
}

const must = <T>(e: E.Either<KernelError, T>): T => {
  if (E.isLeft(e)) throw new Error(formatKernelError(e.left))
  return e.right
}

/** Upload inputs once, resident forward (+ backward), read every output and gradient back once. */
const residentChain = (ker: KernelOp, attrs: unknown, inputs: Tensors, cot: Tensors, backward: boolean) => async (dev: Device): Promise<void> => {
  const r = ker.resident!
  const din: Record<string, DeviceTensor> = {}
  if (ker.name === 'cross_entropy') {
    const t = must(deviceTargets(dev, attrs as never, inputs))
    din.input = must(toDevice(dev, inputs.input))
    din.target = t.target
    din.weight = t.weight
  } else for (const [k, t] of Object.entries(inputs)) din[k] = must(toDevice(dev, t))
  const f = must(await r.forward(dev, attrs, din))
  const results: DeviceTensor[] = [...Object.values(f.outputs)]
  const dc: DeviceTensor[] = []
  if (backward && r.backward !== undefined) {
    const c: Record<string, DeviceTensor> = {}
    for (const [k, t] of Object.entries(cot)) { c[k] = must(toDevice(dev, t)); dc.push(c[k]) }
    results.push(...Object.values(must(await r.backward(dev, attrs, f.cache, c))))
  }
  for (const t of results) must(await toHost(t))
  r.dispose(f.cache)
  release(...results, ...dc, ...Object.values(din))
}

const randn = (shape: Shape, seed: number): Tensor => normal(keyFromSeed(seed), shape)

const unwrapOp = (op: string): Op => {
  const o = registry.get(op)
  if (o === undefined) throw new Error(`no src op ${op}`)
  return o
}

const unwrapKernel = (op: string): KernelOp => {
  const k = kernelRegistry.get(op)
  if (k === undefined) throw new Error(`no kernel ${op}`)
  return k
}

/** reference forward (+ vjp with unit-normal cotangents when `backward`), and the kernel's. */
const opWorkload = (name: string, size: string, op: string, raw: RawAttrs, inputs: Tensors, backward: boolean, tfjs?: Workload['tfjs']): Workload => {
  const ref = unwrapOp(op), ker = unwrapKernel(op)
  const attrs = ref.parseAttrs(raw)
  const kattrs = ker.parseAttrs(raw)
  if (E.isLeft(attrs) || E.isLeft(kattrs)) throw new Error(`bad attrs for ${op}`)
  const fwd = ref.forward(attrs.right, inputs)
  if (E.isLeft(fwd)) throw new Error(`reference ${op} failed`)
  const out = ref.outputs[0].name
  const cot: Tensors = { [out]: randn(fwd.right.outputs[out].shape, 99) }
  return {
    name, size, tfjs,
    ...(ker.resident !== undefined && (backward ? ker.resident.backward !== undefined : false) ? { resident: residentChain(ker, kattrs.right, inputs, cot, backward) } : {}),
    reference: () => {
      const r = backward ? vjp(ref, attrs.right, inputs, cot) : ref.forward(attrs.right, inputs)
      if (E.isLeft(r)) throw new Error(`reference ${op} failed`)
    },
    kernel: async (dev) => {
      const f = await ker.forward(dev, kattrs.right, inputs)
      if (E.isLeft(f)) throw new Error(formatKernelError(f.left))
      if (backward && ker.backward !== undefined) {
        const b = await ker.backward(dev, kattrs.right, f.right.value.cache, cot)
        if (E.isLeft(b)) throw new Error(formatKernelError(b.left))
      }
    },
  }
}

const f32 = (t: Tensor): Float32Array => Float32Array.from(t.data)

/** Run `f` in a tidy scope and wait for every returned tensor's data (the readback our kernels also pay). */
const settle = async (tf: Tf, f: () => import('@tensorflow/tfjs-core').Tensor[]): Promise<void> => {
  const outs = tf.tidy(f)
  await Promise.all(outs.map((t) => t.data()))
  tf.dispose(outs)
}

export const workloads = (full: boolean): Workload[] => {
  const [k0, k1, k2, k3, k4, k5] = split(keyFromSeed(2024), 6).map((k) => k[1])
  const mm = full ? 1024 : 256
  const a = randn([mm, mm], k0), b = randn([mm, mm], k1)
  const [rows, d] = full ? [4096, 1024] : [512, 256]
  const xln = randn([rows, d], k2), gamma = randn([d], k3), beta = randn([d], k4)
  const gl = randn([rows, d], k5)
  const [bn, cls] = full ? [4096, 1000] : [512, 100]
  const logits = randn([bn, cls], k3)
  const target = fromArray([bn], Array.from({ length: bn }, (_, i) => (i * 7919) % cls), 'int64')
  const np = full ? 1 << 20 : 1 << 16
  const [p, g, m, v] = [k0, k1, k2, k3].map((s, i) => (i === 3 ? fromArray([np], randn([np], s).data.map(Math.abs)) : randn([np], s)))
  const tiny = randn([16], k4)
  // conv2d 3x3, padding 1 (same size out): NCHW for src and the kernels; TF.js gets the same sizes in its
  // native NHWC layout (its conv gradients are NHWC-only), filled from the same values (timing, not parity)
  const [cn, cc, chw, ck] = full ? [8, 64, 32, 64] : [4, 32, 16, 32]
  const cx = randn([cn, cc, chw, chw], k0), cw = randn([ck, cc, 3, 3], k1), cb = randn([ck], k2)
  // batch norm in training: statistics of the batch, running statistics updated, compact backward
  const bnShape = full ? [64, 256, 16, 16] : [16, 32, 16, 16]
  const bx = randn(bnShape, k3), bgamma = randn([bnShape[1]], k4), bbeta = randn([bnShape[1]], k5)
  const brm = randn([bnShape[1]], k0), brv = fromArray([bnShape[1]], randn([bnShape[1]], k1).data.map((v) => 1 + Math.abs(v)))

  const adam = unwrapKernel('adam_step')
  const adamAttrs = adam.parseAttrs({ step: 10, weight_decay: 0.01 })
  if (E.isLeft(adamAttrs)) throw new Error('adam attrs')
  const adamCfg: Adam.Config = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: false }

  return [
    opWorkload('matmul', `${mm}x${mm} @ ${mm}x${mm}`, 'matmul', {}, { a, b }, false,
      async (tf) => settle(tf, () => [tf.matMul(tf.tensor2d(f32(a), [mm, mm]), tf.tensor2d(f32(b), [mm, mm]))])),
    opWorkload('linear fwd+bwd', `x ${mm}x${mm}, W ${mm}x${mm}, b`, 'linear', {}, { x: a, weight: b, bias: randn([mm], k5) }, true,
      async (tf) => settle(tf, () => {
        const x = tf.tensor2d(f32(a), [mm, mm]), w = tf.tensor2d(f32(b), [mm, mm]), gy = tf.tensor2d(f32(a), [mm, mm])
        return [tf.matMul(x, w, false, true), tf.matMul(gy, w), tf.matMul(gy, x, true, false), tf.sum(gy, 0)]
      })),
    opWorkload('layer_norm fwd', `${rows}x${d}`, 'layer_norm', { normalized_shape: [d] }, { x: xln, weight: gamma, bias: beta }, false,
      async (tf) => settle(tf, () => {
        const x = tf.tensor2d(f32(xln), [rows, d])
        const { mean, variance } = tf.moments(x, -1, true)
        return [tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), tf.tensor1d(f32(gamma))), tf.tensor1d(f32(beta)))]
      })),
    opWorkload('layer_norm fwd+bwd', `${rows}x${d}`, 'layer_norm', { normalized_shape: [d] }, { x: xln, weight: gamma, bias: beta }, true,
      // TF.js has no layer-norm backward outside autodiff: the same compact formula as ours, from TF.js ops
      async (tf) => settle(tf, () => {
        const x = tf.tensor2d(f32(xln), [rows, d]), g = tf.tensor1d(f32(gamma)), gy = tf.tensor2d(f32(gl), [rows, d])
        const { mean, variance } = tf.moments(x, -1, true)
        const r = tf.rsqrt(tf.add(variance, 1e-5))
        const xhat = tf.mul(tf.sub(x, mean), r)
        const y = tf.add(tf.mul(xhat, g), tf.tensor1d(f32(beta)))
        const dxhat = tf.mul(gy, g)
        const dx = tf.mul(tf.div(r, d), tf.sub(tf.sub(tf.mul(dxhat, d), tf.sum(dxhat, -1, true)), tf.mul(xhat, tf.sum(tf.mul(dxhat, xhat), -1, true))))
        return [y, dx, tf.sum(tf.mul(gy, xhat), 0), tf.sum(gy, 0)]
      })),
    opWorkload('softmax fwd+bwd', `${rows}x${d}`, 'softmax', { dim: -1 }, { x: gl }, true,
      async (tf) => settle(tf, () => {
        const y = tf.softmax(tf.tensor2d(f32(gl), [rows, d])), gy = tf.tensor2d(f32(xln), [rows, d])
        return [y, tf.mul(y, tf.sub(gy, tf.sum(tf.mul(gy, y), -1, true)))]
      })),
    opWorkload('gelu fwd', `${rows * d}`, 'gelu', {}, { x: xln }, false,
      async (tf) => settle(tf, () => {
        const x = tf.tensor1d(f32(xln))
        return [tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))))]
      })),
    opWorkload('conv2d fwd+bwd', `x ${cn}x${cc}x${chw}x${chw}, W ${ck}x${cc}x3x3, p1`, 'conv2d', { padding: 1 }, { x: cx, weight: cw, bias: cb }, true,
      // the four results our kernels compute: y = conv(x, W) + b, dx (a transposed conv), dW, db
      async (tf) => settle(tf, () => {
        const x = tf.tensor4d(f32(cx), [cn, chw, chw, cc]), w = tf.tensor4d(f32(cw), [3, 3, cc, ck]), b = tf.tensor1d(f32(cb))
        const gy = tf.tensor4d(f32(cx).subarray(0, cn * chw * chw * ck), [cn, chw, chw, ck])
        // dW: the backend's own filter-gradient kernel where it has one (cpu, webgpu); TF.js wasm has none, so
        // there dW is src's (4) as a conv: x^T [C, H, W, N] correlated with g^T [H, W, N, K] as the filter
        const dw = tf.getKernel('Conv2DBackpropFilter', tf.getBackend()) !== undefined
          ? tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: gy }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, cc, ck] }) as TfTensor
          : tf.transpose(tf.conv2d(tf.transpose(x, [3, 1, 2, 0]), tf.transpose(gy, [1, 2, 0, 3]), 1, 1), [1, 2, 0, 3])
        return [tf.add(tf.conv2d(x, w, 1, 'same'), b), tf.conv2dTranspose(gy, w, [cn, chw, chw, cc], 1, 'same'), dw, tf.sum(gy, [0, 1, 2])]
      })),
    opWorkload('batch_norm train fwd+bwd', `[${bnShape.join(', ')}]`, 'batch_norm', { training: true },
      { x: bx, running_mean: brm, running_var: brv, weight: bgamma, bias: bbeta }, true,
      // TF.js has batchNorm's forward; its backward here is the same compact formula, built from TF.js ops
      async (tf) => settle(tf, () => {
        const [bn0, bc, bh, bw] = bnShape
        const m = bn0 * bh * bw
        const x = tf.tensor4d(f32(bx), [bn0, bc, bh, bw]), gy = tf.tensor4d(f32(bx), [bn0, bc, bh, bw])
        const g = tf.tensor4d(f32(bgamma), [1, bc, 1, 1]), b = tf.tensor4d(f32(bbeta), [1, bc, 1, 1])
        const rm = tf.tensor1d(f32(brm)), rv = tf.tensor1d(f32(brv))
        const { mean, variance } = tf.moments(x, [0, 2, 3], true)
        const y = tf.batchNorm(x, mean as typeof x, variance as typeof x, b, g, 1e-5)
        const r = tf.rsqrt(tf.add(variance, 1e-5))
        const xhat = tf.mul(tf.sub(x, mean), r), dxhat = tf.mul(gy, g)
        const dx = tf.mul(tf.div(r, m), tf.sub(tf.sub(tf.mul(dxhat, m), tf.sum(dxhat, [0, 2, 3], true)), tf.mul(xhat, tf.sum(tf.mul(dxhat, xhat), [0, 2, 3], true))))
        return [y, dx, tf.sum(tf.mul(gy, xhat), [0, 2, 3]), tf.sum(gy, [0, 2, 3]),
          tf.add(tf.mul(rm, 0.9), tf.mul(tf.reshape(mean, [bc]), 0.1)), tf.add(tf.mul(rv, 0.9), tf.mul(tf.reshape(variance, [bc]), 0.1 * m / (m - 1)))]
      })),
    opWorkload('cross_entropy fwd+bwd', `${bn}x${cls}`, 'cross_entropy', {}, { input: logits, target }, true,
      // the loss and its gradient (softmax - onehot) g / N, as our kernels compute them
      async (tf) => settle(tf, () => {
        const z = tf.tensor2d(f32(logits), [bn, cls]), onehot = tf.oneHot(tf.tensor1d(Int32Array.from(target.data), 'int32'), cls)
        return [tf.losses.softmaxCrossEntropy(onehot, z), tf.div(tf.sub(tf.softmax(z), onehot), bn)]
      })),
    {
      name: 'adam_step', size: `${np}`,
      reference: () => { Adam.step(adamCfg, 10, p, g, m, v) },
      // (1)-(6) of kernels/optimizers/adam-step.kernel.ts from TF.js ops, three results read back
      tfjs: async (tf) => settle(tf, () => {
        const { bc2, stepSize } = Adam.corrections(adamCfg, 10)
        const [tp, tg, tm, tv] = [p, g, m, v].map((t) => tf.tensor1d(f32(t)))
        const gh = tf.add(tg, tf.mul(tp, 0.01))
        const m1 = tf.add(tf.mul(tm, 0.9), tf.mul(gh, 0.1)), v1 = tf.add(tf.mul(tv, 0.999), tf.mul(tf.square(gh), 0.001))
        return [tf.sub(tp, tf.div(tf.mul(m1, stepSize), tf.add(tf.div(tf.sqrt(v1), Math.sqrt(bc2)), 1e-8))), m1, v1]
      }),
      kernel: async (dev) => {
        const r = await adam.forward(dev, adamAttrs.right, { param: p, grad: g, exp_avg: m, exp_avg_sq: v })
        if (E.isLeft(r)) throw new Error(formatKernelError(r.left))
      },
    },
    mlpWorkload(full),
    opWorkload('tiny relu call', '16', 'relu', {}, { x: tiny }, false,
      async (tf) => settle(tf, () => [tf.relu(tf.tensor1d(f32(tiny)))])),
  ]
}

/**
 * One SGD training step of a two-layer perceptron (kernels/optimizers/mlp-step.ts):
 * x [B, I] -> linear -> relu -> linear -> cross_entropy (mean), the backward, and
 * sgd_step on W1, b1, W2, b2; the loss and the four new parameters are read back.
 * Contenders: src's ops composed in float64; our kernels as a chain of host-path
 * calls (each uploads and reads back); the resident chain (upload once, run the
 * whole step on the device, read back once); TF.js with the same products.
 */
const mlpWorkload = (full: boolean): Workload => {
  const [b, i, h, c] = full ? [1024, 1024, 1024, 100] : [256, 256, 256, 10]
  const keys = split(keyFromSeed(7), 5).map((k) => k[1])
  const x = randn([b, i], keys[0])
  const scale = (t: Tensor, s: number) => fromArray(t.shape, t.data.map((v) => v * s))
  const p: Record<(typeof PARAMS)[number], Tensor> = {
    w1: scale(randn([h, i], keys[1]), 1 / Math.sqrt(i)), b1: scale(randn([h], keys[2]), 0.1),
    w2: scale(randn([c, h], keys[3]), 1 / Math.sqrt(h)), b2: scale(randn([c], keys[4]), 0.1),
  }
  const y = Array.from({ length: b }, (_, r) => (r * 7919) % c)
  const target = fromArray([b], y, 'int64')
  const lr = 0.1
  const one = fromArray([], [1])
  const src = (n: string) => unwrapOp(n)
  const refAttrs = (n: string, raw: RawAttrs) => { const a = src(n).parseAttrs(raw); if (E.isLeft(a)) throw new Error(n); return a.right }
  const fwdRef = (n: string, raw: RawAttrs, inputs: Tensors) => { const r = src(n).forward(refAttrs(n, raw), inputs); if (E.isLeft(r)) throw new Error(n); return r.right.outputs }
  const vjpRef = (n: string, raw: RawAttrs, inputs: Tensors, cot: Tensors) => { const r = vjp(src(n), refAttrs(n, raw), inputs, cot); if (E.isLeft(r)) throw new Error(n); return r.right.gradients }
  const k = (n: string) => unwrapKernel(n)
  const kAttrs = (n: string, raw: RawAttrs) => { const a = k(n).parseAttrs(raw); if (E.isLeft(a)) throw new Error(n); return a.right }
  return {
    name: 'MLP training step (SGD)', size: `x ${b}x${i}, hidden ${h}, ${c} classes`,
    reference: () => {
      const hh = fwdRef('linear', {}, { x, weight: p.w1, bias: p.b1 }).y
      const a = fwdRef('relu', {}, { x: hh }).y
      const z = fwdRef('linear', {}, { x: a, weight: p.w2, bias: p.b2 }).y
      const dz = vjpRef('cross_entropy', { reduction: 'mean' }, { input: z, target }, { loss: one }).input
      const g2 = vjpRef('linear', {}, { x: a, weight: p.w2, bias: p.b2 }, { y: dz })
      const dh = vjpRef('relu', {}, { x: hh }, { y: g2.x }).x
      const g1 = vjpRef('linear', {}, { x, weight: p.w1, bias: p.b1 }, { y: dh })
      const grads: Record<string, Tensor> = { w1: g1.weight, b1: g1.bias, w2: g2.weight, b2: g2.bias }
      for (const n of PARAMS) fwdRef('sgd_step', { lr }, { param: p[n], grad: grads[n] })
    },
    kernel: async (dev) => {
      const run = async (n: string, raw: RawAttrs, inputs: Tensors) => { const a = kAttrs(n, raw); const f = must(await k(n).forward(dev, a, inputs)).value; return { a, f } }
      const back = async (n: string, r: { a: unknown; f: { cache: unknown } }, cot: Tensors) => must(await k(n).backward!(dev, r.a, r.f.cache, cot)).value
      const l1 = await run('linear', {}, { x, weight: p.w1, bias: p.b1 })
      const r1 = await run('relu', {}, { x: l1.f.outputs.y })
      const l2 = await run('linear', {}, { x: r1.f.outputs.y, weight: p.w2, bias: p.b2 })
      const ce = await run('cross_entropy', { reduction: 'mean' }, { input: l2.f.outputs.y, target })
      const dz = (await back('cross_entropy', ce, { loss: one })).input
      const g2 = await back('linear', l2, { y: dz })
      const dh = (await back('relu', r1, { y: g2.x })).x
      const g1 = await back('linear', l1, { y: dh })
      const grads: Record<string, Tensor> = { w1: g1.weight, b1: g1.bias, w2: g2.weight, b2: g2.bias }
      for (const n of PARAMS) await run('sgd_step', { lr }, { param: p[n], grad: grads[n] })
    },
    ...(k('linear').resident === undefined ? {} : {
      resident: async (dev: Device) => {
        const xs = must(toDevice(dev, x))
        const ps = Object.fromEntries(PARAMS.map((n) => [n, must(toDevice(dev, p[n]))])) as unknown as MlpParams
        const t = must(deviceTargets(dev, kAttrs('cross_entropy', { reduction: 'mean' }) as never, { input: fromArray([b, c], new Float64Array(b * c)), target }))
        const r = must(await mlpStep(dev, kernelRegistry, ps, xs, t.target, t.weight, { kind: 'sgd_step', attrs: { lr } }))
        must(await toHost(r.loss))
        for (const n of PARAMS) must(await toHost(r.params[n]))
        release(xs, t.target, t.weight, r.loss, ...PARAMS.map((n) => ps[n]), ...PARAMS.map((n) => r.params[n]))
      },
    }),
    tfjs: async (tf) => settle(tf, () => {
      const xt = tf.tensor2d(f32(x), [b, i])
      const [w1, b1, w2, b2] = PARAMS.map((n) => (p[n].shape.length === 2 ? tf.tensor2d(f32(p[n]), p[n].shape as [number, number]) : tf.tensor1d(f32(p[n]))))
      const onehot = tf.oneHot(tf.tensor1d(Int32Array.from(y), 'int32'), c)
      const hh = tf.add(tf.matMul(xt, w1, false, true), b1), a = tf.relu(hh)
      const z = tf.add(tf.matMul(a, w2, false, true), b2)
      const loss = tf.losses.softmaxCrossEntropy(onehot, z)
      const dz = tf.div(tf.sub(tf.softmax(z), onehot), b)
      const dh = tf.mul(tf.matMul(dz, w2), tf.step(hh))
      const upd = (t: TfTensor, g: TfTensor) => tf.sub(t, tf.mul(g, lr))
      return [loss, upd(w1, tf.matMul(dh, xt, true, false)), upd(b1, tf.sum(dh, 0)), upd(w2, tf.matMul(dz, a, true, false)), upd(b2, tf.sum(dz, 0))]
    }),
  }
}
