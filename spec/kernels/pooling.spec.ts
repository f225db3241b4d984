/**
 * The float32 pooling kernels (kernels/pooling/) against src/pooling/, on both
 * backends, over kernel sizes, strides (given and defaulted), padding (one
 * value, a pair, asymmetric [top, left, bottom, right], and more than half the
 * kernel, which ONNX allows), dilation, ceil_mode and count_include_pad.
 *
 * Bounds:
 *   - max_pool2d (1), (2) select an input value: y and indices must be exact
 *     (for inputs without subnormals, see `input`).
 *     Inputs are sometimes drawn from {-2, ..., 2} so windows hold ties, where
 *     the first maximum must win, in the index and in where (4) sends g.
 *     (4) is a sum of the g of the windows a cell wins: gamma(m - 1) sum |g|.
 *   - avg_pool2d (1) is one f32 division of a sum of the window's cells,
 *     (4) a sum of divisions g / D; D exact (small integers), recomputed
 *     here from (2) as src computes it, independently of the kernel.
 *   - global_avg_pool2d: a sum of HW cells, one division; g / HW.
 * Windows that hold no image cell (max_pool2d's -inf, (3)) are left out of the
 * parity draws, since the harness compares finite values, and checked by name.
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { formatError } from '../../src/core/errors.ts'
import type { Tensors } from '../../src/core/op.ts'
import { type Tensor, fromArray, make, sizeOf } from '../../src/core/tensor.ts'
import * as AvgPool2dRef from '../../src/pooling/avg-pool2d.ts'
import * as GlobalAvgPool2dRef from '../../src/pooling/global-avg-pool2d.ts'
import * as MaxPool2dRef from '../../src/pooling/max-pool2d.ts'
import { poolOut } from '../../src/pooling/windows.ts'
import type { KernelOp } from '../../kernels/op.ts'
import * as AvgPool2d from '../../kernels/pooling/avg-pool2d.kernel.ts'
import * as GlobalAvgPool2d from '../../kernels/pooling/global-avg-pool2d.kernel.ts'
import * as MaxPool2d from '../../kernels/pooling/max-pool2d.kernel.ts'
import { formatKernelError } from '../../kernels/runtime.ts'
import { type B, div, exact, sum } from './bounds.ts'
import { BACKENDS, type Bounds, type Case, device, opReference, parity, tensor32 } from './harness.ts'

const test = suite('kernels: pooling')

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 })
const small = (lo: number, hi: number) => fc.integer({ min: lo, max: hi })
const pair = (lo: number, hi: number) => fc.tuple(small(lo, hi), small(lo, hi))
const padding = fc.oneof(small(0, 2), pair(0, 2), fc.tuple(small(0, 2), small(0, 2), small(0, 2), small(0, 2)))
const pad4 = (p: number | number[]): number[] => (typeof p === 'number' ? [p, p, p, p] : p.length === 2 ? [...p, ...p] : p)

/**
 * x: float32 values, or (ties) integers in [-2, 2] so that windows hold equal maxima. Subnormals are
 * drawn as 0: WGSL lets a device flush them, and a flushed comparison ties -1e-45 with 0, so which
 * one is the "first maximum" becomes the device's choice (seen on the H100's NVIDIA driver, not on lavapipe).
 */
const input = (shape: number[], ties: boolean): fc.Arbitrary<Tensor> =>
  ties
    ? fc.array(small(-2, 2), { minLength: sizeOf(shape), maxLength: sizeOf(shape) }).map((v) => fromArray(shape, v))
    : tensor32(shape).map((t) => fromArray(shape, t.data.map((v) => (Math.abs(v) < 2 ** -126 ? 0 : v))))

interface WindowDraw {
  n: number; c: number; h: number; w: number; kernel_size: [number, number]; stride: [number, number] | undefined
  padding: number | number[]; dilation: [number, number]; ceil_mode: boolean; ties: boolean; seed: number
}

const windowDraw = (dilated: boolean): fc.Arbitrary<WindowDraw> => fc.record({
  n: small(0, 2), c: small(1, 2), h: small(1, 6), w: small(1, 6), kernel_size: pair(1, 3),
  stride: fc.option(pair(1, 3), { nil: undefined }), padding, dilation: dilated ? pair(1, 2) : fc.constant([1, 1] as [number, number]),
  ceil_mode: fc.boolean(), ties: fc.boolean(), seed,
}).filter((d) => {
  const p = pad4(d.padding), s = d.stride ?? d.kernel_size
  return poolOut(d.h, d.kernel_size[0], s[0], p[0], p[2], d.dilation[0], d.ceil_mode) >= 1 &&
    poolOut(d.w, d.kernel_size[1], s[1], p[1], p[3], d.dilation[1], d.ceil_mode) >= 1
})

// ---------------------------------------------------------------- max_pool2d

const attrsOf = <A>(k: { parseAttrs: KernelOp<A>['parseAttrs'] }, raw: Record<string, unknown>): A => {
  const a = k.parseAttrs(raw)
  if (E.isLeft(a)) throw new Error(formatError(a.left))
  return a.right
}

