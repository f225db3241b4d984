/**
 * The float32 conv2d kernel (kernels/convolution/conv2d.kernel.ts) against
 * src/convolution/conv2d.ts, on both backends, over stride, padding (one
 * value, a pair, and asymmetric [top, left, bottom, right]), dilation, groups,
 * with and without bias, including empty batches.
 *
 * Bounds. Every result of (1), (3), (4), (5) is a sum of products, each
 * product one term of the trilinear form T (src/convolution/correlation.ts
 * (1)); the spec enumerates T's terms the way src's loop nest does (not the
 * way the kernel's gathers do, so a kernel that drops or doubles a term
 * fails) and charges each result ./bounds.ts's sum rule
 *   |error| <= gamma(n - 1) sum |terms| + u sum |products|      (Higham 3.5)
 * with n its number of terms (the bias is one more term of y). The kernels
 * also add products with exact zeros (the zero padding of x, the zeros
 * between g's entries that turn (3) into a stride-1 correlation): each is
 * +-0 and leaves a partial sum unchanged for finite inputs, so they are not
 * terms of the bound (kernels/convolution/conv2d.kernel.ts, "Rounding").
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { formatError } from '../../src/core/errors.ts'
import type { Tensors } from '../../src/core/op.ts'
import { fromArray, sizeOf, type Tensor } from '../../src/core/tensor.ts'
import * as Conv2dRef from '../../src/convolution/conv2d.ts'
import { convOut } from '../../src/convolution/correlation.ts'
import * as Conv2d from '../../kernels/convolution/conv2d.kernel.ts'
import { formatKernelError } from '../../kernels/runtime.ts'
import { seedOf } from '../support/property.ts'
import { type B, exact, mul, sum } from './bounds.ts'
import { BACKENDS, type Bounds, type Case, device, opReference, parity, parityCase, residentMatchesHost, tensor32 } from './harness.ts'

const test = suite('kernels: convolution')

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 })
const small = (lo: number, hi: number) => fc.integer({ min: lo, max: hi })

const padding = fc.oneof(
  small(0, 2),
  fc.tuple(small(0, 2), small(0, 2)),
  fc.tuple(small(0, 2), small(0, 2), small(0, 2), small(0, 2)),
)

/** A layer whose output is at least 1 x 1 (src rejects the rest; ./conv.spec.ts's error test covers that). */
const caseArb: fc.Arbitrary<Case> = fc.record({
  n: small(0, 2), groups: small(1, 2), cg: small(1, 2), kg: small(1, 2), h: small(1, 5), w: small(1, 5),
  kh: small(1, 3), kw: small(1, 3), stride: fc.tuple(small(1, 3), small(1, 3)), dilation: fc.tuple(small(1, 2), small(1, 2)),
  padding, bias: fc.boolean(), seed,
}).filter((p) => {
  const pad = typeof p.padding === 'number' ? [p.padding, p.padding, p.padding, p.padding] : p.padding.length === 2 ? [...p.padding, ...p.padding] : p.padding
  return convOut(p.h, p.kh, p.stride[0], pad[0], pad[2], p.dilation[0]) >= 1 && convOut(p.w, p.kw, p.stride[1], pad[1], pad[3], p.dilation[1]) >= 1
}).chain((p) => fc.record({
  x: tensor32([p.n, p.groups * p.cg, p.h, p.w]), weight: tensor32([p.groups * p.kg, p.cg, p.kh, p.kw]), bias: tensor32([p.groups * p.kg]),
}).map(({ x, weight, bias }) => ({
  attrs: { stride: p.stride, padding: p.padding, dilation: p.dilation, groups: p.groups },
  inputs: { x, weight, ...(p.bias ? { bias } : {}) },
  seed: p.seed,
})))

