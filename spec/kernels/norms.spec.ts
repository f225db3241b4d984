/**
 * The float32 batch, instance and group norm kernels
 * (kernels/normalization/{batch,instance,group}-norm.kernel.ts over
 * ./standardize.kernel.ts) against src/normalization/, on both backends: with
 * and without weight and bias, with and without spatial dims, batch norm in
 * training (with and without running statistics, including an empty batch)
 * and in evaluation.
 *
 * Bounds follow the kernels (src/normalization/standardize.ts's numbers):
 * mu = (sum x) / n_k, var = (sum (x - mu)^2) / n_k, r = 1 / sqrt(var + eps),
 * xhat recomputed from the stored mu and r, the two group sums of (5), dx as
 * r / n_k times a three-term sum, the parameter gradients as sums over a
 * channel; batch norm's running statistics as (1 - momentum) old + momentum
 * batch, the variance unbiased as (var m) / (m - 1). Sums are charged in any
 * order (./bounds.ts). eps is drawn >= 1e-5, so r <= 1/sqrt(eps) caps how much
 * a group of nearly equal values amplifies the errors; the bound carries it.
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { formatError } from '../../src/core/errors.ts'
import type { Tensors } from '../../src/core/op.ts'
import { type Tensor, fromArray, sizeOf } from '../../src/core/tensor.ts'
import * as BatchNormRef from '../../src/normalization/batch-norm.ts'
import * as GroupNormRef from '../../src/normalization/group-norm.ts'
import * as InstanceNormRef from '../../src/normalization/instance-norm.ts'
import type { KernelOp } from '../../kernels/op.ts'
import * as BatchNorm from '../../kernels/normalization/batch-norm.kernel.ts'
import * as GroupNorm from '../../kernels/normalization/group-norm.kernel.ts'
import * as InstanceNorm from '../../kernels/normalization/instance-norm.kernel.ts'
import { formatKernelError } from '../../kernels/runtime.ts'
import { type B, add, div, exact, f32, mul, neg, sqrt, sub, sum } from './bounds.ts'
import { type Bounds, type Case, device, opReference, parity, tensor32 } from './harness.ts'

const test = suite('kernels: batch, instance and group norm')

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 })
const small = (lo: number, hi: number) => fc.integer({ min: lo, max: hi })
const eps = fc.constantFrom(1e-5, 1e-3, 0.1)

/** Group of element (n, c): nN samples by nC channels per group; stats given per channel when `given`. */
interface Partition { readonly nN: number; readonly nC: number }

/**
 * The bounds of standardize (1)-(6) and affine (1)-(4) for x [N, C, ...] under
 * a partition; `given` holds batch norm's running statistics in evaluation.
 */
const standardizeBounds = (c: Case, p: Partition, epsilon: number, cot: Tensors, given?: { mean: Tensor; variance: Tensor }) => {
  const { x, weight, bias } = c.inputs
  const [n, ch] = x.shape, s = sizeOf(x.shape.slice(2))
  const gn = p.nN === 0 ? 1 : n / p.nN, gc = ch / p.nC, count = p.nN * p.nC * s
  const at = (a: number, b: number, j: number) => (a * ch + b) * s + j
  const members = (k0: number, k1: number): number[] => {
    const out: number[] = []
    for (let a = k0 * p.nN; a < (k0 + 1) * p.nN; a++) for (let b = k1 * p.nC; b < (k1 + 1) * p.nC; b++) for (let j = 0; j < s; j++) out.push(at(a, b, j))
    return out
  }
  const X = (i: number) => exact(x.data[i]), G = (i: number) => exact(cot.y.data[i])
  const chan = (i: number) => Math.floor(i / s) % ch
  const groupOf = (i: number) => Math.floor(Math.floor(i / (ch * s)) / p.nN) * gc + Math.floor(chan(i) / p.nC)
  const mu: B[] = [], variance: B[] = [], r: B[] = [], s1: B[] = [], s2: B[] = []
  const N = exact(count)
  for (let k0 = 0; k0 < gn; k0++) for (let k1 = 0; k1 < gc; k1++) {
    const idx = members(k0, k1)
    const m = given ? exact(given.mean.data[k1]) : div(sum(idx.map(X)), N) // (1), (6)
    const v = given ? exact(given.variance.data[k1]) : div(sum(idx.map((i) => { const d = sub(X(i), m); return mul(d, d) })), N) // (2)
    mu.push(m)
    variance.push(v)
    r.push(div(exact(1), sqrt(add(v, f32(epsilon))))) // (3)
  }
  const xhat = (i: number): B => mul(sub(X(i), mu[groupOf(i)]), r[groupOf(i)]) // (4)
  const dxhat = (i: number): B => (weight ? mul(G(i), exact(weight.data[chan(i)])) : G(i)) // affine (2)
  for (let k = 0; k < gn * gc; k++) {
    const idx = members(Math.floor(k / gc), k % gc)
    s1.push(sum(idx.map(dxhat))) // (5)
    s2.push(sum(idx.map((i) => mul(dxhat(i), xhat(i))))) // (5)
  }
  const all = Array.from(x.data, (_, i) => i)
  const y = all.map((i) => {
    let v = xhat(i)
    if (weight) v = mul(exact(weight.data[chan(i)]), v) // affine (1)
    if (bias) v = add(v, exact(bias.data[chan(i)])) // affine (1)
    return v
  })
  const dx = all.map((i) => {
    const k = groupOf(i)
    return given
      ? mul(r[k], dxhat(i)) // (6)
      : mul(div(r[k], N), sum([mul(N, dxhat(i)), neg(s1[k]), neg(mul(xhat(i), s2[k]))])) // (5)
  })
  const perChannel = (f: (i: number) => B) => Array.from({ length: ch }, (_, cc) => sum(all.filter((i) => chan(i) === cc).map(f)))
  const grads: Record<string, B[]> = { x: dx }
  if (weight) grads.weight = perChannel((i) => mul(G(i), xhat(i))) // affine (3)
  if (bias) grads.bias = perChannel(G) // affine (4)
  return { y, grads, mu, variance }
}