const maxRef = (c: Case) => {
  const r = MaxPool2dRef.op.forward(attrsOf(MaxPool2dRef.op, c.attrs), c.inputs)
  if (E.isLeft(r)) throw new Error(formatError(r.left))
  return r.right.outputs
}

const maxCase: fc.Arbitrary<Case> = windowDraw(true).chain((d) => input([d.n, d.c, d.h, d.w], d.ties).map((x) => ({
  attrs: { kernel_size: d.kernel_size, ...(d.stride ? { stride: d.stride } : {}), padding: d.padding, dilation: d.dilation, ceil_mode: d.ceil_mode },
  inputs: { x },
  seed: d.seed,
}))).filter((c) => !maxRef(c).y.data.includes(-Infinity)) // (3) by name below

/**
 * The kernel with its int64 indices shown to the harness as float32 (the
 * harness compares float32 results; the values must still match exactly),
 * and the reference's vjp fed only y's cotangent (indices have none).
 */
const maxForHarness: KernelOp<MaxPool2dRef.Attrs, MaxPool2d.Cache> = {
  ...MaxPool2d.op,
  forward: async (dev, a, inputs) => {
    const r = await MaxPool2d.op.forward(dev, a, inputs)
    if (E.isLeft(r)) return r
    const { indices, ...rest } = r.right.value.outputs
    return E.right({ ...r.right, value: { ...r.right.value, outputs: { ...rest, indices: make(indices.shape, indices.data, 'float32') } } })
  },
}

parity(test, {
  kernel: maxForHarness,
  reference: (c, cot) => opReference(MaxPool2dRef.op)(c, { y: cot.y }),
  arb: maxCase,
  bounds: (c: Case, _a: MaxPool2dRef.Attrs, cot: Tensors): Bounds => {
    const { y, indices } = maxRef(c)
    const [n, ch, h, w] = c.inputs.x.shape
    const plane = y.shape[2] * y.shape[3]
    const dx = Array.from({ length: n * ch * h * w }, (): B[] => [])
    indices.data.forEach((p, o) => dx[Math.floor(o / plane) * h * w + p].push(exact(cot.y.data[o]))) // (4)
    return { outputs: { y: Array.from(y.data, exact), indices: Array.from(indices.data, exact) }, gradients: { x: dx.map(sum) } } // (1), (2)
  },
})

for (const backend of BACKENDS) {
  test(`max_pool2d [${backend}]: int64 indices; a window with no image cell gives -inf, index -1 and no gradient`, async () => {
    const dev = await device(backend)
    // 2 x 2 input, kernel 2, padding 1, dilation 3: the taps -1 and 2 miss the image in both directions (src (3))
    const x = fromArray([1, 1, 2, 2], [1, 4, 3, 2])
    const a = attrsOf(MaxPool2d.op, { kernel_size: 2, padding: 1, dilation: 3, stride: 1 })
    const r = await MaxPool2d.op.forward(dev, a, { x })
    if (E.isLeft(r)) throw new Error(formatKernelError(r.left))
    const ref = maxRef({ attrs: { kernel_size: 2, padding: 1, dilation: 3, stride: 1 }, inputs: { x }, seed: 0 })
    const { y, indices } = r.right.value.outputs
    assert.is(indices.dtype, 'int64')
    assert.equal(Array.from(indices.data), Array.from(ref.indices.data))
    assert.equal(Array.from(y.data), Array.from(ref.y.data))
    assert.ok(y.data.includes(-Infinity) && indices.data.includes(-1), 'the case has an empty window')
    const g = await MaxPool2d.op.backward!(dev, a, r.right.value.cache, { y: fromArray(y.shape, new Float64Array(y.data.length).fill(1)) })
    if (E.isLeft(g)) throw new Error(formatKernelError(g.left))
    const counts = new Float64Array(4)
    ref.indices.data.forEach((p) => { if (p >= 0) counts[p] += 1 })
    assert.equal(Array.from(g.right.value.x.data), Array.from(counts), 'each cell gets one unit per window it wins, none from empty windows')
  })
}

// ---------------------------------------------------------------- avg_pool2d

/** (2) of src/pooling/avg-pool2d.ts for one window start: [cells, D]. */
const divisor = (start: number, k: number, len: number, padEnd: number, countPad: boolean): [number, number] => {
  const lo = Math.max(start, 0), hi = Math.min(start + k, len)
  return [hi - lo, countPad ? Math.min(start + k, len + padEnd) - start : hi - lo]
}

const avgCase: fc.Arbitrary<Case> = fc.record({ d: windowDraw(false), countPad: fc.boolean() }).chain(({ d, countPad }) => tensor32([d.n, d.c, d.h, d.w]).map((x) => ({
  attrs: { kernel_size: d.kernel_size, ...(d.stride ? { stride: d.stride } : {}), padding: d.padding, ceil_mode: d.ceil_mode, count_include_pad: countPad },
  inputs: { x },
  seed: d.seed,
})))

