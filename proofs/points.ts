/**
 * Arbitraries for the points of derivations. fc.double draws uniformly over
 * the representable doubles, so most draws would be tiny; these draw from an
 * even grid of 2^30 + 1 points over [min, max] instead, shrinking toward the
 * middle of the interval (toward 0 for symmetric intervals).
 */
import fc from 'fast-check'

const HALF = 2 ** 29

export const uniform = (min: number, max: number): fc.Arbitrary<number> =>
  fc.integer({ min: -HALF, max: HALF }).map((i) => {
    const v = (min + max) / 2 + ((max - min) / 2) * (i / HALF)
    return Object.is(v, -0) ? 0 : v
  })

export const vector = (n: number, min: number, max: number): fc.Arbitrary<Float64Array> =>
  fc.array(uniform(min, max), { minLength: n, maxLength: n }).map((v) => Float64Array.from(v))

/** n distinct values spaced by at least `gap`: a permutation of a grid, shifted and scaled. */
export const distinct = (n: number, gap: number, offset = 0): fc.Arbitrary<Float64Array> =>
  fc.uniqueArray(fc.integer({ min: -4 * n, max: 4 * n }), { minLength: n, maxLength: n })
    .map((v) => Float64Array.from(v, (k) => offset + k * gap))