/** T's terms as flat (x, weight, y) index triples, in src's loop order (correlation.ts's `contract`). */
const terms = (a: Conv2dRef.Attrs, xs: readonly number[], ws: readonly number[]): { triples: [number, number, number][]; ho: number; wo: number } => {
  const [n, c, h, w] = xs, [k, cg, kh, kw] = ws
  const [pt, pl, pb, pr] = a.padding
  const ho = convOut(h, kh, a.stride[0], pt, pb, a.dilation[0]), wo = convOut(w, kw, a.stride[1], pl, pr, a.dilation[1])
  const kg = k / a.groups
  const triples: [number, number, number][] = []
  for (let b = 0; b < n; b++) for (let g = 0; g < a.groups; g++) for (let o = 0; o < kg; o++) {
    const ko = g * kg + o
    for (let oh = 0; oh < ho; oh++) for (let ow = 0; ow < wo; ow++) for (let ci = 0; ci < cg; ci++) for (let i = 0; i < kh; i++) {
      const ih = oh * a.stride[0] - pt + i * a.dilation[0] // (1)
      if (ih < 0 || ih >= h) continue
      for (let j = 0; j < kw; j++) {
        const iw = ow * a.stride[1] - pl + j * a.dilation[1] // (1)
        if (iw < 0 || iw >= w) continue
        triples.push([((b * c + g * cg + ci) * h + ih) * w + iw, ((ko * cg + ci) * kh + i) * kw + j, ((b * k + ko) * ho + oh) * wo + ow])
      }
    }
  }
  return { triples, ho, wo }
}

const bounds = (c: Case, a: Conv2dRef.Attrs, cot: Tensors): Bounds => {
  const { x, weight, bias } = c.inputs
  const { triples, ho, wo } = terms(a, x.shape, weight.shape)
  const [n] = x.shape, [k] = weight.shape
  const X = (i: number) => exact(x.data[i]), W = (i: number) => exact(weight.data[i]), G = (i: number) => exact(cot.y.data[i])
  const lists = (size: number) => Array.from({ length: size }, (): B[] => [])
  const y = lists(n * k * ho * wo), dx = lists(x.data.length), dw = lists(weight.data.length), db = lists(k)
  for (const [u, v, o] of triples) {
    y[o].push(mul(X(u), W(v))) // (1)
    dx[u].push(mul(W(v), G(o))) // (3)
    dw[v].push(mul(X(u), G(o))) // (4)
  }
  if (bias) y.forEach((t, o) => t.push(exact(bias.data[Math.floor(o / (ho * wo)) % k]))) // (1)
  cot.y.data.forEach((g, o) => db[Math.floor(o / (ho * wo)) % k].push(exact(g))) // (5)
  return {
    outputs: { y: y.map(sum) },
    gradients: { x: dx.map(sum), weight: dw.map(sum), ...(bias ? { bias: db.map(sum) } : {}) },
  }
}

parity(test, { kernel: Conv2d.op, reference: opReference(Conv2dRef.op), arb: caseArb, bounds })

/**
 * The resident form runs the host path's steps as kernels (padding, the
 * spread of g, the flipped weight, unblocking) and the same `window` and
 * `filter`: the float32 numbers must equal the host path's bit for bit, over
 * the same strides, paddings, dilations and groups as the parity property.
 */
for (const backend of BACKENDS) {
  test(`conv2d [${backend}]: the resident form gives the host path's float32 numbers exactly`, async () => {
    const dev = await device(backend)
    await fc.assert(fc.asyncProperty(caseArb, async (c) => {
      const a = Conv2d.op.parseAttrs(c.attrs)
      if (E.isLeft(a)) throw new Error(formatError(a.left))
      await residentMatchesHost(dev, Conv2d.op, a.right, c.inputs, c.seed)
    }), { numRuns: 40, seed: seedOf(`conv2d resident [${backend}]`) })
  })
}

const ones = (shape: number[]): Tensor => fromArray(shape, new Float64Array(sizeOf(shape)).fill(1))

/**
 * Reductions past gpu.js's default loop cap of 1000 (gpujs §3): dW and db sum
 * over N H_out W_out = 1 * 40 * 40 = 1600 positions, and a 1 x 1 kernel over
 * 1200 input channels makes (1) a 1200-term sum. All-ones data makes every
 * exact sum an integer below 2^24, which float32 holds exactly.
 */
