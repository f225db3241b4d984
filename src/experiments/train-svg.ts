/**
 * The figure of one training run: loss (every step, and per epoch in
 * evaluation mode) against log C; train and validation accuracy with their
 * gap; the update/weight ratio per parameter against the lectures' 1e-3; and
 * per ReLU layer the fraction of dead units. The header carries the
 * babysitting numbers (initial loss vs log C, the tiny-batch overfit).
 */
import { PALETTE, type Panel, figure } from './chart-svg.ts'
import { fmt } from './plot-terminal.ts'
import type { TrainResult } from './training-run.ts'

export const renderTrainSvg = (r: TrainResult): string => {
  const o = r.options
  const perEpoch = r.stepLosses.length / Math.max(1, r.epochs.length)
  const ep = (f: (e: TrainResult['epochs'][number]) => number) => r.epochs.map((e) => [e.epoch, f(e)] as const)
  const panels: Panel[] = [
    {
      title: 'loss', xLabel: 'epoch', refs: [{ y: r.babysit.logC, label: `log C = ${fmt(r.babysit.logC)}` }],
      series: [
        { name: 'minibatch (training mode)', points: r.stepLosses.map((l, i) => [(i + 1) / perEpoch, l] as const), color: '#9ab', width: 0.8, opacity: 0.7 },
        { name: 'train (eval mode)', points: [[0, r.babysit.initialLoss], ...ep((e) => e.trainLoss)], color: PALETTE[0] },
        { name: 'validation', points: [[0, r.babysit.initialLoss], ...ep((e) => e.valLoss)], color: PALETTE[1] },
      ],
    },
    {
      title: `accuracy (test ${fmt(100 * r.test.accuracy)}% at epoch ${r.bestEpoch})`, xLabel: 'epoch', yRange: [Math.min(...r.epochs.map((e) => Math.min(e.valAccuracy, e.trainAccuracy)), 1) * 0.98, 1],
      series: [
        { name: 'train', points: ep((e) => e.trainAccuracy), color: PALETTE[0] },
        { name: 'validation', points: ep((e) => e.valAccuracy), color: PALETTE[1] },
        { name: `gap (last ${fmt(100 * (r.epochs.at(-1)?.gap ?? NaN))} points)`, points: [], color: '#fff' },
      ],
    },
    {
      title: 'update / weight ratio per parameter', xLabel: 'epoch', logY: true, refs: [{ y: 1e-3, label: '1e-3' }],
      series: Object.keys(r.epochs[0]?.updateRatio ?? {}).map((k, i) => ({ name: k, points: ep((e) => e.updateRatio[k]), color: PALETTE[i % PALETTE.length], dash: k.endsWith('bias') })),
    },
    {
      title: 'activations: dead ReLU share (solid), std (dashed)', xLabel: 'epoch',
      series: (r.epochs[0]?.layers ?? []).flatMap((l, i) => [
        ...(l.dead === null ? [] : [{ name: `${l.value} dead`, points: ep((e) => e.layers[i].dead ?? NaN), color: PALETTE[i % PALETTE.length] }]),
        { name: `${l.value} std`, points: ep((e) => e.layers[i].std), color: PALETTE[i % PALETTE.length], dash: true },
      ]),
    },
  ]
  const ov = r.babysit.overfit
  const arch = o.model === 'mlp' ? `MLP ${[r.params['fc1.weight']?.shape[1] ?? '?', ...o.hidden, r.classes].join('-')}` : `CNN conv ${o.conv.join(',')} fc ${[...o.hidden, r.classes].join(',')}`
  return figure(`nn-oracle train: ${arch} on ${o.data}`, [
    `${o.optimizer} lr ${o.lr} (${o.schedule}), weight decay ${o.weightDecay}, batch ${o.batch}, dropout ${o.dropout}, batch norm ${o.batchNorm}`,
    `preprocess ${o.preprocess}, shift ${o.shift}, seed ${o.seed}; ${r.sizes.train}/${r.sizes.validation}/${r.sizes.test} train/val/test; ${fmt(r.cpuSeconds)} s CPU`,
    `initial loss ${fmt(r.babysit.initialLoss)} vs log C ${fmt(r.babysit.logC)}` +
      (ov === null ? '' : `; overfit ${ov.samples} samples, ${ov.steps} steps: loss ${fmt(ov.initialLoss)} -> ${fmt(ov.finalLoss)}, accuracy ${fmt(100 * ov.accuracy)}%`),
  ], panels)
}
