/**
 * Arbitraries for the edges the default ones (./arbitraries.ts) never draw:
 * the whole float64 line with its tails, exact kinks and thresholds, the
 * special values where the case format defines the result (docs/case-format.md:
 * NaN propagates, infinities follow IEEE arithmetic), and zero-size
 * dimensions.
 *
 * `value` keeps to [-3, 3] and pushes draws off kinks, as a gradient law
 * needs; these are for laws of values: accuracy, symmetry, conventions at a
 * kink, shapes with no elements.
 */
import fc from 'fast-check'

/**
 * A finite double anywhere on the line: an even draw in [-40, 40] (where the
 * activations bend), a magnitude 10^e with e even in [-320, 308] (the tails:
 * exp under- and overflow, subnormal results), or one of fast-check's own
 * doubles (0, -0, the extremes); weights 3 : 2 : 1.
 */
export const anyFinite = (): fc.Arbitrary<number> =>
  fc.oneof(
    { arbitrary: fc.integer({ min: -(2 ** 30), max: 2 ** 30 }).map((i) => 40 * (i / 2 ** 30)), weight: 3 },
    {
      arbitrary: fc.tuple(fc.double({ min: -320, max: 308, noNaN: true }), fc.boolean())
        .map(([e, s]) => (s ? 1 : -1) * 10 ** e)
        .filter((v) => Number.isFinite(v)),
      weight: 2,
    },
    { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }), weight: 1 },
  )

/** The tails only: |x| in [10, 800] with either sign (where exp(-|x|) is small, then subnormal, then 0). */
export const tail = (): fc.Arbitrary<number> =>
  fc.tuple(fc.integer({ min: 0, max: 2 ** 30 }), fc.boolean()).map(([i, s]) => (s ? 1 : -1) * (10 + 790 * (i / 2 ** 30)))

/** The float64 next to x toward +inf (x finite). */
export const nextUp = (x: number): number => {
  if (Number.isNaN(x) || x === Infinity) return x
  if (x === 0) return 5e-324
  const b = new Float64Array([x]), u = new BigInt64Array(b.buffer)
  u[0] += x > 0 ? 1n : -1n
  return b[0]
}

/** The float64 next to x toward -inf. */
export const nextDown = (x: number): number => -nextUp(-x)

/** Exactly a kink or threshold, or one ulp to either side of it: the points where a convention decides. */
export const atKink = (kinks: readonly number[]): fc.Arbitrary<number> =>
  fc.tuple(fc.constantFrom(...kinks), fc.constantFrom(-1, 0, 0, 1)).map(([k, d]) => (d === 0 ? k : d > 0 ? nextUp(k) : nextDown(k)))

/** The values where the case format defines the result by IEEE rules alone. */
export const special = (): fc.Arbitrary<number> => fc.constantFrom(NaN, Infinity, -Infinity, 0, -0)

/** A shape of rank 1..3 with at least one dimension 0 (no elements, a defined empty result). */
export const zeroSizeShape = (o: { maxRank?: number; maxDim?: number } = {}): fc.Arbitrary<number[]> =>
  fc.tuple(fc.array(fc.integer({ min: 0, max: o.maxDim ?? 3 }), { minLength: 1, maxLength: o.maxRank ?? 3 }), fc.nat())
    .map(([s, i]) => s.map((d, j) => (j === i % s.length ? 0 : d)))
