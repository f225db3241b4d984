/**
 * Float32 linear and matmul kernels (kernels/layers/) against src/layers/, on
 * both backends. Every output element is a dot product of n terms, computed
 * in some order by one thread: by ./bounds.ts's sum rule
 *   |error| <= gamma(n - 1) sum_i |a_i b_i| + u sum_i |a_i b_i|      (products rounded once each)
 * i.e. about n u sum |a_i b_i|, the classic bound (Higham 3.5). The kernels
 * (kernels/layers/gemm.ts) sum each output's products four at a time into an
 * accumulator, a summation tree; the sum rule holds for any tree (Higham 4.2),
 * so the bound is unchanged from the one-term-at-a-time loop. The last
 * property feeds float64 inputs, which the upload rounds (|delta a| <= u |a|),
 * and adds that to the bound: each product then carries (1 + u)^2 more.
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import * as E from 'fp-ts/lib/Either.js'
import * as assert from 'uvu/assert'
import { broadcastIndex, broadcastShapes, fromArray, sizeOf, type Tensor } from '../../src/core/tensor.ts'
import type { Tensors } from '../../src/core/op.ts'
import * as LinearRef from '../../src/layers/linear.ts'
import * as MatmulRef from '../../src/layers/matmul.ts'
import * as Linear from '../../kernels/layers/linear.kernel.ts'
import * as Matmul from '../../kernels/layers/matmul.kernel.ts'
import { tensorOf } from '../laws/arbitraries.ts'
import { type B, add, exact, f32, mul, sum } from './bounds.ts'
import type { KernelOp } from '../../kernels/op.ts'
import { seedOf } from '../support/property.ts'
import { BACKENDS, type Bounds, type Case, device, opReference, parity, parityCase, residentMatchesHost, tensor32 } from './harness.ts'

const test = suite('kernels: layers')

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 })
const dim = fc.integer({ min: 0, max: 6 })

// in, out >= 1: src/layers/linear.ts's rows() gives x [..., 0] zero rows instead of prod(...) rows
// (reported to the lead); zero leading dims (no rows at all) are drawn.
const features = fc.integer({ min: 1, max: 6 })
const linearCase = (tensor: typeof tensor32) => fc.record({
  lead: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }), inF: features, outF: features, bias: fc.boolean(), seed,
}).chain(({ lead, inF, outF, bias, seed: s }) => fc.record({
  x: tensor([...lead, inF]), weight: tensor([outF, inF]), ...(bias ? { bias: tensor([outF]) } : {}),
}).map((inputs) => ({ attrs: {}, inputs: inputs as Tensors, seed: s })))

/** Bound of a dot product of the given term pairs (+ an optional addend), inputs as B values. */
const dot = (pairs: readonly (readonly [B, B])[], extra?: B): B => sum([...pairs.map(([a, b]) => mul(a, b)), ...(extra ? [extra] : [])])

/** The bounds of (1)-(4) for linear, with `val` turning a float64 input into its upload bound. */
const linearBounds = (val: (v: number) => B) => (c: Case, _a: unknown, cot: Tensors): Bounds => {
  const { x, weight, bias } = c.inputs
  const [outF, inF] = weight.shape
  const rows = sizeOf(x.shape.slice(0, -1))
  const X = (r: number, p: number) => val(x.data[r * inF + p]), W = (o: number, p: number) => val(weight.data[o * inF + p])
  const G = (r: number, o: number) => exact(cot.y.data[r * outF + o]) // cotangents are drawn as f32
  const range = (n: number) => Array.from({ length: n }, (_, i) => i)
  const y: B[] = [], dx: B[] = [], dw: B[] = [], db: B[] = []
  for (const r of range(rows)) for (const o of range(outF)) y.push(dot(range(inF).map((p) => [X(r, p), W(o, p)]), bias ? val(bias.data[o]) : undefined)) // (1)
  for (const r of range(rows)) for (const p of range(inF)) dx.push(dot(range(outF).map((o) => [G(r, o), W(o, p)]))) // (2)
  for (const o of range(outF)) for (const p of range(inF)) dw.push(dot(range(rows).map((r) => [G(r, o), X(r, p)]))) // (3)
  for (const o of range(outF)) db.push(sum(range(rows).map((r) => G(r, o)))) // (4)
  return { outputs: { y }, gradients: { x: dx, weight: dw, ...(bias ? { bias: db } : {}) } }
}

parity(test, { kernel: Linear.op, reference: opReference(LinearRef.op), arb: linearCase(tensor32), bounds: linearBounds(exact) })

const matmulCase = fc.record({
  n: dim, k: dim, m: dim,
  ba: fc.constantFrom([], [2], [1], [2, 1]), bb: fc.constantFrom([], [2], [1], [3, 1, 1]), seed,
}).chain(({ n, k, m, ba, bb, seed: s }) => fc.record({ a: tensor32([...ba, n, k]), b: tensor32([...bb, k, m]) })
  .map((inputs) => ({ attrs: {}, inputs: inputs as Tensors, seed: s })))

