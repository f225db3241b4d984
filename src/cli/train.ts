/**
 * `nn-oracle train`: src/experiments/training-run.ts from the command line.
 * Prints a per-epoch table and the babysitting numbers on stdout, a progress
 * bar with ETA on standard error, and writes --json / --svg. Exit codes: 0
 * done, 2 bad usage or unavailable data (a message, never a stack trace),
 * 1 a file could not be written or training failed.
 */
import { writeFileSync } from 'node:fs'
import { parseCommandArgs } from './args.ts'
import * as E from 'fp-ts/lib/Either.js'
import { formatError } from '../core/errors.ts'
import { DATA_NAMES } from '../data/index.ts'
import { ACTIVATIONS, type Activation } from '../experiments/model.ts'
import { fmt } from '../experiments/plot-terminal.ts'
import { CNN_DEFAULTS, DEFAULTS, MLP_DEFAULTS, type TrainOptions, toJson, trainRun } from '../experiments/training-run.ts'
import { renderTrainSvg } from '../experiments/train-svg.ts'
import { PREPROCESS_NAMES } from '../preprocessing/pipeline.ts'
import { OPTIMIZERS, isOptimizerName } from '../training/index.ts'
import type { IO } from './experiment.ts'
import { progress } from './progress.ts'

export const TRAIN_HELP = `usage: nn-oracle train [options]

Trains a network on a data set with the oracle's float64 ops and prints, per
epoch, train/validation loss and accuracy, then the test accuracy of the
final (or, with --early-stopping, the best-validation) parameters, with the
lectures' babysitting numbers: initial loss vs log C, a tiny-batch overfit,
update/weight ratios, per-layer activation statistics and dead ReLUs, and the
train/validation gap.

  --model mlp|cnn        network (default mlp)
  --hidden W,W,...       MLP hidden widths, or the CNN's fc widths (default ${DEFAULTS.hidden.join(',')}; cnn ${CNN_DEFAULTS.hidden!.join(',')})
  --conv C,C,...         CNN: 3x3 conv channels, each + ReLU + 2x2 max pool (default ${CNN_DEFAULTS.conv!.join(',')})
  --activation F         ${ACTIVATIONS.join(' | ')} (MLP; default relu)
  --data NAME            ${DATA_NAMES.join(' | ')} (default digits: 7,000 train, 1,000 validation, 2,000 test)
  --preprocess P         ${PREPROCESS_NAMES.join(' | ')} (fitted on the training split; default ${DEFAULTS.preprocess})
  --optimizer NAME       ${OPTIMIZERS.join(' | ')} (default sgd)
  --lr X                 base learning rate (default ${DEFAULTS.lr})
  --momentum X           SGD / RMSprop momentum (default ${DEFAULTS.momentum})
  --weight-decay X       L2 on weights, not on biases or norm affines (default ${DEFAULTS.weightDecay})
  --schedule S           constant | cosine (per epoch; default ${DEFAULTS.schedule})
  --epochs N             (default ${MLP_DEFAULTS.epochs}; cnn ${CNN_DEFAULTS.epochs})
  --batch N              minibatch size (default ${DEFAULTS.batch})
  --dropout P            dropout after each hidden activation (default 0)
  --batch-norm           batch norm after each hidden linear / conv layer
  --early-stopping P     stop after P epochs without a lower validation loss; test the best
  --shift K              augment: random translations of up to K pixels (images; default 2, 0 turns it off)
  --augment PIPELINE     augment each training batch (never validation/test) after --shift, e.g.
                         hflip,crop:2,erase; stages as in src/augmentation/pipeline.ts (images only;
                         mixup and cutmix are refused: the loss takes class indices)
  --seed S               initialization, shuffling, dropout, augmentation (default 0)
  --split-seed S         the train/validation/test split (default 0)
  --limit N              train on a random N samples (validation and test capped at N too)
  --overfit-steps N      steps of the tiny-batch overfit check (default ${DEFAULTS.overfit!.steps}; 0 skips it)
  --json PATH            write per-epoch metrics, babysitting, test accuracy and time as JSON
  --svg PATH             write loss / accuracy / update-ratio / dead-ReLU curves
  --quiet                no progress bar`