for (const backend of BACKENDS) {
  test(`conv2d [${backend}]: reductions of 1200 and 1600 terms, past the default loop cap of 1000`, async () => {
    const dev = await device(backend)
    for (const [xs, ws] of [[[1, 1, 40, 40], [1, 1, 1, 1]], [[1, 1200, 1, 1], [2, 1200, 1, 1]]]) {
      const c: Case = { attrs: {}, inputs: { x: ones(xs), weight: ones(ws), bias: ones([ws[0]]) }, seed: 3 }
      const msg = await parityCase({ kernel: Conv2d.op, reference: opReference(Conv2dRef.op), arb: fc.constant(c), bounds }, dev, c)
      assert.is(msg, undefined, msg)
      const a = Conv2d.op.parseAttrs({})
      if (E.isLeft(a)) throw new Error(formatError(a.left))
      const r = await Conv2d.op.forward(dev, a.right, c.inputs)
      if (E.isLeft(r)) throw new Error(formatKernelError(r.left))
      assert.ok(r.right.value.outputs.y.data.every((v) => v === xs[1] + 1), 'y = C + 1 everywhere')
      const g = await Conv2d.op.backward!(dev, a.right, r.right.value.cache, { y: ones([1, ws[0], xs[2], xs[3]]) })
      if (E.isLeft(g)) throw new Error(formatKernelError(g.left))
      assert.ok(g.right.value.bias.data.every((v) => v === xs[2] * xs[3]), 'db counts every position')
      assert.ok(g.right.value.weight.data.every((v) => v === xs[2] * xs[3]), 'dW counts every position')
    }
  })
}

/**
 * `window` takes its flat reduction index apart by float32 division, exact
 * below 2^19 terms (REDUCTION_MAX, derived in the kernel's header): a
 * layer past it is refused with an error value, not computed with wrong taps.
 */
test('conv2d: a reduction past 2^19 taps is refused, not miscomputed', async () => {
  const dev = await device('cpu')
  const kw = 2 ** 19 + 1 // the derived limit written out, not read from the kernel: raising the kernel's limit must fail here
  const inputs = { x: fromArray([1, 1, 1, kw], new Float64Array(kw)), weight: fromArray([1, 1, 1, kw], new Float64Array(kw)) }
  const a = Conv2d.op.parseAttrs({})
  if (E.isLeft(a)) throw new Error(formatError(a.left))
  const r = await Conv2d.op.forward(dev, a.right, inputs)
  assert.ok(E.isLeft(r) && r.left._tag === 'Unsupported', 'refused as unsupported')
  const ok = await Conv2d.op.forward(dev, a.right, { x: fromArray([1, 1, 1, kw - 1], new Float64Array(kw - 1)), weight: fromArray([1, 1, 1, kw - 1], new Float64Array(kw - 1)) })
  assert.ok(E.isRight(ok), 'exactly 2^19 taps still runs')
})

/** Bad requests get src's error values, message for message, with no launch. */
test('conv2d: invalid inputs and attributes give the src op\'s errors', async () => {
  const dev = await device('cpu')
  const t = (shape: number[]) => fromArray(shape, new Float64Array(sizeOf(shape)))
  const bad: [Record<string, unknown>, Record<string, Tensor>][] = [
    [{}, { x: t([1, 2, 3]), weight: t([1, 2, 1, 1]) }],
    [{}, { x: t([1, 0, 3, 3]), weight: t([1, 0, 1, 1]) }],
    [{ groups: 2 }, { x: t([1, 3, 3, 3]), weight: t([2, 1, 1, 1]) }],
    [{ groups: 2 }, { x: t([1, 4, 3, 3]), weight: t([3, 2, 1, 1]) }],
    [{}, { x: t([1, 2, 3, 3]), weight: t([1, 3, 1, 1]) }],
    [{}, { x: t([1, 2, 3, 3]), weight: t([1, 2, 1, 1]), bias: t([2]) }],
    [{ dilation: 2 }, { x: t([1, 1, 3, 3]), weight: t([1, 1, 3, 3]) }],
    [{ padding: [1, 0, 0, 1] }, { x: t([1, 1, 2, 2]), weight: t([1, 1, 4, 1]) }],
  ]
  for (const [raw, inputs] of bad) {
    const a = Conv2dRef.op.parseAttrs(raw)
    if (E.isLeft(a)) throw new Error(formatError(a.left))
    const ref = Conv2dRef.op.forward(a.right, inputs)
    const ker = await Conv2d.op.forward(dev, a.right, inputs)
    assert.ok(E.isLeft(ref) && E.isLeft(ker), `both reject ${JSON.stringify(raw)}`)
    if (E.isLeft(ref) && E.isLeft(ker)) assert.is(formatKernelError(ker.left), formatError(ref.left))
  }
})

test.run()
