/**
 * Device-resident tensors (kernels/device-tensor.ts) and the resident form
 * of the kernels (issue 18), on both backends:
 *   - the DeviceTensor contract: a round trip returns the float32 values,
 *     views share a buffer, a released tensor is an error value, not stale data;
 *   - resident = host path, exactly, op by op (the same kernels on the same
 *     float32 values give the same float32 results: gpu.js compiles the same
 *     WGSL for a kernel whether its result stays on the device or not);
 *   - one MLP training step (kernels/optimizers/mlp-step.ts) run on the device
 *     with no readback equals the same chain of host-path kernel calls, and is
 *     within the bound derived from the kernels' arithmetic of the float64
 *     step composed from src's ops (linear, relu, cross_entropy, sgd_step or
 *     adam_step), element by element: the loss, and every new parameter.
 *
 * The step's bound re-evaluates the chain on pairs {v, e} (./bounds.ts):
 * linear outputs as sums of products in any order (the bias one more term),
 * relu as 1-Lipschitz (max(0, .) adds no rounding and cannot grow an error),
 * cross_entropy as spec/kernels/losses.spec.ts charges it (with the errors of
 * the logits carried in), the mean's 1/D as one division. The relu mask of
 * the backward is discontinuous: where |h| <= e(h) the kernel's f32 h may
 * fall on the other side of 0, so dh there is charged |da| + e(da) (either
 * value), and the exact mask elsewhere.
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { Tensors } from '../../src/core/op.ts'
import { vjp } from '../../src/core/op.ts'
import { type Tensor, fromArray } from '../../src/core/tensor.ts'
import { registry } from '../../src/registry.ts'
import * as Adam from '../../src/optimizers/adam.ts'
import * as AdamStepRef from '../../src/optimizers/adam-step.ts'
import { type DeviceTensor, fromF32, release, reshape, toDevice, toF32, toHost } from '../../kernels/device-tensor.ts'
import { kernelRegistry } from '../../kernels/index.ts'
import { deviceTargets } from '../../kernels/losses/cross-entropy.kernel.ts'
import type { KernelOp } from '../../kernels/op.ts'
import { type MlpParams, type Optimizer, PARAMS, mlpStep } from '../../kernels/optimizers/mlp-step.ts'
import { type Device, formatKernelError } from '../../kernels/runtime.ts'
import { seedOf } from '../support/property.ts'
import { type B, add, check, div, exact, exp, f32, log, mul, neg, sqrt, sub, sum } from './bounds.ts'
import { BACKENDS, cotangent, device, tensor32 } from './harness.ts'

const test = suite('kernels: device-resident tensors')

/** fc.check with the failure's message, seed and counterexample in the thrown error (as ./harness.ts's parity). */
const holds = async <T>(title: string, arb: fc.Arbitrary<T>, body: (t: T) => Promise<void>, numRuns: number): Promise<void> => {
  const d = await fc.check(fc.asyncProperty(arb, body), { numRuns, seed: seedOf(title) })
  if (d.failed) {
    const err = d.errorInstance as Error | undefined
    throw new Error(`"${title}" failed after ${d.numRuns} runs: ${err?.message ?? String(d.errorInstance)}\n  counterexample: ${fc.stringify(d.counterexample).slice(0, 1500)}`)
  }
}

const must = <T>(e: E.Either<{ _tag: string }, T>): T => {
  if (E.isLeft(e)) throw new Error(formatKernelError(e.left as never))
  return e.right
}

// ---------------------------------------------------------------- the DeviceTensor contract

for (const backend of BACKENDS) {
  test(`[${backend}] toDevice / toHost round trip, views, release`, async () => {
    const dev = await device(backend)
    const t = fromArray([2, 3], [1, -2.5, 3, 1 / 3, 0, 1e-30])
    const d = must(toDevice(dev, t))
    const back = must(await toHost(d))
    assert.equal(back.shape, [2, 3])
    assert.is(back.dtype, 'float32')
    assert.equal(Array.from(back.data), Array.from(t.data, Math.fround), 'float64 rounded once to float32')
    const v = must(reshape(d, [3, 2]))
    release(d)
    assert.equal(Array.from(must(await toF32(v))), Array.from(t.data, Math.fround), 'a view outlives the release of its sibling')
    release(v)
    const gone = await toF32(v)
    assert.ok(E.isLeft(gone) && gone.left._tag === 'BackendError', 'a released tensor is an error value')
    const empty = must(fromF32(dev, new Float32Array(0), [0, 4]))
    assert.equal(must(await toHost(empty)).shape, [0, 4])
    release(empty)
  })
}

