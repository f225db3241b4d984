import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as Adagrad from '../../src/optimizers/adagrad.ts'
import { fromArray, ones } from '../../src/core/tensor.ts'
import { torchTrajectory, unwrap } from './support.ts'
import * as Torch from './torch-1.13.ts'

const test = suite('adagrad')

test('PyTorch 1.13 torch.optim.Adagrad, 3 steps with lr_decay, weight decay and an initial accumulator (params and sums)', () => {
  const opt = unwrap(Adagrad.adagrad({ lr: 0.1, lrDecay: 0.05, weightDecay: 0.1, initialAccumulatorValue: 0.2, eps: 1e-3 }))
  const v = torchTrajectory(opt, Torch.adagrad, { sum: (s) => s.sum.w })
  assert.ok(v.ok, v.ok ? '' : v.message)
})

test('defaults are PyTorch\'s: lr 1e-2, accumulator 0, eps 1e-10 outside the root: the first step is lr g / (|g| + 1e-10)', () => {
  const opt = unwrap(Adagrad.adagrad())
  const out = unwrap(opt.update({ w: fromArray([2], [2, -0.5]) }, opt.init({ w: ones([2]) }), { w: ones([2]) }))
  assert.equal(Array.from(out.params.w.data), [1 - (0.01 * 2) / (2 + 1e-10), 1 + (0.01 * 0.5) / (0.5 + 1e-10)])
  assert.equal(Array.from(out.state.sum.w.data), [4, 0.25])
  assert.is(out.state.step, 1)
})

test('invalid configurations and mismatched state are error values', () => {
  for (const bad of [{ lr: -1 }, { lrDecay: -1 }, { weightDecay: -1 }, { initialAccumulatorValue: -1 }, { eps: -1 }, { lr: NaN }]) {
    assert.ok(E.isLeft(Adagrad.adagrad(bad)), JSON.stringify(bad))
  }
  const opt = unwrap(Adagrad.adagrad())
  assert.ok(E.isLeft(opt.update({ w: ones([2]) }, opt.init({ w: ones([3]) }), { w: ones([2]) })))
})

test.run()
