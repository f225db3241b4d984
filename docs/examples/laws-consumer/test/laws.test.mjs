// Our layers held to nn-oracle's laws, in node's own test runner.
import { test } from 'node:test'
import { agreesWithOracle, assertLaw, fc, gradientLaw, keyFromSeed, normal, sumsTo, tensorOf } from 'nn-oracle/laws'
import { mse, softmax } from '../layers.mjs'

const rows = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 6 })).chain(([r, c]) => tensorOf([r, c]))
const options = { numRuns: 200, seed: 42 }

test('softmax: our VJP passes the gradient law', () => {
  fc.assert(fc.property(rows, fc.nat(), (x, s) =>
    assertLaw(gradientLaw(softmax, { x }, { y: normal(keyFromSeed(s), x.shape) }, { wrt: ['x'] }))), options)
})

test('softmax: rows sum to one', () => {
  fc.assert(fc.property(rows, (x) => assertLaw(sumsTo(softmax.forward({ x }).y, -1, 1))), options)
})

test('softmax: agrees with the oracle, forward and backward', () => {
  fc.assert(fc.property(rows, fc.nat(), (x, s) => {
    const cot = { y: normal(keyFromSeed(s), x.shape) }
    return assertLaw(agreesWithOracle('softmax', { dim: -1 }, { x }, { outputs: softmax.forward({ x }), gradients: softmax.vjp({ x }, cot) }, cot))
  }), options)
})

test('mse: gradient law and agreement with the oracle', () => {
  const pair = fc.integer({ min: 1, max: 8 }).chain((n) => fc.tuple(tensorOf([n]), tensorOf([n])))
  fc.assert(fc.property(pair, fc.double({ min: -2, max: 2, noNaN: true }), ([input, target], g) => {
    const cot = { loss: { dtype: 'float64', shape: [], data: Float64Array.of(g) } }
    assertLaw(gradientLaw(mse, { input, target }, cot, { wrt: ['input', 'target'] }))
    return assertLaw(agreesWithOracle('mse_loss', { reduction: 'mean' }, { input, target }, { outputs: mse.forward({ input, target }), gradients: mse.vjp({ input, target }, cot) }, cot))
  }), options)
})
