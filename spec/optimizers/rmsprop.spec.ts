import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as RMSProp from '../../src/optimizers/rmsprop.ts'
import { fromArray, ones } from '../../src/core/tensor.ts'
import { torchTrajectory, unwrap } from './support.ts'
import * as Torch from './torch-1.13.ts'

const test = suite('rmsprop')

test('PyTorch 1.13 torch.optim.RMSprop, 3 steps with weight decay (params and square averages)', () => {
  const opt = unwrap(RMSProp.rmsprop({ lr: 0.01, alpha: 0.9, eps: 1e-3, weightDecay: 0.1 }))
  const v = torchTrajectory(opt, Torch.rmsprop, { square_avg: (s) => s.squareAvg.w })
  assert.ok(v.ok, v.ok ? '' : v.message)
})

test('PyTorch 1.13 torch.optim.RMSprop centered with momentum, 3 steps (params and all three slots)', () => {
  const opt = unwrap(RMSProp.rmsprop({ lr: 0.01, alpha: 0.9, eps: 1e-3, weightDecay: 0.1, momentum: 0.5, centered: true }))
  const v = torchTrajectory(opt, Torch.rmspropCenteredMomentum, {
    square_avg: (s) => s.squareAvg.w, grad_avg: (s) => s.gradAvg.w, momentum_buffer: (s) => s.momentumBuffer.w,
  })
  assert.ok(v.ok, v.ok ? '' : v.message)
})

test("defaults are PyTorch's: lr 1e-2, alpha 0.99, eps 1e-8 outside the root, no bias correction", () => {
  const opt = unwrap(RMSProp.rmsprop())
  const out = unwrap(opt.update({ w: fromArray([1], [1]) }, opt.init({ w: ones([1]) }), { w: ones([1]) }))
  // a' = 0.01 g^2: the first step is lr g / (0.1 |g| + eps), ten times lr
  const a = (1 - 0.99) * 1 * 1
  assert.equal(Array.from(out.params.w.data), [1 + (-0.01 * 1) / (Math.sqrt(a) + 1e-8)])
})

test('invalid configurations are error values', () => {
  for (const bad of [{ lr: -1 }, { alpha: -1 }, { eps: -1 }, { weightDecay: -1 }, { momentum: -1 }]) {
    assert.ok(E.isLeft(RMSProp.rmsprop(bad)), JSON.stringify(bad))
  }
})

test.run()