const affineInputs = (ch: number, affine: 'none' | 'weight' | 'bias' | 'both') => fc.record({ weight: tensor32([ch]), bias: tensor32([ch]) })
  .map(({ weight, bias }) => ({ ...(affine === 'weight' || affine === 'both' ? { weight } : {}), ...(affine === 'bias' || affine === 'both' ? { bias } : {}) }))
const affine = fc.constantFrom('none' as const, 'weight' as const, 'bias' as const, 'both' as const)

// ---------------------------------------------------------------- batch norm

const batchCase: fc.Arbitrary<Case> = fc.record({
  n: small(0, 3), c: small(1, 3), spatial: fc.constantFrom([], [1], [2], [2, 3]), training: fc.boolean(),
  runningMean: fc.boolean(), runningVar: fc.boolean(), affine, momentum: fc.constantFrom(0.1, 0.5, 0.01), eps, seed,
}).filter((d) => !(d.training && d.n * sizeOf(d.spatial) === 1)).chain((d) => fc.record({
  x: tensor32([d.n, d.c, ...d.spatial]), params: affineInputs(d.c, d.affine),
  running_mean: tensor32([d.c]), running_var: tensor32([d.c], { min: 0.1, max: 3 }),
}).map(({ x, params, running_mean, running_var }) => ({
  attrs: { training: d.training, momentum: d.momentum, eps: d.eps },
  inputs: {
    x, ...params,
    ...(d.runningMean || !d.training ? { running_mean } : {}),
    ...(d.runningVar || !d.training ? { running_var } : {}),
  },
  seed: d.seed,
})))

parity(test, {
  kernel: BatchNorm.op,
  reference: opReference(BatchNormRef.op),
  arb: batchCase,
  bounds: (c: Case, a: BatchNormRef.Attrs, cot: Tensors): Bounds => {
    const { x, running_mean: rm, running_var: rv } = c.inputs
    const m = x.shape[0] * sizeOf(x.shape.slice(2))
    const b = standardizeBounds(c, { nN: x.shape[0], nC: 1 }, a.eps, cot, a.training ? undefined : { mean: rm, variance: rv })
    const outputs: Record<string, B[]> = { y: b.y }
    const update = (old: Tensor, batch: (ch: number) => B): B[] => Array.from(old.data, (o, ch) =>
      !a.training || m === 0 ? exact(o) : add(mul(sub(exact(1), f32(a.momentum)), exact(o)), mul(f32(a.momentum), batch(ch)))) // (4), (5)
    if (rm) outputs.running_mean = update(rm, (ch) => b.mu[ch]) // (4)
    if (rv) outputs.running_var = update(rv, (ch) => div(mul(b.variance[ch], exact(m)), sub(exact(m), exact(1)))) // (5)
    return { outputs, gradients: b.grads }
  },
})

