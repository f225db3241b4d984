/**
 * The float32 dropout kernel (kernels/regularization/dropout.kernel.ts)
 * against src/regularization/dropout.ts, on both backends: training with a
 * given mask (inverted and vanilla, p = 1 included) and evaluation. Bound:
 * y = x (m s), one product by the f32-rounded scale s of (2)-(4) and one more.
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import type { Tensors } from '../../src/core/op.ts'
import { fromArray } from '../../src/core/tensor.ts'
import * as DropoutRef from '../../src/regularization/dropout.ts'
import * as Dropout from '../../kernels/regularization/dropout.kernel.ts'
import { type B, exact, f32, mul } from './bounds.ts'
import { type Bounds, type Case, opReference, parity, tensor32 } from './harness.ts'
import { shape } from '../laws/arbitraries.ts'

const test = suite('kernels: regularization')

const caseArb: fc.Arbitrary<Case> = fc.record({
  sh: shape({ minRank: 0, maxRank: 3, minDim: 0, maxDim: 5 }), p: fc.constantFrom(0, 0.1, 0.5, 0.9, 1),
  training: fc.boolean(), inverted: fc.boolean(), maskDtype: fc.constantFrom('bool', 'int64', 'float64'),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
}).chain(({ sh, p, training, inverted, maskDtype, seed }) => fc.record({
  x: tensor32(sh), m: fc.array(fc.boolean(), { minLength: sh.reduce((a, b) => a * b, 1), maxLength: sh.reduce((a, b) => a * b, 1) }),
}).map(({ x, m }) => ({
  attrs: { p, training, inverted },
  inputs: { x, ...(training ? { mask: fromArray(sh, m.map(Number), maskDtype as 'bool') } : {}) },
  seed,
})))

parity(test, {
  kernel: Dropout.op,
  reference: opReference(DropoutRef.op),
  arb: caseArb,
  bounds: (c: Case, a: DropoutRef.Attrs, cot: Tensors): Bounds => {
    const scale = a.training ? f32(DropoutRef.trainScale(a)) : f32(DropoutRef.evalScale(a))
    const k = (i: number): B => (a.training ? mul(exact(c.inputs.mask.data[i]), scale) : scale) // (2)-(4)
    const times = (t: ArrayLike<number>) => Array.from(t, (v, i) => mul(exact(v), k(i)))
    return { outputs: { y: times(c.inputs.x.data) }, gradients: { x: times(cot.y.data) } } // (5), (6)
  },
})

test.run()