// ---------------------------------------------------------------- resident = host path, op by op

/** Host-path forward (+ backward with the given cotangents) and the resident one, as host tensors. */
const bothPaths = async (dev: Device, k: KernelOp, raw: Record<string, unknown>, inputs: Tensors, cot: (outs: Tensors) => Tensors) => {
  const a = must(k.parseAttrs(raw))
  const hf = must(await k.forward(dev, a, inputs)).value
  const cots = cot(hf.outputs)
  const hb = k.backward === undefined || k.resident?.backward === undefined ? {} : must(await k.backward(dev, a, hf.cache, cots)).value
  const r = k.resident!
  const din: Record<string, DeviceTensor> = {}
  for (const [n, t] of Object.entries(inputs)) din[n] = must(toDevice(dev, t))
  const rf = must(await r.forward(dev, a, din))
  const outs: Record<string, Tensor> = {}
  for (const [n, t] of Object.entries(rf.outputs)) outs[n] = must(await toHost(t))
  const grads: Record<string, Tensor> = {}
  if (r.backward !== undefined && k.backward !== undefined) {
    const dc: Record<string, DeviceTensor> = {}
    for (const [n, t] of Object.entries(cots)) dc[n] = must(toDevice(dev, t))
    const rb = must(await r.backward(dev, a, rf.cache, dc))
    for (const [n, t] of Object.entries(rb)) { grads[n] = must(await toHost(t)); release(t) }
    release(...Object.values(dc))
  }
  r.dispose(rf.cache)
  release(...Object.values(rf.outputs), ...Object.values(din))
  return { host: { ...prefix('out.', hf.outputs), ...prefix('grad.', hb as Tensors) }, resident: { ...prefix('out.', outs), ...prefix('grad.', grads) } }
}
const prefix = (p: string, ts: Tensors): Record<string, Tensor> => Object.fromEntries(Object.entries(ts).map(([k, v]) => [p + k, v]))

const sameResults = (host: Record<string, Tensor>, res: Record<string, Tensor>): string | undefined => {
  const keys = Object.keys(host).sort()
  if (keys.join() !== Object.keys(res).sort().join()) return `host gives ${keys}, resident ${Object.keys(res).sort()}`
  for (const k of keys) {
    if (host[k].shape.join() !== res[k].shape.join()) return `${k}: shape [${host[k].shape}] vs [${res[k].shape}]`
    for (let i = 0; i < host[k].data.length; i++) {
      if (!Object.is(host[k].data[i], res[k].data[i])) return `${k}[${i}]: host ${host[k].data[i]}, resident ${res[k].data[i]}`
    }
  }
  return undefined
}

const rowsArb = fc.record({ r: fc.integer({ min: 1, max: 5 }), d: fc.integer({ min: 1, max: 7 }) })
const residentCases: { readonly name: string; readonly arb: fc.Arbitrary<{ raw: Record<string, unknown>; inputs: Tensors }> }[] = [
  { name: 'relu', arb: rowsArb.chain(({ r, d }) => tensor32([r, d]).map((x) => ({ raw: {}, inputs: { x } }))) },
  { name: 'softmax', arb: rowsArb.chain(({ r, d }) => fc.record({ x: tensor32([r, d], { min: -5, max: 5 }), dim: fc.constantFrom(0, -1) }).map(({ x, dim }) => ({ raw: { dim }, inputs: { x } }))) },
  { name: 'gelu', arb: rowsArb.chain(({ r, d }) => tensor32([r, d]).map((x) => ({ raw: {}, inputs: { x } }))) },
  {
    name: 'layer_norm',
    arb: rowsArb.chain(({ r, d }) => fc.record({ x: tensor32([r, d]), weight: tensor32([d]), bias: tensor32([d]), w: fc.boolean() })
      .map(({ x, weight, bias, w }) => ({ raw: { normalized_shape: [d] }, inputs: w ? { x, weight, bias } : { x } }))),
  },
  {
    name: 'cross_entropy',
    arb: fc.record({ n: fc.integer({ min: 1, max: 4 }), c: fc.integer({ min: 1, max: 5 }), k: fc.constantFrom(1, 3), red: fc.constantFrom('mean', 'sum', 'none') })
      .chain(({ n, c, k, red }) => fc.record({ x: tensor32(k === 1 ? [n, c] : [n, c, k], { min: -5, max: 5 }), y: fc.array(fc.integer({ min: 0, max: c - 1 }), { minLength: n * k, maxLength: n * k }) })
        .map(({ x, y }) => ({ raw: { reduction: red }, inputs: { input: x, target: fromArray(k === 1 ? [n] : [n, k], y, 'int64') } }))),
  },
  {
    name: 'adam_step',
    arb: rowsArb.chain(({ r, d }) => fc.record({ param: tensor32([r, d]), grad: tensor32([r, d]), exp_avg: tensor32([r, d]), exp_avg_sq: tensor32([r, d], { min: 0.01, max: 3 }), step: fc.integer({ min: 1, max: 100 }), decoupled: fc.boolean() })
      .map(({ step, decoupled, ...inputs }) => ({ raw: { step, decoupled, weight_decay: 0.01 }, inputs }))),
  },
  {
    name: 'sgd_step',
    arb: rowsArb.chain(({ r, d }) => fc.record({ param: tensor32([r, d]), grad: tensor32([r, d]), momentum_buffer: tensor32([r, d]), momentum: fc.constantFrom(0, 0.9) })
      .map(({ momentum, ...inputs }) => ({ raw: { lr: 0.1, momentum }, inputs }))),
  },
]

