/**
 * The ensembles experiment: m networks trained independently (different
 * seeds: initialization and minibatch order) on the same data, their
 * test-set predictions combined by averaging probabilities (./combine.ts)
 * and by averaging logits. Reports each member's test accuracy and
 * cross-entropy and the ensemble's; Jensen (./combine.ts, (3)) guarantees
 * the probability-averaged ensemble's cross-entropy is at most the members'
 * mean, and on the digits the accuracy gain is the lectures' "1-2%".
 * Training is src/experiments/training-run.ts's loop, unchanged.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { OpError } from '../core/errors.ts'
import type { Tensor } from '../core/tensor.ts'
import { rowsOf } from '../experiments/evaluate.ts'
import { batchShape } from '../experiments/model.ts'
import { DEFAULTS, type TrainOptions, prepareData, trainRun } from '../experiments/training-run.ts'
import { compile, forward, withMode } from '../graph/index.ts'
import * as Combine from './combine.ts'

export interface Member { readonly seed: number; readonly accuracy: number; readonly loss: number }
export interface Scores { readonly accuracy: number; readonly loss: number }

export interface EnsembleResult {
  readonly members: readonly Member[]
  readonly meanMember: Scores
  readonly byProbabilities: Scores
  readonly byLogits: Scores
  readonly testSize: number
}

const scores = (p: Tensor, labels: ArrayLike<number>): Scores => ({ accuracy: Combine.accuracy(p, labels), loss: Combine.crossEntropyOfProbabilities(p, labels) })

// #region experiment
export const ensembleExperiment = (options: Partial<TrainOptions>, members: number, firstSeed = 0): E.Either<OpError, EnsembleResult> => {
  const o: TrainOptions = { ...DEFAULTS, overfit: null, ...options }
  const data = prepareData(o)
  if (E.isLeft(data)) return data
  const test = data.right.test
  const labels = test.y.data
  const n = labels.length
  const logits: Tensor[] = []
  const out: Member[] = []
  for (let j = 0; j < members; j++) {
    const seed = firstSeed + j
    const run = trainRun({ ...o, seed })
    if (E.isLeft(run)) return run
    const net = run.right.network
    const compiled = compile(withMode(net.graph, false))
    if (E.isLeft(compiled)) return compiled
    const x = rowsOf(test.x, 0, n, (m) => batchShape(o.model, m, test.x.shape.slice(1)))
    const fwd = forward(compiled.right, { ...run.right.params, ...run.right.buffers, [net.input]: x, [net.target]: test.y })
    if (E.isLeft(fwd)) return fwd
    const z = fwd.right.values[net.logits]
    logits.push(z)
    const p = Combine.averageProbabilities([z])
    if (E.isLeft(p)) return p
    out.push({ seed, ...scores(p.right, labels) })
  }
  const byP = Combine.averageProbabilities(logits)
  const byZ = Combine.averageLogits(logits)
  if (E.isLeft(byP)) return byP
  if (E.isLeft(byZ)) return byZ
  const mean = (f: (m: Member) => number) => out.reduce((a, m) => a + f(m), 0) / out.length
  return E.right({
    members: out, testSize: n,
    meanMember: { accuracy: mean((m) => m.accuracy), loss: mean((m) => m.loss) },
    byProbabilities: scores(byP.right, labels), byLogits: scores(byZ.right, labels),
  })
}
// #endregion experiment

export const formatEnsemble = (r: EnsembleResult): string => {
  const pct = (v: number) => `${(100 * v).toFixed(2)}%`
  const rows = [
    ...r.members.map((m) => `member seed ${m.seed}`.padEnd(26) + `${pct(m.accuracy).padStart(8)}  ${m.loss.toFixed(4)}`),
    'mean of members'.padEnd(26) + `${pct(r.meanMember.accuracy).padStart(8)}  ${r.meanMember.loss.toFixed(4)}`,
    'ensemble (probabilities)'.padEnd(26) + `${pct(r.byProbabilities.accuracy).padStart(8)}  ${r.byProbabilities.loss.toFixed(4)}`,
    'ensemble (logits)'.padEnd(26) + `${pct(r.byLogits.accuracy).padStart(8)}  ${r.byLogits.loss.toFixed(4)}`,
  ]
  return [`test set: ${r.testSize} samples`, `${''.padEnd(26)}accuracy  cross-entropy`, ...rows].join('\n')
}
