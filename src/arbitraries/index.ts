/**
 * Shrinkable fast-check arbitraries of whole op cases (attributes and inputs),
 * keyed by catalogue name. `fuzz` draws from them, so a mismatch shrinks to a
 * small case; the laws library re-exports them for other projects.
 *
 * An op without a dedicated arbitrary falls back to its golden-vector variants
 * (src/vectors/variants.ts) drawn from a shrinkable seed: every op can be
 * fuzzed, and the dedicated ones also shrink shapes and values.
 */
import fc from 'fast-check'
import { keyFromSeed, foldIn } from '../core/random.ts'
import { type Tensor, fromArray, sizeOf } from '../core/tensor.ts'
import { makeGen } from '../vectors/gen.ts'
import { VARIANTS } from '../vectors/variants.ts'

export interface OpCase {
  readonly attrs: Readonly<Record<string, unknown>>
  readonly inputs: Readonly<Record<string, Tensor>>
}

/**
 * Values over [min, max]: fc.double alone draws uniformly over the
 * representable doubles, so most draws would be tiny or at the ends; an even
 * grid of 2^30 points, mixed 4:1 with fc.double's draws (which keep the tiny
 * values and the ends in play), covers the interior. Shrinks toward min.
 */
const spread = (min: number, max: number): fc.Arbitrary<number> =>
  fc.oneof(
    { arbitrary: fc.integer({ min: -(2 ** 29), max: 2 ** 29 }).map((i) => (min + max) / 2 + ((max - min) / 2) * (i / 2 ** 29)), weight: 4 },
    { arbitrary: fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), weight: 1 },
  ).map((v) => (Object.is(v, -0) ? 0 : v))
const values = (n: number, min = -3, max = 3) => fc.array(spread(min, max), { minLength: n, maxLength: n })
const tensorOf = (shape: readonly number[], min?: number, max?: number): fc.Arbitrary<Tensor> =>
  values(sizeOf(shape), min, max).map((vs) => fromArray(shape, vs))
const dim = (max: number, min = 1) => fc.integer({ min, max })

const pointwise = (attrs: fc.Arbitrary<Record<string, unknown>> = fc.constant({})): fc.Arbitrary<OpCase> =>
  fc.tuple(attrs, fc.array(dim(4), { minLength: 1, maxLength: 3 }).chain((s) => tensorOf(s)))
    .map(([a, x]) => ({ attrs: a, inputs: { x } }))

const reduction = fc.constantFrom('mean', 'sum', 'none')

const dedicated: Record<string, fc.Arbitrary<OpCase>> = {
  relu: pointwise(),
  sigmoid: pointwise(),
  tanh: pointwise(),
  leaky_relu: pointwise(fc.record({ negative_slope: fc.constantFrom(0.01, 0.2, 0.3) })),
  softmax: fc.tuple(fc.array(dim(4), { minLength: 1, maxLength: 3 }), fc.nat()).chain(([s, d]) =>
    tensorOf(s).map((x) => ({ attrs: { dim: (d % s.length) - s.length }, inputs: { x } }))),
  log_softmax: fc.tuple(fc.array(dim(4), { minLength: 1, maxLength: 3 }), fc.nat()).chain(([s, d]) =>
    tensorOf(s).map((x) => ({ attrs: { dim: (d % s.length) - s.length }, inputs: { x } }))),
  linear: fc.record({ m: dim(3), i: dim(4), o: dim(4), bias: fc.boolean() }).chain(({ m, i, o, bias }) =>
    fc.record({ x: tensorOf([m, i]), weight: tensorOf([o, i]), ...(bias ? { bias: tensorOf([o]) } : {}) }).map((inputs) => ({ attrs: {}, inputs }))),
  mse_loss: fc.tuple(fc.array(dim(4), { minLength: 1, maxLength: 3 }), reduction).chain(([s, r]) =>
    fc.record({ input: tensorOf(s), target: tensorOf(s) }).map((inputs) => ({ attrs: { reduction: r }, inputs }))),
  batch_norm: fc.record({ n: dim(4, 2), c: dim(3), spatial: fc.array(dim(3), { maxLength: 2 }), affine: fc.boolean(), training: fc.boolean(), momentum: fc.constantFrom(0.1, 0.5) })
    .chain(({ n, c, spatial, affine, training, momentum }) => fc.record({
      x: tensorOf([n, c, ...spatial]),
      running_mean: tensorOf([c]),
      running_var: tensorOf([c], 0.5, 2),
      ...(affine ? { weight: tensorOf([c]), bias: tensorOf([c]) } : {}),
    }).map((inputs) => ({ attrs: { training, momentum, eps: 1e-5 }, inputs }))),
  layer_norm: fc.record({ lead: fc.array(dim(3), { minLength: 1, maxLength: 2 }), norm: fc.array(dim(4, 2), { minLength: 1, maxLength: 2 }), affine: fc.boolean() })
    .chain(({ lead, norm, affine }) => fc.record({ x: tensorOf([...lead, ...norm]), ...(affine ? { weight: tensorOf(norm), bias: tensorOf(norm) } : {}) })
      .map((inputs) => ({ attrs: { normalized_shape: norm }, inputs }))),
}

const fromVariants = (op: string): fc.Arbitrary<OpCase> | undefined => {
  const vs = VARIANTS[op]
  if (vs === undefined) return undefined
  return fc.tuple(fc.nat({ max: vs.length - 1 }), fc.nat()).map(([i, seed]) =>
    ({ attrs: vs[i].attrs, inputs: vs[i].inputs(makeGen(foldIn(keyFromSeed(seed), i))) }))
}

export const caseArbitrary = (op: string): fc.Arbitrary<OpCase> | undefined => dedicated[op] ?? fromVariants(op)

export const hasDedicatedArbitrary = (op: string): boolean => op in dedicated