for (const backend of BACKENDS) {
  for (const { name, arb } of residentCases) {
    const title = `${name} [${backend}]: the resident form gives the host path's float32 numbers exactly`
    test(title, async () => {
      const dev = await device(backend)
      const k = kernelRegistry.get(name)!
      assert.ok(k.resident !== undefined, `${name} has a resident form`)
      await holds(title, fc.tuple(arb, fc.integer({ min: 0, max: 2 ** 31 - 1 })), async ([{ raw, inputs }, sd]) => {
        // cross_entropy takes its classes on the device as float32 (deviceTargets); the other ops take their inputs as they are
        if (name === 'cross_entropy') return crossEntropyBoth(dev, k, raw, inputs, sd)
        const { host, resident } = await bothPaths(dev, k, raw, inputs, (outs) => Object.fromEntries(Object.entries(outs).map(([o, t], i) => [o, cotangent(t.shape, sd + i)])))
        const msg = sameResults(host, resident)
        if (msg !== undefined) throw new Error(msg)
      }, 25)
    })
  }
}

const crossEntropyBoth = async (dev: Device, k: KernelOp, raw: Record<string, unknown>, inputs: Tensors, sd: number): Promise<void> => {
  const a = must(k.parseAttrs(raw))
  const hf = must(await k.forward(dev, a, inputs)).value
  const g = cotangent(hf.outputs.loss.shape, sd)
  const hb = must(await k.backward!(dev, a, hf.cache, { loss: g })).value
  const { target, weight } = must(deviceTargets(dev, a, inputs))
  const x = must(toDevice(dev, inputs.input))
  const rf = must(await k.resident!.forward(dev, a, { input: x, target, weight }))
  const dg = must(toDevice(dev, g))
  const rb = must(await k.resident!.backward!(dev, a, rf.cache, { loss: dg }))
  const msg = sameResults({ loss: hf.outputs.loss, input: hb.input }, { loss: must(await toHost(rf.outputs.loss)), input: must(await toHost(rb.input)) })
  k.resident!.dispose(rf.cache)
  release(x, target, weight, dg, rf.outputs.loss, rb.input)
  if (msg !== undefined) throw new Error(msg)
}

// ---------------------------------------------------------------- one MLP training step

interface MlpCase {
  readonly x: Tensor
  readonly y: readonly number[]
  readonly p: Record<(typeof PARAMS)[number], Tensor>
  readonly opt: { kind: 'sgd_step'; lr: number } | { kind: 'adam_step'; lr: number; step: number; m: Record<string, Tensor>; v: Record<string, Tensor> }
}

