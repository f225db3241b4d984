/**
 * Binding laws to uvu and fast-check, deterministically.
 *
 * Every property runs from a fixed seed derived from its name, so CI sees the
 * same inputs on every run. A failure prints fast-check's seed and path; to
 * replay exactly that run: NN_ORACLE_SEED=<seed> NN_ORACLE_PATH=<path> npm test.
 */
import fc from 'fast-check'
import type { Test } from 'uvu'
import type { Op } from '../../src/core/op.ts'
import { keyFromSeed } from '../../src/core/random.ts'
import { differentiable, randomCotangents, wrtOf } from '../laws/adapters.ts'
import type { OpCase } from '../laws/arbitraries.ts'
import { gradientLaw } from '../laws/gradient.ts'
import { type Verdict, assertLaw } from '../laws/result.ts'

export const RUNS = 200

/** FNV-1a of the test name: a stable 32-bit seed per property. */
export const seedOf = (name: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193)
  return h | 0
}

export const assertProperty = <T>(name: string, arb: fc.Arbitrary<T>, law: (t: T) => Verdict, numRuns = RUNS): void => {
  const seed = process.env.NN_ORACLE_SEED !== undefined ? Number(process.env.NN_ORACLE_SEED) : seedOf(name)
  const path = process.env.NN_ORACLE_PATH
  const details = fc.check(fc.property(arb, (t) => assertLaw(law(t))), { numRuns, seed, ...(path ? { path } : {}) })
  if (details.failed) {
    const err = details.errorInstance as Error | undefined
    throw new Error(
      `property "${name}" failed after ${details.numRuns} runs: ${err?.message ?? String(details.errorInstance)}\n` +
      `  counterexample: ${fc.stringify(details.counterexample)}\n` +
      `  replay: NN_ORACLE_SEED=${details.seed} NN_ORACLE_PATH=${details.counterexamplePath} npm test`,
    )
  }
}

/** Register a property as a uvu test. */
export const property = <T>(test: Test, name: string, arb: fc.Arbitrary<T>, law: (t: T) => Verdict, numRuns = RUNS): void =>
  test(name, () => assertProperty(name, arb, law, numRuns))

/** The gradient law of an op over drawn cases; cotangents come from a drawn key. */
export const gradientProperty = (test: Test, op: Op, arb: fc.Arbitrary<OpCase>, numRuns = RUNS, name = `${op.name}: gradient law`): void =>
  property(test, name, fc.tuple(arb, fc.integer({ min: 0, max: 2 ** 31 - 1 })), ([c, seed]) => {
    const cot = randomCotangents(op, c.attrs, c.inputs, keyFromSeed(seed))
    return gradientLaw(differentiable(op, c.attrs), c.inputs, cot, { wrt: wrtOf(op, c.inputs), key: keyFromSeed(seed + 1) })
  }, numRuns)