parity(test, {
  kernel: AvgPool2d.op,
  reference: opReference(AvgPool2dRef.op),
  arb: avgCase,
  bounds: (c: Case, a: AvgPool2dRef.Attrs, cot: Tensors): Bounds => {
    const { x } = c.inputs
    const [n, ch, h, w] = x.shape
    const [kh, kw] = a.kernel_size, [sh, sw] = a.stride ?? a.kernel_size, [pt, pl, pb, pr] = a.padding
    const ho = poolOut(h, kh, sh, pt, pb, 1, a.ceil_mode), wo = poolOut(w, kw, sw, pl, pr, 1, a.ceil_mode)
    const y: B[] = [], dx = Array.from({ length: x.data.length }, (): B[] => [])
    for (let nc = 0; nc < n * ch; nc++) for (let oh = 0; oh < ho; oh++) for (let ow = 0; ow < wo; ow++) {
      const hs = oh * sh - pt, ws = ow * sw - pl
      const [ch0, dh] = divisor(hs, kh, h, pb, a.count_include_pad), [cw0, dw] = divisor(ws, kw, w, pr, a.count_include_pad)
      if (ch0 <= 0 || cw0 <= 0) { y.push(exact(0)); continue } // (3)
      const D = exact(dh * dw) // (2)
      const cells: B[] = []
      const share = div(exact(cot.y.data[(nc * ho + oh) * wo + ow]), D) // (4)
      for (let ih = Math.max(hs, 0); ih < Math.min(hs + kh, h); ih++) for (let iw = Math.max(ws, 0); iw < Math.min(ws + kw, w); iw++) {
        cells.push(exact(x.data[(nc * h + ih) * w + iw]))
        dx[(nc * h + ih) * w + iw].push(share)
      }
      y.push(div(sum(cells), D)) // (1)
    }
    return { outputs: { y }, gradients: { x: dx.map(sum) } } // (4)
  },
})

// ---------------------------------------------------------------- global_avg_pool2d

const globalCase: fc.Arbitrary<Case> = fc.record({ n: small(0, 2), c: small(0, 3), h: small(1, 5), w: small(1, 5), seed })
  .chain((d) => tensor32([d.n, d.c, d.h, d.w]).map((x) => ({ attrs: {}, inputs: { x }, seed: d.seed })))

parity(test, {
  kernel: GlobalAvgPool2d.op,
  reference: opReference(GlobalAvgPool2dRef.op),
  arb: globalCase,
  bounds: (c: Case, _a: unknown, cot: Tensors): Bounds => {
    const { x } = c.inputs
    const hw = x.shape[2] * x.shape[3]
    const y = Array.from({ length: x.data.length / hw }, (_, p) => div(sum(Array.from(x.data.subarray(p * hw, (p + 1) * hw), exact)), exact(hw))) // (1)
    const dx = Array.from(x.data, (_, f) => div(exact(cot.y.data[Math.floor(f / hw)]), exact(hw))) // (2)
    return { outputs: { y }, gradients: { x: dx } }
  },
})

/** Bad requests get src's error values, message for message, with no launch. */
test('pooling: invalid inputs and attributes give the src ops\' errors', async () => {
  const dev = await device('cpu')
  const t = (shape: number[]) => fromArray(shape, new Float64Array(sizeOf(shape)))
  const cases: [KernelOp, { parseAttrs: KernelOp['parseAttrs']; forward: (a: never, i: Tensors) => E.Either<unknown, unknown> }, Record<string, unknown>, Tensor][] = [
    [MaxPool2d.op, MaxPool2dRef.op, { kernel_size: 2 }, t([1, 2, 3])],
    [MaxPool2d.op, MaxPool2dRef.op, { kernel_size: 2 }, t([1, 1, 0, 3])],
    [MaxPool2d.op, MaxPool2dRef.op, { kernel_size: 3, dilation: 2 }, t([1, 1, 4, 4])],
    [AvgPool2d.op, AvgPool2dRef.op, { kernel_size: 5 }, t([1, 1, 4, 4])],
    [AvgPool2d.op, AvgPool2dRef.op, { kernel_size: [2, 2, 2] }, t([1, 1, 4, 4])],
    [GlobalAvgPool2d.op, GlobalAvgPool2dRef.op, {}, t([1, 1, 4])],
    [GlobalAvgPool2d.op, GlobalAvgPool2dRef.op, {}, t([1, 1, 0, 4])],
  ]
  for (const [ker, ref, raw, x] of cases) {
    const a = ref.parseAttrs(raw)
    const ka = ker.parseAttrs(raw)
    if (E.isLeft(a) || E.isLeft(ka)) {
      assert.ok(E.isLeft(a) && E.isLeft(ka), 'the kernel parses attributes with src\'s parser')
      if (E.isLeft(a) && E.isLeft(ka)) assert.is(formatError(ka.left), formatError(a.left))
      continue
    }
    const r = ref.forward(a.right as never, { x })
    const k = await ker.forward(dev, ka.right, { x })
    assert.ok(E.isLeft(r) && E.isLeft(k), `${ker.name} rejects ${JSON.stringify(raw)} on [${x.shape}]`)
    if (E.isLeft(r) && E.isLeft(k)) assert.is(formatKernelError(k.left), formatError(r.left as never))
  }
})

test.run()
