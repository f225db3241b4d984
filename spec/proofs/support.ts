/**
 * One uvu test per derivation: neighbouring lines agree at the derivation's
 * random points (proofs/derivation.ts, (1)), with the runs and seed the
 * rendered page states.
 */
import type { Test } from 'uvu'
import { type Derivation, checkDerivation, runsOf, seedOf } from '../../proofs/derivation.ts'
import { assertLaw } from '../laws/result.ts'

export const checkDerivations = (test: Test, derivations: readonly Derivation[]): void => {
  for (const d of derivations) {
    test(`${d.id}: every pair of neighbouring lines agrees at ${runsOf(d)} random points`, () => {
      assertLaw(checkDerivation(d, runsOf(d), seedOf(d.id)))
    })
  }
}
