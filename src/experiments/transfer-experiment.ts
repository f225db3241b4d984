/**
 * Transfer between two halves of the digits: an MLP trained on classes 0-4,
 * then a new 5-way head for classes 5-9 trained on only a few samples, three
 * ways: from scratch, feature extraction (frozen backbone, ./transfer.ts) and
 * fine-tuning (backbone at lr / 10). The lectures' claim: with little data,
 * features learned on a related task beat training from scratch.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { OpError } from '../core/errors.ts'
import { type Key, foldIn, keyFromSeed, permutation, split } from '../core/random.ts'
import { subset } from '../data/dataset.ts'
import type { Splits } from '../data/split.ts'
import { figure } from './chart-svg.ts'
import { buildModel } from './model.ts'
import { type Experiment, base, curve, epochsOf, pct } from './sweep.ts'
import { type TransferMode, selectClasses, transferSetup } from './transfer.ts'
import { DEFAULTS, type TrainOptions, type TrainResult, decayGroups, fitSetup, prepareData } from './training-run.ts'

export const MODES: readonly TransferMode[] = ['scratch', 'feature-extraction', 'fine-tune']

export interface TransferResult {
  readonly source: TrainResult
  readonly runs: readonly { readonly mode: TransferMode; readonly result: TrainResult }[]
}

/** The splits restricted to `classes`; the training part capped at a random `trainCap` samples (from `key`). */
const halves = (s: Splits, classes: readonly number[], key: Key, trainCap?: number): Splits => {
  const train = selectClasses(s.train, classes)
  const n = train.y.shape[0]
  const capped = trainCap === undefined || trainCap >= n ? train : subset(train, Int32Array.from(permutation(key, n).subarray(0, trainCap)).sort())
  return { train: capped, validation: selectClasses(s.validation, classes), test: selectClasses(s.test, classes) }
}

export const runTransfer = (p: { seed: number; epochs: number; limit: number; data: string }, few = 100): E.Either<OpError, TransferResult> => {
  const o: TrainOptions = { ...DEFAULTS, ...base(p), hidden: [128], lr: 0.05 } as TrainOptions
  const splits = prepareData(o)
  if (E.isLeft(splits)) return splits
  const [kModel] = split(keyFromSeed(o.seed), 5)
  const a = halves(splits.right, [0, 1, 2, 3, 4], foldIn(kModel, 98))
  const b = halves(splits.right, [5, 6, 7, 8, 9], foldIn(kModel, 97), few)
  const sample = a.train.x.shape.slice(1)
  const net = buildModel(kModel, o, sample, 5)
  if (E.isLeft(net)) return net
  const source = fitSetup(o, a, { network: net.right, params: net.right.params, buffers: net.right.buffers, groups: decayGroups(o, net.right, Object.keys(net.right.params)) })
  if (E.isLeft(source)) return source
  const runs = []
  for (const mode of MODES) {
    const setup = transferSetup(foldIn(kModel, 99), o, source.right, sample, 5, mode)
    if (E.isLeft(setup)) return setup
    // few samples: minibatches of 16 and four times the epochs, so the head takes ~100 steps
    const r = fitSetup({ ...o, epochs: 4 * o.epochs, batch: 16 }, b, setup.right)
    if (E.isLeft(r)) return r
    runs.push({ mode, result: r.right })
  }
  return E.right({ source: source.right, runs })
}

export const transferExperiment: Experiment<TransferResult> = {
  name: 'transfer',
  summary: 'transfer 0-4 -> 5-9 with few samples: scratch vs feature extraction vs fine-tuning',
  defaults: { seed: 0, epochs: 4, limit: 2000, data: 'digits' },
  run: (p) => runTransfer(p),
  json: (r) => ({ experiment: 'transfer', source: { classes: [0, 1, 2, 3, 4], test: r.source.test }, runs: r.runs.map((x) => ({ mode: x.mode, trainSamples: x.result.sizes.train, epochs: epochsOf(x.result), test: x.result.test })) }),
  table: (r) => [`source (digits 0-4): test accuracy ${pct(r.source.test.accuracy)}`, 'target 5-9 mode       train-samples  test-acc',
    ...r.runs.map((x) => `${x.mode.padEnd(21)} ${String(x.result.sizes.train).padEnd(14)} ${pct(x.result.test.accuracy)}`)].join('\n'),
  svg: (r) => figure('Transfer: digits 0-4 -> 5-9 with few samples', [`MLP 784-128-5; source test accuracy ${pct(r.source.test.accuracy)}; target trained on ${r.runs[0].result.sizes.train} samples`], [
    { title: 'target validation accuracy', xLabel: 'epoch', series: r.runs.map((x, i) => curve(x.mode, i, x.result, (e) => e.valAccuracy)) },
    { title: 'target training loss (eval mode)', xLabel: 'epoch', series: r.runs.map((x, i) => curve(x.mode, i, x.result, (e) => e.trainLoss)) },
  ]),
}
