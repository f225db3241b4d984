/**
 * cs231n lecture 6, "activation functions": the same MLP (two hidden layers
 * of 64, PyTorch's default init, SGD with momentum at a fixed lr) trained
 * with sigmoid, tanh and ReLU. Sigmoid's outputs are not zero-centred and its
 * gradient is at most 1/4, so it converges slowest; ReLU fastest.
 */
import { figure } from './chart-svg.ts'
import { fmt } from './plot-terminal.ts'
import { type Experiment, base, curve, epochsOf, pct, runAll, smoothed } from './sweep.ts'
import type { TrainResult } from './training-run.ts'

export const ACTIVATION_SET = ['sigmoid', 'tanh', 'relu'] as const

type R = { label: string; result: TrainResult }[]

export const activationConvergence: Experiment<R> = {
  name: 'activations',
  summary: 'sigmoid vs tanh vs ReLU: the same MLP, the same data and keys, loss per step',
  defaults: { seed: 0, epochs: 5, limit: 1000, data: 'digits' },
  run: (p) => runAll(ACTIVATION_SET.map((a) => ({ label: a, options: { ...base(p), hidden: [64, 64], activation: a, lr: 0.05, schedule: 'constant' as const, weightDecay: 0 } }))),
  json: (r) => ({ experiment: 'activations', runs: r.map((x) => ({ activation: x.label, epochs: epochsOf(x.result), stepLosses: x.result.stepLosses, test: x.result.test })) }),
  table: (r) => ['activation  final-train-loss  val-acc  test-acc', ...r.map((x) => `${x.label.padEnd(11)} ${fmt(x.result.epochs.at(-1)!.trainLoss).padEnd(17)} ${pct(x.result.epochs.at(-1)!.valAccuracy).padEnd(8)} ${pct(x.result.test.accuracy)}`)].join('\n'),
  svg: (r) => figure('Activation functions: convergence of the same MLP', [`2 hidden layers of 64, SGD momentum 0.9, lr 0.05, batch 32, ${r[0].result.sizes.train} digits`], [
    { title: 'minibatch loss (mean of 5 steps)', xLabel: 'epoch', series: r.map((x, i) => smoothed(x.label, i, x.result)), refs: [{ y: Math.log(10), label: 'log 10' }] },
    { title: 'validation accuracy', xLabel: 'epoch', series: r.map((x, i) => curve(x.label, i, x.result, (e) => e.valAccuracy)) },
  ]),
}

