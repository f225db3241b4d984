/**
 * fast-check arbitraries for tensors and op cases, public through
 * `nn-oracle/laws` so that other projects can draw the same inputs.
 *
 * Values are drawn from a bounded range with no NaN or infinity, and can be
 * pushed away from kinks: gradient laws need |x - kink| >= TOL.KINK_GAP so that
 * a central difference never straddles one.
 */
import fc from 'fast-check'
import { type DType, type Shape, type Tensor, fromArray, sizeOf } from '../../src/core/tensor.ts'
import { TOL } from './tolerance.ts'

export interface ValueOptions {
  readonly min?: number
  readonly max?: number
  /** points to keep away from (e.g. [0] for relu) */
  readonly kinks?: readonly number[]
  readonly gap?: number
}

/** Move v off every kink by at least `gap` (deterministic, so shrinking stays meaningful). */
export const awayFrom = (v: number, kinks: readonly number[], gap: number): number => {
  let x = v
  for (const k of kinks) if (Math.abs(x - k) < gap) x = x >= k ? k + gap : k - gap
  return x
}

/**
 * A value in [min, max] (default [-3, 3]). fc.double alone draws uniformly over
 * the representable doubles, so most of its draws would be below 1e-10 in
 * magnitude or at the ends, and laws about the interior would rarely be
 * exercised. An even grid of 2^30 + 1 points (shrinking toward the middle),
 * mixed 4:1 with fc.double's draws (tiny values and the ends stay in play).
 */
export const value = (o: ValueOptions = {}): fc.Arbitrary<number> => {
  const min = o.min ?? -3, max = o.max ?? 3
  const even = fc.integer({ min: -(2 ** 29), max: 2 ** 29 }).map((i) => (min + max) / 2 + ((max - min) / 2) * (i / 2 ** 29))
  return fc.oneof({ arbitrary: even, weight: 4 }, { arbitrary: fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), weight: 1 })
    .map((v) => (o.kinks && o.kinks.length ? awayFrom(v, o.kinks, o.gap ?? TOL.KINK_GAP) : v))
    .map((v) => (Object.is(v, -0) ? 0 : v))
}

export const tensorOf = (shape: Shape, o: ValueOptions = {}, dtype: DType = 'float64'): fc.Arbitrary<Tensor> =>
  fc.array(value(o), { minLength: sizeOf(shape), maxLength: sizeOf(shape) }).map((vs) => fromArray(shape, vs, dtype))

/** A shape of rank in [minRank, maxRank] with dims in [minDim, maxDim]. */
export const shape = (o: { minRank?: number; maxRank?: number; minDim?: number; maxDim?: number } = {}): fc.Arbitrary<number[]> =>
  fc.array(fc.integer({ min: o.minDim ?? 1, max: o.maxDim ?? 4 }), { minLength: o.minRank ?? 1, maxLength: o.maxRank ?? 3 })

/** A tensor of a drawn shape. */
export const tensor = (s: fc.Arbitrary<readonly number[]> = shape(), o: ValueOptions = {}): fc.Arbitrary<Tensor> =>
  s.chain((sh) => tensorOf(sh, o))

/** Integer class labels of a shape, in [0, classes). */
export const labels = (sh: Shape, classes: number): fc.Arbitrary<Tensor> =>
  fc.array(fc.integer({ min: 0, max: classes - 1 }), { minLength: sizeOf(sh), maxLength: sizeOf(sh) }).map((vs) => fromArray(sh, vs, 'int64'))

/** Probability rows along axis 1 of [N, C, ...] (positive, each position summing to 1). */
export const probabilities = (sh: Shape): fc.Arbitrary<Tensor> =>
  fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: sizeOf(sh), maxLength: sizeOf(sh) }).map((vs) => {
    const [n, c] = [sh[0], sh[1]]
    const inner = sizeOf(sh.slice(2))
    const out = Float64Array.from(vs)
    for (let a = 0; a < n; a++) {
      for (let i = 0; i < inner; i++) {
        let s = 0
        for (let k = 0; k < c; k++) s += out[(a * c + k) * inner + i]
        for (let k = 0; k < c; k++) out[(a * c + k) * inner + i] /= s
      }
    }
    return fromArray(sh, out)
  })

/** A case for an op: attributes, inputs, and which inputs to differentiate. */
export interface OpCase {
  readonly attrs: Readonly<Record<string, unknown>>
  readonly inputs: Readonly<Record<string, Tensor>>
}
