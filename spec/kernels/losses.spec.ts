/**
 * The float32 cross-entropy kernel (kernels/losses/cross-entropy.kernel.ts)
 * against src/losses/cross-entropy.ts, on both backends: class targets with
 * and without class weights, ignored positions, every reduction. Bounds follow
 * the kernel: lane maximum (exact), s = sum exp(x - m), logp as a three-term
 * sum, l = w (-logp), the totals as sums in any order (the two-pass device sum
 * does better than the any-order bound charged here), the mean as one
 * division. Label smoothing and probability targets are not mirrored: they are
 * Unsupported error values (tested).
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { Tensors } from '../../src/core/op.ts'
import { fromArray } from '../../src/core/tensor.ts'
import * as CrossEntropyRef from '../../src/losses/cross-entropy.ts'
import * as CrossEntropy from '../../kernels/losses/cross-entropy.kernel.ts'
import { type B, div, exact, exp, f32, log, mul, neg, sub, sum } from './bounds.ts'
import { BACKENDS, type Bounds, type Case, device, opReference, parity, tensor32 } from './harness.ts'

const test = suite('kernels: losses')

const caseArb: fc.Arbitrary<Case> = fc.record({
  n: fc.integer({ min: 1, max: 4 }), c: fc.integer({ min: 1, max: 5 }), trailing: fc.constantFrom([], [2], [2, 3]),
  weighted: fc.boolean(), reduction: fc.constantFrom('mean', 'sum', 'none'), ignore: fc.boolean(),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
}).chain(({ n, c, trailing, weighted, reduction, ignore, seed }) => fc.record({
  input: tensor32([n, c, ...trailing], { min: -5, max: 5 }),
  // class -1 marks an ignored position when `ignore` (ignore_index -1); never all of them, so a mean is finite
  cls: fc.array(fc.integer({ min: ignore ? -1 : 0, max: c - 1 }), { minLength: n * trailing.reduce((a, b) => a * b, 1), maxLength: n * trailing.reduce((a, b) => a * b, 1) })
    .map((v) => (v.every((y) => y < 0) ? [0, ...v.slice(1)] : v)),
  weight: tensor32([c], { min: 0.1, max: 2 }),
}).map(({ input, cls, weight }) => ({
  attrs: { reduction, ignore_index: -1 },
  inputs: { input, target: fromArray([n, ...trailing], cls, 'int64'), ...(weighted ? { weight } : {}) },
  seed,
})))

parity(test, {
  kernel: CrossEntropy.op,
  reference: opReference(CrossEntropyRef.op),
  arb: caseArb,
  bounds: (c: Case, a: CrossEntropyRef.Attrs, cot: Tensors): Bounds => {
    const { input, target, weight } = c.inputs
    const [n, cl] = input.shape
    const k = input.data.length / (n * cl)
    const w = (y: number): B => exact(weight === undefined ? 1 : weight.data[y])
    const x = (i: number, cc: number) => input.data[(Math.floor(i / k) * cl + cc) * k + (i % k)]
    const positions = n * k
    const l: B[] = [], wi: B[] = [], logp: B[][] = []
    for (let i = 0; i < positions; i++) {
      const m = Math.max(...Array.from({ length: cl }, (_, cc) => x(i, cc))) // (1)
      const ls = log(sum(Array.from({ length: cl }, (_, cc) => exp(sub(exact(x(i, cc)), exact(m)))))) // (1)
      logp.push(Array.from({ length: cl }, (_, cc) => sum([exact(x(i, cc)), exact(-m), neg(ls)]))) // (1)
      const y = target.data[i]
      l.push(y < 0 ? exact(0) : mul(w(y), neg(logp[i][y]))) // (2)
      wi.push(y < 0 ? exact(0) : w(y)) // (3)
    }
    const divisor = sum(wi) // (3)
    const total = sum(l)
    const loss = a.reduction === 'none' ? l : [a.reduction === 'sum' ? total : div(total, divisor)]
    // d_i of reduction.ts (4): the host divides g / D in float64 and rounds once (charged as a division)
    const d = (i: number): B => (a.reduction === 'none' ? exact(cot.loss.data[i]) : a.reduction === 'sum' ? exact(cot.loss.data[0]) : div(exact(cot.loss.data[0]), divisor))
    const dx = new Array<B>(input.data.length)
    for (let i = 0; i < positions; i++) {
      const y = target.data[i]
      for (let cc = 0; cc < cl; cc++) {
        const at = (Math.floor(i / k) * cl + cc) * k + (i % k)
        dx[at] = y < 0 ? exact(0) : mul(d(i), mul(w(y), sub(exp(logp[i][cc]), exact(cc === y ? 1 : 0)))) // (6)
      }
    }
    return { outputs: { loss }, gradients: { input: dx } }
  },
})

for (const backend of BACKENDS) {
  test(`cross_entropy [${backend}]: label smoothing and probability targets are Unsupported values, not wrong numbers`, async () => {
    const dev = await device(backend)
    const input = fromArray([2, 3], [1, 2, 3, 4, 5, 6])
    const smooth = await CrossEntropy.op.forward(dev, { reduction: 'mean', ignore_index: -100, label_smoothing: 0.1 }, { input, target: fromArray([2], [0, 1], 'int64') })
    assert.ok(E.isLeft(smooth) && smooth.left._tag === 'Unsupported' && smooth.left.arg === 'attrs.label_smoothing')
    const prob = await CrossEntropy.op.forward(dev, { reduction: 'mean', ignore_index: -100, label_smoothing: 0 }, { input, target: fromArray([2, 3], [0.2, 0.3, 0.5, 1, 0, 0]) })
    assert.ok(E.isLeft(prob) && prob.left._tag === 'Unsupported' && prob.left.arg === 'inputs.target')
    const bad = await CrossEntropy.op.forward(dev, { reduction: 'mean', ignore_index: -100, label_smoothing: 0 }, { input, target: fromArray([2], [0, 3], 'int64') })
    assert.ok(E.isLeft(bad) && bad.left._tag === 'Invalid' && bad.left.arg === 'inputs.target', 'a class out of range is the src op\'s Invalid error')
  })
}

test.run()
