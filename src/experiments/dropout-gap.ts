/**
 * cs231n lecture 7, "dropout": a wide MLP (one hidden layer of 512) on a
 * small training set overfits; dropout p = 0.5 after the hidden layer
 * shrinks the train / validation accuracy gap (evaluation-mode accuracies,
 * inverted dropout so no rescaling at test time).
 */
import { figure } from './chart-svg.ts'
import { fmt } from './plot-terminal.ts'
import { type Experiment, base, curve, epochsOf, pct, runAll } from './sweep.ts'
import type { TrainResult } from './training-run.ts'

type R = { label: number; result: TrainResult }[]

export const dropoutGap: Experiment<R> = {
  name: 'dropout',
  summary: 'dropout on/off: the train/validation gap of a wide MLP on few samples',
  defaults: { seed: 0, epochs: 40, limit: 300, data: 'digits' },
  run: (p) => runAll([0, 0.5].map((d) => ({ label: d, options: { ...base(p), hidden: [512], dropout: d, lr: 0.05, weightDecay: 0 } }))),
  json: (r) => ({ experiment: 'dropout', runs: r.map((x) => ({ dropout: x.label, epochs: epochsOf(x.result), test: x.result.test })) }),
  table: (r) => ['dropout  train-acc  val-acc  gap(points)  test-acc', ...r.map((x) => { const e = x.result.epochs.at(-1)!; return `${String(x.label).padEnd(8)} ${pct(e.trainAccuracy).padEnd(10)} ${pct(e.valAccuracy).padEnd(8)} ${fmt(100 * e.gap).padEnd(12)} ${pct(x.result.test.accuracy)}` })].join('\n'),
  svg: (r) => figure('Dropout and the train/validation gap', [`MLP 784-512-10, ${r[0].result.sizes.train} training digits, ${r[0].result.epochs.length} epochs, SGD momentum 0.9, lr 0.05 (cosine), no weight decay`], [
    { title: 'accuracy: train (solid), validation (dashed)', xLabel: 'epoch', series: r.flatMap((x, i) => [curve(`p=${x.label} train`, i, x.result, (e) => e.trainAccuracy), curve(`p=${x.label} val`, i, x.result, (e) => e.valAccuracy, true)]) },
    { title: 'gap = train - validation accuracy', xLabel: 'epoch', series: r.map((x, i) => curve(`p=${x.label}`, i, x.result, (e) => e.gap)) },
  ]),
}
