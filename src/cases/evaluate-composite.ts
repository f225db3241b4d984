/** Dispatch for the composite case kinds (./composite.ts): graph and train. */
import type { Case } from './case.ts'
import type { Composite, CompositeParsed } from './composite.ts'
import type { CaseResult } from './evaluate.ts'
import { evaluateGraph } from './graph-case.ts'
import { evaluateTrain } from './train-case.ts'

export const evaluateComposite = (c: Case, k: Composite): CaseResult => {
  const parsed = c as CompositeParsed
  return k.kind === 'graph' ? evaluateGraph(parsed, k) : evaluateTrain(parsed, k)
}