const consoleIO: IO = { out: (s) => console.log(s), err: (s) => console.error(s) }

const list = (s: string): number[] | undefined => {
  const v = s.split(',').filter((t) => t.trim() !== '').map(Number)
  return v.every((n) => Number.isSafeInteger(n) && n > 0) ? v : undefined
}

export const trainCommand = async (argv: readonly string[], io: IO = consoleIO): Promise<number> => {
  const bad = (m: string): number => { io.err(`nn-oracle train: ${m}\n\n${TRAIN_HELP}`); return 2 }
  const p = parseCommandArgs('train', argv, {
        model: { type: 'string' }, hidden: { type: 'string' }, conv: { type: 'string' }, activation: { type: 'string' },
        data: { type: 'string' }, preprocess: { type: 'string' }, optimizer: { type: 'string' }, lr: { type: 'string' },
        momentum: { type: 'string' }, 'weight-decay': { type: 'string' }, schedule: { type: 'string' }, epochs: { type: 'string' },
        batch: { type: 'string' }, dropout: { type: 'string' }, 'batch-norm': { type: 'boolean' }, 'early-stopping': { type: 'string' },
        shift: { type: 'string' }, augment: { type: 'string' }, seed: { type: 'string' }, 'split-seed': { type: 'string' }, limit: { type: 'string' },
        'overfit-steps': { type: 'string' }, json: { type: 'string' }, svg: { type: 'string' }, quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
  })
  if (!p.ok) { io.err(p.message); return 2 }
  // Every option above is a string but the three booleans, which are only tested for truth.
  const parsed = { values: p.parsed.values as Record<string, string | undefined> }
  const v = parsed.values
  if (v.help) { io.out(TRAIN_HELP); return 0 }
  const o: Record<string, unknown> = {}
  if (v.model !== undefined) {
    if (v.model !== 'mlp' && v.model !== 'cnn') return bad(`--model: expected mlp or cnn, got ${JSON.stringify(v.model)}`)
    o.model = v.model
  }
  for (const k of ['hidden', 'conv'] as const) {
    if (v[k] === undefined) continue
    const l = list(v[k]!)
    if (l === undefined) return bad(`--${k}: expected comma-separated positive integers, got ${JSON.stringify(v[k])}`)
    o[k] = l
  }
  if (v.activation !== undefined) {
    if (!(ACTIVATIONS as readonly string[]).includes(v.activation)) return bad(`--activation: expected one of ${ACTIVATIONS.join(', ')}, got ${JSON.stringify(v.activation)}`)
    o.activation = v.activation as Activation
  }
  if (v.data !== undefined) o.data = v.data
  if (v.preprocess !== undefined) o.preprocess = v.preprocess
  if (v.optimizer !== undefined) {
    if (!isOptimizerName(v.optimizer)) return bad(`--optimizer: expected one of ${OPTIMIZERS.join(', ')}, got ${JSON.stringify(v.optimizer)}`)
    o.optimizer = v.optimizer
  }
  if (v.schedule !== undefined) {
    if (v.schedule !== 'constant' && v.schedule !== 'cosine') return bad(`--schedule: expected constant or cosine, got ${JSON.stringify(v.schedule)}`)
    o.schedule = v.schedule
  }
  const num = (flag: string, s: string | undefined, key: string, int: boolean): string | undefined => {
    if (s === undefined) return undefined
    const x = Number(s)
    if (s.trim() === '' || !Number.isFinite(x) || (int && !Number.isSafeInteger(x))) return `--${flag}: expected ${int ? 'an integer' : 'a number'}, got ${JSON.stringify(s)}`
    o[key] = x
    return undefined
  }
  const errs = [
    num('lr', v.lr, 'lr', false), num('momentum', v.momentum, 'momentum', false), num('weight-decay', v['weight-decay'], 'weightDecay', false),
    num('epochs', v.epochs, 'epochs', true), num('batch', v.batch, 'batch', true), num('dropout', v.dropout, 'dropout', false),
    num('early-stopping', v['early-stopping'], 'earlyStopping', true), num('shift', v.shift, 'shift', true),
    num('seed', v.seed, 'seed', true), num('split-seed', v['split-seed'], 'splitSeed', true),
  ].filter((e) => e !== undefined)
  if (errs.length > 0) return bad(errs[0]!)
  if (v['batch-norm']) o.batchNorm = true
  if (v.augment !== undefined) o.augment = v.augment
  if (v.limit !== undefined) {
    const n = Number(v.limit)
    if (!Number.isSafeInteger(n) || n < 1) return bad(`--limit: expected a positive integer, got ${JSON.stringify(v.limit)}`)
    o.limit = { train: n, validation: n, test: n }
  }
  if (v['overfit-steps'] !== undefined) {
    const n = Number(v['overfit-steps'])
    if (!Number.isSafeInteger(n) || n < 0) return bad(`--overfit-steps: expected an integer >= 0, got ${JSON.stringify(v['overfit-steps'])}`)
    o.overfit = n === 0 ? null : { samples: DEFAULTS.overfit!.samples, steps: n }
  }

  const bar = v.quiet ? undefined : progress('train', undefined)
  let total = 0
  const r = trainRun(o as Partial<TrainOptions>, (p) => {
    total = p.steps
    const eta = p.step > 0 ? (p.seconds / p.step) * (p.steps - p.step) : NaN
    bar?.tick(p.step, `${Math.round((100 * p.step) / p.steps)}% epoch ${p.epoch} loss ${fmt(p.loss)} ETA ${fmt(eta)} s (${p.step}/${p.steps})`)
  })
  bar?.done()
  if (E.isLeft(r)) {
    const e = r.left
    return e._tag === 'Unsupported' || e.op === 'train' || e.op.startsWith('data') || e.op.startsWith('preprocessing') ? bad(formatError(e)) : (io.err(`nn-oracle train: ${formatError(e)}`), 1)
  }
  const res = r.right
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`
  io.out(`${res.options.model} on ${res.options.data}: ${res.parameters} parameters, ${res.sizes.train}/${res.sizes.validation}/${res.sizes.test} train/val/test, ${total} steps`)
  io.out(`initial loss ${fmt(res.babysit.initialLoss)} (log C = ${fmt(res.babysit.logC)})`)
  const ov = res.babysit.overfit
  if (ov !== null) io.out(`overfit ${ov.samples} samples, ${ov.steps} steps, no regularization: loss ${fmt(ov.initialLoss)} -> ${fmt(ov.finalLoss)}, accuracy ${pct(ov.accuracy)}`)
  io.out('epoch  lr        step-loss  train-loss  train-acc  val-loss  val-acc  gap     max-update/weight  dead-relu  seconds')
  for (const e of res.epochs) {
    const ratio = Math.max(...Object.values(e.updateRatio).filter(Number.isFinite))
    const dead = e.layers.filter((l) => l.dead !== null).map((l) => fmt(l.dead!)).join('/') || '-'
    io.out(`${String(e.epoch).padEnd(6)} ${fmt(e.lr).padEnd(9)} ${fmt(e.stepLoss).padEnd(10)} ${fmt(e.trainLoss).padEnd(11)} ${pct(e.trainAccuracy).padEnd(10)} ${fmt(e.valLoss).padEnd(9)} ${pct(e.valAccuracy).padEnd(8)} ${fmt(100 * e.gap).padEnd(7)} ${fmt(ratio).padEnd(18)} ${dead.padEnd(10)} ${fmt(e.seconds)}`)
  }
  io.out(`test accuracy ${pct(res.test.accuracy)} (loss ${fmt(res.test.loss)}) with the parameters of epoch ${res.bestEpoch}${res.stoppedEarly ? ' (stopped early)' : ''}; ${fmt(res.wallSeconds)} s wall, ${fmt(res.cpuSeconds)} s CPU`)
  try {
    if (v.json !== undefined) { writeFileSync(v.json, JSON.stringify(toJson(res), null, 1) + '\n'); io.out(`wrote ${v.json}`) }
    if (v.svg !== undefined) { writeFileSync(v.svg, renderTrainSvg(res)); io.out(`wrote ${v.svg}`) }
  } catch (e) {
    io.err(`nn-oracle train: cannot write: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
    return 1
  }
  return 0
}
