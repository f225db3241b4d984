/**
 * Draws for the regularization specs. fast-check's `fc.double` picks doubles
 * roughly uniformly over their bit patterns, so nine in ten draws in [0, 1]
 * are below 1e-10: a drop probability drawn that way is almost always ~0, the
 * scale 1/(1-p) ~1, and a wrong scale goes unseen. `real` draws uniformly on
 * a grid of 2^24 steps (endpoints included) three times in four, and keeps
 * `fc.double`'s extreme values the fourth time.
 */
import fc from 'fast-check'
import { type DType, type Shape, type Tensor, fromArray, sizeOf } from '../../src/core/tensor.ts'

export const uniformIn = (min: number, max: number): fc.Arbitrary<number> =>
  fc.integer({ min: 0, max: 2 ** 24 }).map((i) => (i === 2 ** 24 ? max : min + ((max - min) * i) / 2 ** 24))

export const real = (min: number, max: number): fc.Arbitrary<number> =>
  fc.oneof({ weight: 3, arbitrary: uniformIn(min, max) }, { weight: 1, arbitrary: fc.double({ min, max, noNaN: true }).map((v) => (Object.is(v, -0) ? 0 : v)) })

/** A tensor of `real` values (default [-3, 3]). */
export const realTensor = (shape: Shape, min = -3, max = 3, dtype: DType = 'float64'): fc.Arbitrary<Tensor> =>
  fc.array(real(min, max), { minLength: sizeOf(shape), maxLength: sizeOf(shape) }).map((vs) => fromArray(shape, vs, dtype))