// ---------------------------------------------------------------- instance norm

const instanceCase: fc.Arbitrary<Case> = fc.record({
  n: small(0, 3), c: small(1, 3), spatial: fc.constantFrom([2], [5], [2, 3], [1, 4]), affine, eps, seed,
}).chain((d) => fc.record({ x: tensor32([d.n, d.c, ...d.spatial]), params: affineInputs(d.c, d.affine) })
  .map(({ x, params }) => ({ attrs: { eps: d.eps }, inputs: { x, ...params }, seed: d.seed })))

parity(test, {
  kernel: InstanceNorm.op,
  reference: opReference(InstanceNormRef.op),
  arb: instanceCase,
  bounds: (c: Case, a: InstanceNormRef.Attrs, cot: Tensors): Bounds => {
    const b = standardizeBounds(c, { nN: 1, nC: 1 }, a.eps, cot)
    return { outputs: { y: b.y }, gradients: b.grads }
  },
})

// ---------------------------------------------------------------- group norm

const groupCase: fc.Arbitrary<Case> = fc.record({
  n: small(0, 3), groups: small(1, 3), perGroup: small(1, 3), spatial: fc.constantFrom([], [1], [2], [3, 2]), affine, eps, seed,
}).filter((d) => d.n * d.perGroup * sizeOf(d.spatial) !== 1).chain((d) => fc.record({
  x: tensor32([d.n, d.groups * d.perGroup, ...d.spatial]), params: affineInputs(d.groups * d.perGroup, d.affine),
}).map(({ x, params }) => ({ attrs: { num_groups: d.groups, eps: d.eps }, inputs: { x, ...params }, seed: d.seed })))

parity(test, {
  kernel: GroupNorm.op,
  reference: opReference(GroupNormRef.op),
  arb: groupCase,
  bounds: (c: Case, a: GroupNormRef.Attrs, cot: Tensors): Bounds => {
    const b = standardizeBounds(c, { nN: 1, nC: c.inputs.x.shape[1] / a.num_groups }, a.eps, cot)
    return { outputs: { y: b.y }, gradients: b.grads }
  },
})

/** Bad requests get src's error values, message for message, with no launch. */
test('batch, instance and group norm: invalid inputs and attributes give the src ops\' errors', async () => {
  const dev = await device('cpu')
  const t = (shape: number[]) => fromArray(shape, new Float64Array(sizeOf(shape)))
  const cases: [KernelOp, { parseAttrs: KernelOp['parseAttrs']; forward: (a: never, i: Tensors) => E.Either<unknown, unknown> }, Record<string, unknown>, Record<string, Tensor>][] = [
    [BatchNorm.op, BatchNormRef.op, {}, { x: t([3]) }],
    [BatchNorm.op, BatchNormRef.op, { training: true }, { x: t([1, 2]) }],
    [BatchNorm.op, BatchNormRef.op, {}, { x: t([2, 2]), running_mean: t([2]) }],
    [BatchNorm.op, BatchNormRef.op, { training: true }, { x: t([2, 2]), weight: t([3]) }],
    [InstanceNorm.op, InstanceNormRef.op, {}, { x: t([2, 2]) }],
    [InstanceNorm.op, InstanceNormRef.op, {}, { x: t([2, 2, 1]) }],
    [InstanceNorm.op, InstanceNormRef.op, {}, { x: t([2, 2, 3]), bias: t([2, 1]) }],
    [GroupNorm.op, GroupNormRef.op, { num_groups: 2 }, { x: t([2, 3, 4]) }],
    [GroupNorm.op, GroupNormRef.op, { num_groups: 2 }, { x: t([1, 2]) }],
    [GroupNorm.op, GroupNormRef.op, { num_groups: 1 }, { x: t([2]) }],
  ]
  for (const [ker, ref, raw, inputs] of cases) {
    const a = ref.parseAttrs(raw), ka = ker.parseAttrs(raw)
    if (E.isLeft(a) || E.isLeft(ka)) throw new Error(`attrs ${JSON.stringify(raw)}`)
    const r = ref.forward(a.right as never, inputs)
    const k = await ker.forward(dev, ka.right, inputs)
    assert.ok(E.isLeft(r) && E.isLeft(k), `${ker.name} rejects ${JSON.stringify(raw)}`)
    if (E.isLeft(r) && E.isLeft(k)) assert.is(formatKernelError(k.left), formatError(r.left as never))
  }
})

test.run()