const mlpArb: fc.Arbitrary<MlpCase> = fc.record({
  b: fc.integer({ min: 1, max: 4 }), i: fc.integer({ min: 1, max: 4 }), h: fc.integer({ min: 1, max: 5 }), c: fc.integer({ min: 2, max: 4 }),
  adam: fc.boolean(), lr: fc.constantFrom(0.1, 0.01), step: fc.integer({ min: 1, max: 10 }),
}).chain(({ b, i, h, c, adam, lr, step }) => {
  const shapes = { w1: [h, i], b1: [h], w2: [c, h], b2: [c] } as const
  const params = fc.record({ w1: tensor32(shapes.w1, { min: -1, max: 1 }), b1: tensor32(shapes.b1, { min: -1, max: 1 }), w2: tensor32(shapes.w2, { min: -1, max: 1 }), b2: tensor32(shapes.b2, { min: -1, max: 1 }) })
  const moments = (o: { min: number; max: number }) => fc.record({ w1: tensor32(shapes.w1, o), b1: tensor32(shapes.b1, o), w2: tensor32(shapes.w2, o), b2: tensor32(shapes.b2, o) })
  return fc.record({
    x: tensor32([b, i], { min: -2, max: 2 }), y: fc.array(fc.integer({ min: 0, max: c - 1 }), { minLength: b, maxLength: b }), p: params,
    // v >= 0.01 keeps v' away from 0, where Adam's backward slope is infinite (optimizers.spec.ts)
    m: moments({ min: -1, max: 1 }), v: moments({ min: 0.01, max: 3 }),
  }).map(({ x, y, p, m, v }): MlpCase => ({ x, y, p, opt: adam ? { kind: 'adam_step', lr, step, m, v } : { kind: 'sgd_step', lr } }))
})

const optAttrs = (o: MlpCase['opt']): Record<string, unknown> => (o.kind === 'sgd_step' ? { lr: o.lr } : { lr: o.lr, step: o.step })

/** The float64 step composed from src's ops, and its bounds re-evaluated on {v, e} pairs. */
const reference = (c: MlpCase): { loss: number; params: Record<string, Float64Array>; bounds: { loss: B; params: Record<string, B[]> } } => {
  const op = (n: string) => registry.get(n)!
  const run = (n: string, raw: Record<string, unknown>, inputs: Tensors, cot?: Tensors) => {
    const o = op(n), a = must(o.parseAttrs(raw))
    if (cot === undefined) return { outputs: must(o.forward(a, inputs)).outputs, gradients: {} as Tensors }
    return must(vjp(o, a, inputs, cot))
  }
  const target = fromArray([c.y.length], c.y, 'int64')
  const h = run('linear', {}, { x: c.x, weight: c.p.w1, bias: c.p.b1 }).outputs.y
  const a = run('relu', {}, { x: h }).outputs.y
  const z = run('linear', {}, { x: a, weight: c.p.w2, bias: c.p.b2 }).outputs.y
  const ce = run('cross_entropy', { reduction: 'mean' }, { input: z, target }, { loss: fromArray([], [1]) })
  const l2 = run('linear', {}, { x: a, weight: c.p.w2, bias: c.p.b2 }, { y: ce.gradients.input })
  const dh = run('relu', {}, { x: h }, { y: l2.gradients.x }).gradients.x
  const l1 = run('linear', {}, { x: c.x, weight: c.p.w1, bias: c.p.b1 }, { y: dh })
  const grads: Record<string, Tensor> = { w1: l1.gradients.weight, b1: l1.gradients.bias, w2: l2.gradients.weight, b2: l2.gradients.bias }
  const params: Record<string, Float64Array> = {}
  for (const k of PARAMS) {
    const inputs: Record<string, Tensor> = { param: c.p[k], grad: grads[k] }
    if (c.opt.kind === 'adam_step') { inputs.exp_avg = c.opt.m[k]; inputs.exp_avg_sq = c.opt.v[k] }
    params[k] = run(c.opt.kind, optAttrs(c.opt), inputs).outputs.param.data
  }
  return { loss: ce.outputs.loss.data[0], params, bounds: stepBounds(c) }
}

