import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { parsePipeline } from '../../src/augmentation/pipeline.ts'
import { hflip } from '../../src/augmentation/flip.ts'
import { keyFromSeed, split, uniformArray } from '../../src/core/random.ts'
import { type Tensor, make } from '../../src/core/tensor.ts'
import type { Dataset } from '../../src/data/dataset.ts'
import type { Splits } from '../../src/data/split.ts'
import { buildModel } from '../../src/experiments/model.ts'
import { DEFAULTS, type Progress, type TrainOptions, type TrainResult, augmentKey, decayGroups, fitSetup, trainRun } from '../../src/experiments/training-run.ts'
import { trainCommand } from '../../src/cli/train.ts'
import { experimentCommand } from '../../src/cli/experiment.ts'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { scratchDir } from '../support/scratch.ts'

const test = suite('training run: --augment')

// Synthetic 1 x 6 x 6 images in [0, 1] with 3 labels: augmentation needs images, and
// spirals are points. Small enough that a whole run costs milliseconds.
const H = 6
const images = (seed: number, n: number, same = false): Dataset => {
  const u = uniformArray(keyFromSeed(seed), n * H * H + n)
  const x = new Float64Array(n * H * H)
  for (let i = 0; i < n; i++) for (let j = 0; j < H * H; j++) x[i * H * H + j] = u[(same ? 0 : i) * H * H + j]
  const y = Float64Array.from({ length: n }, (_, i) => Math.floor(u[n * H * H + i] * 3))
  return { name: 'synthetic', x: make([n, 1, H, H], x), y: make([n], y, 'int64'), classes: 3 }
}

const opts = (o: Partial<TrainOptions>): TrainOptions => ({
  ...DEFAULTS, hidden: [8], epochs: 2, batch: 8, lr: 0.1, schedule: 'constant', seed: 5, overfit: null, probe: 8, shift: 0, weightDecay: 0, ...o,
})

const fit = (o: TrainOptions, s: Splits, onProgress?: (p: Progress) => void): TrainResult => {
  const net = buildModel(split(keyFromSeed(o.seed), 5)[0], o, [1, H, H], 3)
  if (E.isLeft(net)) throw new Error(net.left.expected)
  const r = fitSetup(o, s, { network: net.right, params: net.right.params, buffers: net.right.buffers, groups: decayGroups(o, net.right, Object.keys(net.right.params)) }, onProgress)
  if (E.isLeft(r)) throw new Error(`${r.left.arg}: ${r.left.expected}, got ${r.left.received}`)
  return r.right
}

const flipAll = (d: Dataset): Dataset => {
  const f = hflip.forward({}, { x: d.x })
  if (E.isLeft(f)) throw new Error('hflip')
  return { ...d, x: f.right.outputs.y }
}

const bitwise = (a: Tensor, b: Tensor) => a.data.length === b.data.length && a.data.every((v, i) => Object.is(v, b.data[i]))

test('hflip:1 on training batches equals training on flipped images; validation and test are never flipped', () => {
  const s: Splits = { train: images(1, 24), validation: images(2, 12), test: images(3, 12) }
  const a = fit(opts({ augment: 'hflip:1' }), s)
  const b = fit(opts({}), { ...s, train: flipAll(s.train) })
  const c = fit(opts({}), s)
  for (const k of Object.keys(a.params)) assert.ok(bitwise(a.params[k], b.params[k]), k)
  // validation and test scores are those of unflipped images (an augmented validation set would differ)
  assert.equal(a.epochs.map((e) => [e.valLoss, e.valAccuracy]), b.epochs.map((e) => [e.valLoss, e.valAccuracy]))
  assert.equal(a.test, b.test)
  // and the augmentation did something: the plain run trained other parameters
  assert.not.ok(Object.keys(a.params).every((k) => bitwise(a.params[k], c.params[k])))
})

