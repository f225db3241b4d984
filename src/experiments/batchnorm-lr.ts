/**
 * cs231n lecture 6, "batch normalization": with batch norm a network trains
 * over a wider range of learning rates. The same MLP (two hidden layers of
 * 64) with and without batch norm after each hidden linear layer, at
 * learning rates 0.003 .. 3 (plain SGD with momentum, constant lr).
 */
import { figure } from './chart-svg.ts'
import { fmt } from './plot-terminal.ts'
import { type Experiment, base, pct, runAll } from './sweep.ts'
import type { TrainResult } from './training-run.ts'

export const LRS = [0.003, 0.03, 0.3, 3] as const

type R = { label: { batchNorm: boolean; lr: number }; result: TrainResult }[]

export const batchNormLr: Experiment<R> = {
  name: 'batchnorm',
  summary: 'batch norm vs none across learning rates: final losses and accuracies',
  defaults: { seed: 0, epochs: 3, limit: 1000, data: 'digits' },
  run: (p) => runAll([false, true].flatMap((bn) => LRS.map((lr) => ({ label: { batchNorm: bn, lr }, options: { ...base(p), hidden: [64, 64], batchNorm: bn, lr, schedule: 'constant' as const, weightDecay: 0 } })))),
  json: (r) => ({ experiment: 'batchnorm', runs: r.map((x) => ({ ...x.label, finalTrainLoss: x.result.epochs.at(-1)!.trainLoss, valAccuracy: x.result.epochs.at(-1)!.valAccuracy, test: x.result.test })) }),
  table: (r) => ['batch-norm  lr      train-loss  val-acc', ...r.map((x) => `${String(x.label.batchNorm).padEnd(11)} ${String(x.label.lr).padEnd(7)} ${fmt(x.result.epochs.at(-1)!.trainLoss).padEnd(11)} ${pct(x.result.epochs.at(-1)!.valAccuracy)}`)].join('\n'),
  svg: (r) => {
    const series = (bn: boolean, i: number, f: (t: TrainResult) => number) => ({ name: bn ? 'batch norm' : 'no batch norm', color: i === 0 ? '#4c72b0' : '#dd8452', points: r.filter((x) => x.label.batchNorm === bn).map((x) => [Math.log10(x.label.lr), f(x.result)] as const) })
    return figure('Batch norm and the learning rate', [`MLP 784-64-64-10, ${r[0].result.sizes.train} digits, ${r[0].result.epochs.length} epochs, SGD momentum 0.9; x: log10 lr`], [
      { title: 'validation accuracy after training', xLabel: 'log10 lr', yRange: [0, 1], series: [series(false, 0, (t) => t.epochs.at(-1)!.valAccuracy), series(true, 1, (t) => t.epochs.at(-1)!.valAccuracy)] },
      { title: 'training loss (eval mode) after training', xLabel: 'log10 lr', series: [series(false, 0, (t) => Math.min(t.epochs.at(-1)!.trainLoss, 10)), series(true, 1, (t) => Math.min(t.epochs.at(-1)!.trainLoss, 10))] },
    ])
  },
}
