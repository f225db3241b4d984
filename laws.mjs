// The JavaScript entry point of nn-oracle/laws. The library is TypeScript run
// through tsx (a dependency of nn-oracle), so a plain-JavaScript project can
// import the laws with no build step and no loader flag of its own.
import { register } from 'tsx/esm/api'

register()
const laws = await import('./spec/laws/index.ts')
export const {
  ok, failed, all, assertLaw, gradientLaw, TOL, EPS64, centralDifferenceTolerance, truncation, rounding,
  agreesWithOracle, adjoint, invariant, sumsTo, exactExpectation, standardized, tensor,
  awayFrom, value, tensorOf, shape, tensorArbitrary, labels, probabilities,
  differentiable, randomCotangents, wrtOf, caseArbitrary, lookup, keyFromSeed, split, normal, uniform, fromArray, fc,
  normalizationLaws, penaltyLaws, expectOverMasks, hoeffdingDeviation,
} = laws