test('each step augments with augmentKey(seed, step): identical images come out as pipeline(key of that step), different every step', () => {
  const spec = 'crop:2,erase:1'
  const p = parsePipeline(spec)
  if (E.isLeft(p)) throw new Error('pipeline')
  const s: Splits = { train: images(7, 16, true), validation: images(8, 8), test: images(9, 8) }
  const seen: Tensor[] = []
  fit(opts({ augment: spec, epochs: 2 }), s, (q) => { seen.push(q.x!) })
  assert.is(seen.length, 4)
  seen.forEach((x, step) => {
    // every training image is the same, so the batch depends only on the key and the batch size
    const want = p.right.apply(augmentKey(5, step), { x: make(x.shape, s.train.x.data.slice(0, x.data.length)) })
    if (E.isLeft(want)) throw new Error('apply')
    assert.ok(bitwise(x, want.right.x), `step ${step}`)
  })
  for (let i = 1; i < seen.length; i++) assert.not.ok(bitwise(seen[i], seen[0]), `step ${i} repeats step 0's draws`)
  // the key is a function of the seed: another seed, other draws
  const other = p.right.apply(augmentKey(6, 0), { x: make(seen[0].shape, s.train.x.data.slice(0, seen[0].data.length)) })
  assert.ok(E.isRight(other) && !bitwise(other.right.x, seen[0]))
})

test('bad pipelines, mixing stages and vector data are refused as values', () => {
  const s: Splits = { train: images(1, 8), validation: images(2, 4), test: images(3, 4) }
  const net = buildModel(keyFromSeed(0), opts({}), [1, H, H], 3)
  if (E.isLeft(net)) throw new Error('net')
  const setup = { network: net.right, params: net.right.params, buffers: net.right.buffers, groups: decayGroups(opts({}), net.right, Object.keys(net.right.params)) }
  for (const bad of ['hflip,spin', 'crop', 'mixup', 'cutmix:1', 'erase:2']) {
    const r = fitSetup(opts({ augment: bad }), s, setup)
    assert.ok(E.isLeft(r) && r.left.op === 'train' && r.left.arg.startsWith('augment'), bad)
  }
  const mix = trainRun({ data: 'spirals', augment: 'mixup', limit: { train: 20, validation: 10, test: 10 }, overfit: null })
  assert.ok(E.isLeft(mix) && /class indices/.test(mix.left.hint ?? ''))
  const vec = trainRun({ data: 'spirals', augment: 'hflip', epochs: 1, hidden: [4], limit: { train: 20, validation: 10, test: 10 }, overfit: null, probe: 4 })
  assert.ok(E.isLeft(vec) && vec.left.arg === 'augment' && /image data/.test(vec.left.expected))
})

test('nn-oracle train --augment: a bad pipeline is a usage error (exit 2) naming the stage', async () => {
  const err: string[] = []
  const code = await trainCommand(['--data', 'spirals', '--augment', 'hflip,cutmix', '--quiet'], { out: () => {}, err: (m) => err.push(m) })
  assert.is(code, 2)
  assert.match(err.join('\n'), /cutmix/)
})

test('nn-oracle experiment augmentation: one run per pipeline on the same split, JSON and SVG', async () => {
  const dir = scratchDir('nn-oracle-aug-')
  const out: string[] = [], err: string[] = []
  const code = await experimentCommand(['augmentation', '--epochs', '1', '--limit', '24', '--json', '--svg', join(dir, 'a.svg')], { out: (m) => out.push(m), err: (m) => err.push(m) })
  assert.is(code, 0, err.join('\n'))
  const j = JSON.parse(out.join(''))
  assert.equal(j.runs.map((r: { augment: string }) => r.augment), ['', 'crop:2', 'affine:10:0.1:0.1', 'elastic:34:4'])
  // the same seed and split: the runs differ only by the augmentation, which changes what is learned
  const loss = j.runs.map((r: { epochs: { stepLoss: number }[] }) => r.epochs[0].stepLoss)
  assert.is(new Set(loss).size, 4)
  assert.ok(readFileSync(join(dir, 'a.svg'), 'utf8').includes('Augmentation and the train/validation gap'))
})

test.run()