/** The bounds of (1)-(7) and the update (kernels/optimizers/mlp-step.ts), following each kernel's arithmetic. */
const stepBounds = (c: MlpCase): { loss: B; params: Record<string, B[]> } => {
  const [bn, inF] = c.x.shape, [hid] = c.p.w1.shape, [cls] = c.p.w2.shape
  const X = (r: number, p: number) => exact(c.x.data[r * inF + p])
  const W1 = (j: number, p: number) => exact(c.p.w1.data[j * inF + p]), W2 = (k: number, j: number) => exact(c.p.w2.data[k * hid + j])
  const range = (n: number) => Array.from({ length: n }, (_, i) => i)
  const h = range(bn).map((r) => range(hid).map((j) => sum([...range(inF).map((p) => mul(X(r, p), W1(j, p))), exact(c.p.b1.data[j])]))) // (1)
  const a = h.map((row) => row.map((v) => ({ v: Math.max(0, v.v), e: v.e }))) // (2): 1-Lipschitz, no rounding
  const z = range(bn).map((r) => range(cls).map((k) => sum([...range(hid).map((j) => mul(a[r][j], W2(k, j))), exact(c.p.b2.data[k])]))) // (3)
  // (4): cross_entropy (1)-(3) with weights 1 and the mean
  const logp = z.map((row) => {
    const m: B = { v: Math.max(...row.map((t) => t.v)), e: Math.max(...row.map((t) => t.e)) } // max is 1-Lipschitz
    const ls = log(sum(row.map((t) => exp(sub(t, m)))))
    return row.map((t) => sum([t, neg(m), neg(ls)]))
  })
  const D = sum(range(bn).map(() => exact(1)))
  const loss = div(sum(range(bn).map((r) => mul(exact(1), neg(logp[r][c.y[r]])))), D)
  const d = div(exact(1), D) // g / D, g = 1
  const dz = range(bn).map((r) => range(cls).map((k) => mul(d, mul(exact(1), sub(exp(logp[r][k]), exact(k === c.y[r] ? 1 : 0)))))) // (5)
  const dW2 = range(cls).map((k) => range(hid).map((j) => sum(range(bn).map((r) => mul(dz[r][k], a[r][j])))))
  const db2 = range(cls).map((k) => sum(range(bn).map((r) => dz[r][k])))
  const da = range(bn).map((r) => range(hid).map((j) => sum(range(cls).map((k) => mul(dz[r][k], W2(k, j))))))
  const dh = range(bn).map((r) => range(hid).map((j): B => { // (6), the mask charged where h's f32 sign is uncertain
    const hv = h[r][j], g = da[r][j]
    if (Math.abs(hv.v) <= hv.e) return { v: hv.v > 0 ? g.v : 0, e: Math.abs(g.v) + g.e }
    return hv.v > 0 ? g : exact(0)
  }))
  const dW1 = range(hid).map((j) => range(inF).map((p) => sum(range(bn).map((r) => mul(dh[r][j], X(r, p))))))
  const db1 = range(hid).map((j) => sum(range(bn).map((r) => dh[r][j])))
  const grads: Record<string, B[]> = { w1: dW1.flat(), b1: db1, w2: dW2.flat(), b2: db2 }
  const params: Record<string, B[]> = {}
  for (const k of PARAMS) {
    const P = Array.from(c.p[k].data, exact)
    if (c.opt.kind === 'sgd_step') {
      params[k] = P.map((p, i) => add(p, mul(neg(f32(c.opt.lr)), grads[k][i]))) // sgd_step (4): p + -lr d
      continue
    }
    const o = c.opt
    const attrs = must(AdamStepRef.op.parseAttrs(optAttrs(o)))
    const { bc2, stepSize } = Adam.corrections(AdamStepRef.toConfig(attrs), attrs.step)
    params[k] = P.map((p, i) => { // adam_step (1)-(6), as spec/kernels/optimizers.spec.ts, with the gradient's error carried in
      const gh = attrs.weight_decay !== 0 ? add(grads[k][i], mul(f32(attrs.weight_decay), p)) : grads[k][i]
      const mi = sum([mul(exact(o.m[k].data[i]), f32(attrs.beta1)), mul(sub(exact(1), f32(attrs.beta1)), gh)])
      const vi = sum([mul(exact(o.v[k].data[i]), f32(attrs.beta2)), mul(mul(sub(exact(1), f32(attrs.beta2)), gh), gh)])
      const delta = add(div(sqrt(vi), f32(Math.sqrt(bc2))), f32(attrs.eps))
      return sum([mul(p, exact(1)), div(mul(neg(f32(stepSize)), mi), delta)])
    })
  }
  return { loss, params }
}

