/**
 * "Always augment" (cs231n lecture 7): the same MLP trained on a few hundred
 * digits without augmentation and with `--augment` pipelines
 * (src/augmentation/pipeline.ts). Augmentation is a regularizer: the network
 * sees a new variant of each digit every epoch, so it cannot memorize the
 * training set as fast, and the train / validation accuracy gap shrinks.
 * All runs share the seed (same split, same initial weights, same batch
 * order) and differ only in the pipeline; --shift is 0 and the pixels are
 * not centred (preprocess "none"), so the zero fill of crops, affine maps and
 * erasing is the digits' own black background.
 */
import { figure } from './chart-svg.ts'
import { fmt } from './plot-terminal.ts'
import { type Experiment, base, curve, epochsOf, pct, runAll } from './sweep.ts'
import type { TrainResult } from './training-run.ts'

type R = { label: string; result: TrainResult }[]

/** The pipelines compared: none, two-pixel translations, small rotations / translations / scalings, elastic strokes. */
export const AUGMENTATION_PIPELINES = ['', 'crop:2', 'affine:10:0.1:0.1', 'elastic:34:4'] as const

const name = (s: string) => (s === '' ? 'none' : s)

export const augmentationGap: Experiment<R> = {
  name: 'augmentation',
  summary: 'no augmentation vs --augment pipelines: the train/validation gap of an MLP on few digits',
  defaults: { seed: 0, epochs: 30, limit: 500, data: 'digits' },
  run: (p) => runAll(AUGMENTATION_PIPELINES.map((a) => ({
    label: a, options: { ...base(p), hidden: [256], lr: 0.05, weightDecay: 0, shift: 0, preprocess: 'none', augment: a },
  }))),
  json: (r) => ({ experiment: 'augmentation', runs: r.map((x) => ({ augment: x.label, epochs: epochsOf(x.result), test: x.result.test })) }),
  table: (r) => ['augment                   train-acc  val-acc  gap(points)  test-acc', ...r.map((x) => {
    const e = x.result.epochs.at(-1)!
    return `${name(x.label).padEnd(25)} ${pct(e.trainAccuracy).padEnd(10)} ${pct(e.valAccuracy).padEnd(8)} ${fmt(100 * e.gap).padEnd(12)} ${pct(x.result.test.accuracy)}`
  })].join('\n'),
  svg: (r) => figure('Augmentation and the train/validation gap', [`MLP 784-256-10, ${r[0].result.sizes.train} training digits, ${r[0].result.epochs.length} epochs, SGD momentum 0.9, lr 0.05 (cosine), raw pixels`], [
    { title: 'accuracy: train (solid), validation (dashed)', xLabel: 'epoch', series: r.flatMap((x, i) => [curve(`${name(x.label)} train`, i, x.result, (e) => e.trainAccuracy), curve(`${name(x.label)} val`, i, x.result, (e) => e.valAccuracy, true)]) },
    { title: 'gap = train - validation accuracy', xLabel: 'epoch', series: r.map((x, i) => curve(name(x.label), i, x.result, (e) => e.gap)) },
  ]),
}
