/**
 * nn-oracle/laws: the oracle's laws and arbitraries for other projects.
 *
 * Laws are pure predicates returning a `Verdict` ({ ok } or { ok: false,
 * message }); bind them to your own runner (node:test, vitest, jest, uvu) and
 * to fast-check with `assertLaw`, as spec/ does here.
 */
export { type Verdict, ok, failed, all, assertLaw } from './result.ts'
export { type Differentiable, type GradientLawOptions, gradientLaw } from './gradient.ts'
export { TOL, EPS64, centralDifferenceTolerance, truncation, rounding } from './tolerance.ts'
export { agreesWithOracle, adjoint, invariant, sumsTo, exactExpectation, standardized, tensor } from './identities.ts'
export { type ValueOptions, type OpCase, awayFrom, value, tensorOf, shape, tensor as tensorArbitrary, labels, probabilities } from './arbitraries.ts'
export { differentiable, randomCotangents, wrtOf } from './adapters.ts'
export { anyFinite, tail, atKink, special, zeroSizeShape, nextUp, nextDown } from './edges.ts'
export { caseArbitrary } from '../../src/arbitraries/index.ts'
export { lookup } from '../../src/registry.ts'
export { keyFromSeed, split, normal, uniform } from '../../src/core/random.ts'
export { type Tensor, fromArray } from '../../src/core/tensor.ts'
export { default as fc } from 'fast-check'
// Family laws, as the family specs state them (each file's header gives its tolerances' reasons).
export * as normalizationLaws from '../normalization/laws.ts'
export * as penaltyLaws from '../penalties/laws.ts'
export { expectOverMasks, hoeffdingDeviation } from '../regularization/expectation.ts'
