import fc from 'fast-check'
import { suite } from 'uvu'
import * as E from 'fp-ts/lib/Either.js'
import { vjp } from '../../src/core/op.ts'
import { ones } from '../../src/core/tensor.ts'
import * as AdamStep from '../../src/optimizers/adam-step.ts'
import { adagrad } from '../../src/optimizers/adagrad.ts'
import { adam, adamW } from '../../src/optimizers/adam.ts'
import type { Optimizer, Params } from '../../src/optimizers/optimizer.ts'
import { rmsprop } from '../../src/optimizers/rmsprop.ts'
import { sgd } from '../../src/optimizers/sgd.ts'
import * as SgdStep from '../../src/optimizers/sgd-step.ts'
import { shape, tensorOf } from '../laws/arbitraries.ts'
import { failed, ok } from '../laws/result.ts'
import { property } from '../support/property.ts'
import { sameSnapshot, snapshot, unwrap } from './support.ts'

const test = suite('optimizers never mutate their inputs')

const optimizers: [string, Optimizer<unknown>][] = [
  ['sgd', unwrap(sgd({ lr: 0.1 }))],
  ['sgd momentum', unwrap(sgd({ lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }))],
  ['sgd nesterov', unwrap(sgd({ lr: 0.1, momentum: 0.9, nesterov: true }))],
  ['adam', unwrap(adam({ weightDecay: 0.1 }))],
  ['adamw', unwrap(adamW())],
  ['adagrad', unwrap(adagrad({ initialAccumulatorValue: 0.1, weightDecay: 0.1 }))],
  ['rmsprop', unwrap(rmsprop({ momentum: 0.5, centered: true, weightDecay: 0.1 }))],
] as [string, Optimizer<unknown>][]

const recordCase = fc.array(shape({ maxRank: 2 }), { minLength: 1, maxLength: 3 })
  .chain((shapes) => fc.tuple(
    fc.tuple(...shapes.map((s) => tensorOf(s))),
    fc.tuple(...shapes.map((s) => tensorOf(s))),
    fc.tuple(...shapes.map((s) => tensorOf(s))),
  ).map(([ps, gs, g2s]) => ({
    params: Object.fromEntries(ps.map((p, i) => [`p${i}`, p])) as Params,
    grads: Object.fromEntries(gs.map((g, i) => [`p${i}`, g])) as Params,
    grads2: Object.fromEntries(g2s.map((g, i) => [`p${i}`, g])) as Params,
  })))

property(test, 'update returns new params and state and leaves params, grads and the old state untouched (two steps, every optimizer)', recordCase, ({ params, grads, grads2 }) => {
  for (const [name, opt] of optimizers) {
    const s0 = opt.init(params)
    const before = snapshot([params, grads, grads2, s0])
    const r1 = opt.update(grads, s0, params)
    if (E.isLeft(r1)) return failed(`${name}: ${r1.left.expected}`)
    const mid = snapshot([r1.right.params, r1.right.state])
    const r2 = opt.update(grads2, r1.right.state, r1.right.params)
    if (E.isLeft(r2)) return failed(`${name}: ${r2.left.expected}`)
    if (!sameSnapshot(before, snapshot([params, grads, grads2, s0]))) return failed(`${name}: an input of the first update was modified`)
    if (!sameSnapshot(mid, snapshot([r1.right.params, r1.right.state]))) return failed(`${name}: the second update modified the first one's result`)
  }
  return ok
})

const tensorsCase = shape().chain((sh) => fc.record({ a: tensorOf(sh), b: tensorOf(sh), c: tensorOf(sh), d: tensorOf(sh, { min: 0, max: 3 }) }))

property(test, 'sgd_step and adam_step (forward and backward) leave their inputs untouched', tensorsCase, ({ a, b, c, d }) => {
  const sgdIns = { param: a, grad: b, momentum_buffer: c }
  const adamIns = { param: a, grad: b, exp_avg: c, exp_avg_sq: d }
  const before = snapshot([sgdIns, adamIns])
  const s = vjp(SgdStep.op, unwrap(SgdStep.op.parseAttrs({ lr: 0.1, momentum: 0.9, weight_decay: 0.1 })), sgdIns, { param: ones(a.shape), momentum_buffer: ones(a.shape) })
  const m = vjp(AdamStep.op, unwrap(AdamStep.op.parseAttrs({ step: 2, weight_decay: 0.1 })), adamIns, { param: ones(a.shape), exp_avg: ones(a.shape), exp_avg_sq: ones(a.shape) })
  if (E.isLeft(s) || E.isLeft(m)) return failed('vjp failed')
  return sameSnapshot(before, snapshot([sgdIns, adamIns])) ? ok : failed('an input was modified')
})

test.run()