parity(test, {
  kernel: Matmul.op,
  reference: opReference(MatmulRef.op),
  arb: matmulCase,
  bounds: (c: Case, _a: unknown, cot: Tensors): Bounds => {
    const { a, b } = c.inputs
    const [n, k] = a.shape.slice(-2), m = b.shape[b.shape.length - 1]
    const batchShape = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2))!
    const ia = broadcastIndex(a.shape.slice(0, -2), batchShape), ib = broadcastIndex(b.shape.slice(0, -2), batchShape)
    const A = (s: number, i: number, p: number) => exact(a.data[(s * n + i) * k + p])
    const Bm = (s: number, p: number, j: number) => exact(b.data[(s * k + p) * m + j])
    const G = (t: number, i: number, j: number) => exact(cot.y.data[(t * n + i) * m + j])
    const range = (q: number) => Array.from({ length: q }, (_, i) => i)
    const y: B[] = [], da: B[] = [], db: B[] = []
    for (const t of range(ia.length)) for (const i of range(n)) for (const j of range(m)) y.push(dot(range(k).map((p) => [A(ia[t], i, p), Bm(ib[t], p, j)]))) // (1)
    for (const s of range(sizeOf(a.shape.slice(0, -2)))) for (const i of range(n)) for (const p of range(k)) {
      da.push(dot(range(ia.length).filter((t) => ia[t] === s).flatMap((t) => range(m).map((j) => [G(t, i, j), Bm(ib[t], p, j)] as const)))) // (2)
    }
    for (const s of range(sizeOf(b.shape.slice(0, -2)))) for (const p of range(k)) for (const j of range(m)) {
      db.push(dot(range(ib.length).filter((t) => ib[t] === s).flatMap((t) => range(n).map((i) => [A(ia[t], i, p), G(t, i, j)] as const)))) // (3)
    }
    return { outputs: { y }, gradients: { a: da, b: db } }
  },
})

parity(test, {
  name: 'linear, float64 inputs (upload rounding in the bound)',
  kernel: Linear.op,
  reference: opReference(LinearRef.op),
  arb: linearCase((sh) => tensorOf(sh)),
  bounds: linearBounds(f32),
})

/**
 * Loop bounds past gpu.js's default loopMaxIterations (1000, gpujs §3): an
 * inner dimension of 1500 (the loop of (1)) and 1100 rows (the loops of (3)
 * and (4)), where a kernel left at the default would stop summing silently
 * after 1000 terms (./traps.spec.ts shows that trap on a bare kernel).
 */
for (const backend of BACKENDS) {
  test(`linear [${backend}]: loops of 1500 and 1100 terms, past the default loop cap of 1000`, async () => {
    const dev = await device(backend)
    const ones = (shape: number[]): Tensor => fromArray(shape, new Float64Array(sizeOf(shape)).fill(1))
    for (const [x, w] of [[[1, 1500], [2, 1500]], [[1100, 1], [2, 1]]]) {
      const c: Case = { attrs: {}, inputs: { x: ones(x), weight: ones(w), bias: ones([2]) }, seed: 1 }
      const msg = await parityCase({ kernel: Linear.op, reference: opReference(LinearRef.op), arb: fc.constant(c), bounds: linearBounds(exact) }, dev, c)
      assert.is(msg, undefined, msg)
      const r = await Linear.op.forward(dev, {}, c.inputs)
      assert.ok(E.isRight(r) && r.right.value.outputs.y.data.every((v) => v === x[1] + 1), 'every y is a sum of ones plus the bias')
      const g = await Linear.op.backward!(dev, {}, E.isRight(r) ? r.right.value.cache : undefined as never, { y: ones([x[0], 2]) })
      assert.ok(E.isRight(g) && g.right.value.bias.data.every((v) => v === x[0]), 'db sums every row')
    }
  })
}

/**
 * The resident forms (device tensors, kernels/device-tensor.ts) run the same
 * blocked kernels and unblock on the device, where the host paths unblock on
 * the host: the float32 numbers must be the same, bit for bit, odd edges,
 * k % 4 tails and broadcast batches included (sizes 0..6 draw every residue).
 */
const residentEqualsHost = (what: string, kernel: KernelOp, arb: fc.Arbitrary<Case>): void => {
  for (const backend of BACKENDS) {
    test(`${what} [${backend}]: the resident form gives the host path's float32 numbers exactly`, async () => {
      const dev = await device(backend)
      await fc.assert(fc.asyncProperty(arb, async (c) => {
        await residentMatchesHost(dev, kernel, {}, c.inputs, c.seed)
      }), { numRuns: 25, seed: seedOf(`${what} resident [${backend}]`) })
    })
  }
}

residentEqualsHost('linear', Linear.op, linearCase(tensor32))
residentEqualsHost('matmul', Matmul.op, matmulCase)

test.run()
