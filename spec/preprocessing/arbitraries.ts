/**
 * Draws for the preprocessing laws: small data matrices and images, with an
 * offset so that a mean far from zero tests the two-pass statistics.
 */
import fc from 'fast-check'
import { type Tensor, fromArray, sizeOf } from '../../src/core/tensor.ts'
import type { OpCase } from '../laws/arbitraries.ts'
import { tensorOf, value } from '../laws/arbitraries.ts'

/** x [N, D] with N in 2..12, D in 1..4, entries offset + [-3, 3], offset in {0, 100}. */
export const matrix = (o: { minRows?: number; maxCols?: number } = {}): fc.Arbitrary<Tensor> =>
  fc.record({ n: fc.integer({ min: o.minRows ?? 2, max: 12 }), d: fc.integer({ min: 1, max: o.maxCols ?? 4 }), offset: fc.constantFrom(0, 100) })
    .chain(({ n, d, offset }) => tensorOf([n, d]).map((t) => fromArray(t.shape, t.data.map((v) => v + offset))))

/** x [N, C, H, W] with each dim in 1..3 (N >= 2), same offsets. */
export const images = (): fc.Arbitrary<Tensor> =>
  fc.record({ n: fc.integer({ min: 2, max: 4 }), c: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 1, max: 3 }), w: fc.integer({ min: 1, max: 3 }), offset: fc.constantFrom(0, 100) })
    .chain(({ n, c, h, w, offset }) => tensorOf([n, c, h, w]).map((t) => fromArray(t.shape, t.data.map((v) => v + offset))))

const stdValue = fc.tuple(fc.constantFrom(-1, 1), value({ min: 0.5, max: 2 })).map(([s, v]) => s * v)

/** A `standardize` case: per channel or per feature, std of either sign away from 0, eps 0 or 0.1. */
export const standardizeCase = (): fc.Arbitrary<OpCase> =>
  fc.record({ rank: fc.constantFrom(2, 3, 4), n: fc.integer({ min: 1, max: 3 }), c: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 3 }), perChannel: fc.boolean(), eps: fc.constantFrom(0, 0.1) })
    .chain(({ rank, n, c, s, perChannel, eps }) => {
      const shape = rank === 2 ? [n, c] : rank === 3 ? [n, c, s] : [n, c, s, 2]
      const stat = perChannel ? [c] : shape.slice(1)
      return fc.record({
        x: tensorOf(shape),
        mean: tensorOf(stat),
        std: fc.array(stdValue, { minLength: sizeOf(stat), maxLength: sizeOf(stat) }).map((v) => fromArray(stat, v)),
      }).map((inputs) => ({ attrs: { eps }, inputs }))
    })

/** A `pca_whiten` case: random (not necessarily orthogonal) components, variances in [0.1, 3]. */
export const pcaWhitenCase = (): fc.Arbitrary<OpCase> =>
  fc.record({ n: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 1, max: 4 }), whiten: fc.boolean(), eps: fc.constantFrom(0, 1e-5, 0.5) })
    .chain(({ n, d, whiten, eps }) => fc.record({
      x: tensorOf([n, d]),
      mean: tensorOf([d]),
      components: tensorOf([d, d]),
      variances: tensorOf([d], { min: 0.1, max: 3 }),
    }).map((inputs) => ({ attrs: { whiten, eps }, inputs })))