/** The same step as a chain of host-path kernel calls (each uploads and reads back). */
const hostStep = async (dev: Device, c: MlpCase): Promise<{ loss: number; params: Record<string, Float64Array> }> => {
  const k = (n: string) => kernelRegistry.get(n)!
  const fwd = async (n: string, raw: Record<string, unknown>, inputs: Tensors) => {
    const a = must(k(n).parseAttrs(raw))
    return { a, f: must(await k(n).forward(dev, a, inputs)).value }
  }
  const bwd = async (n: string, r: { a: unknown; f: { cache: unknown } }, cot: Tensors) => must(await k(n).backward!(dev, r.a, r.f.cache, cot)).value
  const target = fromArray([c.y.length], c.y, 'int64')
  const l1 = await fwd('linear', {}, { x: c.x, weight: c.p.w1, bias: c.p.b1 })
  const r1 = await fwd('relu', {}, { x: l1.f.outputs.y })
  const l2 = await fwd('linear', {}, { x: r1.f.outputs.y, weight: c.p.w2, bias: c.p.b2 })
  const ce = await fwd('cross_entropy', { reduction: 'mean' }, { input: l2.f.outputs.y, target })
  const dz = (await bwd('cross_entropy', ce, { loss: fromArray([], [1]) })).input
  const g2 = await bwd('linear', l2, { y: dz })
  const dh = (await bwd('relu', r1, { y: g2.x })).x
  const g1 = await bwd('linear', l1, { y: dh })
  const grads: Record<string, Tensor> = { w1: g1.weight, b1: g1.bias, w2: g2.weight, b2: g2.bias }
  const params: Record<string, Float64Array> = {}
  for (const p of PARAMS) {
    const inputs: Record<string, Tensor> = { param: c.p[p], grad: grads[p] }
    if (c.opt.kind === 'adam_step') { inputs.exp_avg = c.opt.m[p]; inputs.exp_avg_sq = c.opt.v[p] }
    params[p] = (await fwd(c.opt.kind, optAttrs(c.opt), inputs)).f.outputs.param.data
  }
  return { loss: ce.f.outputs.loss.data[0], params }
}

/** The step on the device: upload once, mlpStep, read back the loss and the parameters. */
const residentStep = async (dev: Device, c: MlpCase): Promise<{ loss: number; params: Record<string, Float64Array> }> => {
  const up = (t: Tensor) => must(toDevice(dev, t))
  const ups = (ts: Record<string, Tensor>) => Object.fromEntries(PARAMS.map((k) => [k, up(ts[k])])) as unknown as MlpParams
  const params = ups(c.p), x = up(c.x)
  const ce = must(kernelRegistry.get('cross_entropy')!.parseAttrs({ reduction: 'mean' }))
  const { target, weight } = must(deviceTargets(dev, ce, { input: fromArray([c.x.shape[0], c.p.w2.shape[0]], new Float64Array(c.x.shape[0] * c.p.w2.shape[0])), target: fromArray([c.y.length], c.y, 'int64') }))
  const opt: Optimizer = c.opt.kind === 'sgd_step' ? { kind: 'sgd_step', attrs: optAttrs(c.opt) } : { kind: 'adam_step', attrs: optAttrs(c.opt), exp_avg: ups(c.opt.m), exp_avg_sq: ups(c.opt.v) }
  const r = must(await mlpStep(dev, kernelRegistry, params, x, target, weight, opt))
  const out = { loss: must(await toHost(r.loss)).data[0], params: {} as Record<string, Float64Array> }
  for (const k of PARAMS) out.params[k] = must(await toHost(r.params[k])).data
  const all = (m?: MlpParams) => (m === undefined ? [] : PARAMS.map((k) => m[k]))
  release(x, target, weight, r.loss, ...all(params), ...all(r.params), ...all(r.exp_avg), ...all(r.exp_avg_sq))
  if (opt.kind === 'adam_step') release(...all(opt.exp_avg), ...all(opt.exp_avg_sq))
  return out
}

for (const backend of BACKENDS) {
  const title = `mlp training step [${backend}]: on the device, no readback until the end, equal to the host-path chain and within the derived bound of the float64 step`
  test(title, async () => {
    const dev = await device(backend)
    await holds(title, mlpArb, async (c) => {
      const res = await residentStep(dev, c)
      const host = await hostStep(dev, c)
      const ref = reference(c)
      if (!Object.is(res.loss, host.loss)) throw new Error(`loss: resident ${res.loss}, host ${host.loss}`)
      const msg0 = check('loss', res.loss, ref.loss, ref.bounds.loss)
      if (msg0 !== undefined) throw new Error(msg0)
      for (const k of PARAMS) {
        for (let i = 0; i < ref.params[k].length; i++) {
          if (!Object.is(res.params[k][i], host.params[k][i])) throw new Error(`${k}[${i}]: resident ${res.params[k][i]}, host ${host.params[k][i]}`)
          const msg = check(`${k}[${i}]`, res.params[k][i], ref.params[k][i], ref.bounds.params[k][i])
          if (msg !== undefined) throw new Error(msg)
        }
      }
    }, 30)
  })
}

test.run()
