import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { foldIn, keyFromSeed } from '../../src/core/random.ts'
import type { Tensor } from '../../src/core/tensor.ts'
import type { Dataset } from '../../src/data/dataset.ts'
import type { Splits } from '../../src/data/split.ts'
import { compile, forward, mlp, withMode } from '../../src/graph/index.ts'
import { headOf, transferSetup } from '../../src/experiments/transfer.ts'
import { type TrainOptions, type TrainResult, decayGroups, fitSetup, prepareData, trainRun } from '../../src/experiments/training-run.ts'

const test = suite('transfer')

const tiny: Partial<TrainOptions> = {
  data: 'spirals', hidden: [16], epochs: 2, batch: 16, lr: 0.1, weightDecay: 1e-3, schedule: 'cosine', seed: 5,
  limit: { train: 120, validation: 60, test: 60 }, overfit: null, probe: 32, shift: 0,
}

const ok = <A>(r: E.Either<{ arg: string; expected: string; received: string }, A>): A => {
  if (E.isLeft(r)) throw new Error(`${r.left.arg}: expected ${r.left.expected}, got ${r.left.received}`)
  return r.right
}

const bitwise = (a: Tensor, b: Tensor): boolean => a.data.length === b.data.length && a.data.every((v, i) => Object.is(v, b.data[i]))

/*
 * The law: feature extraction on a frozen backbone equals training a
 * linear classifier on the precomputed features, bitwise. Both runs take the
 * same batches (same seed, same number of samples), the same head init and
 * the same optimizer groups; the backbone's forward on a minibatch gives each
 * row bitwise what it gives on the whole set (a row of a matrix product does
 * not depend on the other rows), and a frozen backbone never changes.
 */
test('feature extraction on a frozen backbone = a linear classifier trained on the precomputed features, bitwise', () => {
  const trained: TrainResult = ok(trainRun(tiny))
  const o = trained.options
  const splits = ok(prepareData(o))
  const key = foldIn(keyFromSeed(9), 1)
  const setup = ok(transferSetup(key, o, trained, [2], 3, 'feature-extraction'))
  const a = ok(fitSetup(o, splits, setup))
  for (const k of Object.keys(trained.params)) {
    if (headOf(setup.network).includes(k)) continue
    assert.ok(bitwise(a.params[k], trained.params[k]), `frozen ${k} moved`)
  }
  // the features: the input of the head's linear node, computed once on every split
  const headNode = setup.network.graph.nodes.find((n) => n.op === 'linear' && n.outputs.y === setup.network.logits)!
  const c = ok(compile(withMode(setup.network.graph, false)))
  const features = (d: Dataset): Dataset => {
    const v = ok(forward(c, { ...setup.params, ...setup.buffers, x: d.x, t: d.y }))
    return { ...d, x: v.values[headNode.inputs.x] }
  }
  const fs: Splits = { train: features(splits.train), validation: features(splits.validation), test: features(splits.test) }
  const linear = ok(mlp(keyFromSeed(0), { sizes: [16, 3] }))
  const [hw, hb] = [headNode.inputs.weight, headNode.inputs.bias]
  const b = ok(fitSetup({ ...o, hidden: [] }, fs, {
    network: linear, buffers: {},
    params: { 'fc1.weight': setup.params[hw], 'fc1.bias': setup.params[hb] },
    groups: decayGroups(o, linear, ['fc1.weight', 'fc1.bias']),
  }))
  assert.ok(bitwise(a.params[hw], b.params['fc1.weight']), 'head weight differs from the linear classifier on features')
  assert.ok(bitwise(a.params[hb], b.params['fc1.bias']), 'head bias differs')
  assert.equal(a.stepLosses, b.stepLosses)
})

test('fine-tuning moves the backbone at lr * factor; scratch starts from fresh parameters', () => {
  const trained = ok(trainRun(tiny))
  const o = trained.options
  const ft = ok(transferSetup(keyFromSeed(1), o, trained, [2], 3, 'fine-tune', 0.1))
  assert.equal(ft.groups.map((g) => g.lrFactor).sort(), [0.1, 0.1, 1, 1])
  assert.ok(bitwise(ft.params['fc1.weight'], trained.params['fc1.weight']))
  const sc = ok(transferSetup(keyFromSeed(1), o, trained, [2], 3, 'scratch'))
  assert.not.ok(bitwise(sc.params['fc1.weight'], trained.params['fc1.weight']))
  assert.equal(sc.groups.map((g) => g.lrFactor), [1, 1])
  const fe = ok(transferSetup(keyFromSeed(1), o, trained, [2], 3, 'feature-extraction'))
  assert.equal(fe.groups.flatMap((g) => g.params).sort(), ['fc2.bias', 'fc2.weight'])
})

test.run()
