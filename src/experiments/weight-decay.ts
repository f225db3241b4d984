/**
 * cs231n lecture 3/7, "regularization strength": the same MLP trained with
 * L2 weight decay lambda in 0, 1e-3 .. 1 (on weights only). Larger lambda
 * shrinks the weights (||W||_F below) and the train / validation gap, until
 * it underfits.
 */
import type { Tensors } from '../core/op.ts'
import { figure } from './chart-svg.ts'
import { fmt } from './plot-terminal.ts'
import { type Experiment, base, pct, runAll } from './sweep.ts'
import type { TrainResult } from './training-run.ts'

export const DECAYS = [0, 1e-3, 1e-2, 1e-1, 1] as const

type R = { label: number; result: TrainResult }[]

/** ||W||_F over every weight (not bias) of the network. */
export const weightNorm = (params: Tensors, noDecay: readonly string[]): number => {
  let s = 0
  for (const [k, t] of Object.entries(params)) if (!noDecay.includes(k)) for (const v of t.data) s += v * v
  return Math.sqrt(s)
}

export const weightDecaySweep: Experiment<R> = {
  name: 'weight-decay',
  summary: 'the weight-decay strength sweep: accuracy, gap and weight norm per lambda',
  defaults: { seed: 0, epochs: 20, limit: 500, data: 'digits' },
  run: (p) => runAll(DECAYS.map((wd) => ({ label: wd, options: { ...base(p), hidden: [256], weightDecay: wd, lr: 0.05 } }))),
  json: (r) => ({ experiment: 'weight-decay', runs: r.map((x) => ({ weightDecay: x.label, trainAccuracy: x.result.epochs.at(-1)!.trainAccuracy, valAccuracy: x.result.epochs.at(-1)!.valAccuracy, gap: x.result.epochs.at(-1)!.gap, weightNorm: weightNorm(x.result.params, x.result.network.noDecay), test: x.result.test })) }),
  table: (r) => ['weight-decay  train-acc  val-acc  gap(points)  ||W||', ...r.map((x) => { const e = x.result.epochs.at(-1)!; return `${String(x.label).padEnd(13)} ${pct(e.trainAccuracy).padEnd(10)} ${pct(e.valAccuracy).padEnd(8)} ${fmt(100 * e.gap).padEnd(12)} ${fmt(weightNorm(x.result.params, x.result.network.noDecay))}` })].join('\n'),
  svg: (r) => {
    const x = (wd: number) => (wd === 0 ? -5 : Math.log10(wd))
    const s = (name: string, c: string, f: (t: TrainResult) => number) => ({ name, color: c, points: r.map((q) => [x(q.label), f(q.result)] as const) })
    return figure('Weight decay strength', [`MLP 784-256-10, ${r[0].result.sizes.train} digits, ${r[0].result.epochs.length} epochs; x: log10 lambda (lambda = 0 drawn at -5)`], [
      { title: 'accuracy', xLabel: 'log10 weight decay', series: [s('train', '#4c72b0', (t) => t.epochs.at(-1)!.trainAccuracy), s('validation', '#dd8452', (t) => t.epochs.at(-1)!.valAccuracy)] },
      { title: '||W||_F after training', xLabel: 'log10 weight decay', series: [s('weights', '#55a868', (t) => weightNorm(t.params, t.network.noDecay))] },
    ])
  },
}
