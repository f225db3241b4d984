import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as AvgPool2d from '../../src/pooling/avg-pool2d.ts'
import * as GlobalAvgPool2d from '../../src/pooling/global-avg-pool2d.ts'
import { fromArray } from '../../src/core/tensor.ts'
import { all, assertLaw } from '../laws/result.ts'
import { gradientProperty, property } from '../support/property.ts'
import { allClose } from '../convolution/arbitraries.ts'
import { abs, gaussian, grads, guard, run } from '../convolution/evaluate.ts'
import { readCases, replay } from '../convolution/fixtures.ts'
import { anyValues } from './arbitraries.ts'

const test = suite('global_avg_pool2d')

const op = GlobalAvgPool2d.op
const dims = fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }))

gradientProperty(test, op, dims.chain((s) => anyValues(s)).map((x) => ({ attrs: {}, inputs: { x } })))

test('global_avg_pool2d agrees with PyTorch 1.13 (x.mean((2, 3), keepdim=True)) on the pinned cases', () => {
  const cases = readCases(new URL('./torch-cases.jsonl', import.meta.url)).filter((c) => c.op === 'global_avg_pool2d')
  assert.ok(cases.length >= 3)
  for (const c of cases) assertLaw(replay(op, c))
})

property(test, 'global average pooling is avg_pool2d with kernel_size = [H, W]: y [N, C, 1, 1] and dx',
  fc.tuple(dims.chain((s) => anyValues(s)), fc.integer({ min: 0, max: 2 ** 31 - 1 })), ([x, s]) => guard(() => {
    const attrs = { kernel_size: [x.shape[2], x.shape[3]] }
    const y = run(op, {}, { x }).y
    const g = gaussian(s, y.shape)
    const m = x.shape[2] * x.shape[3]
    return all(
      allClose('y', y, run(AvgPool2d.op, attrs, { x }).y, run(AvgPool2d.op, attrs, { x: abs(x) }).y, m),
      allClose('dx', grads(op, {}, { x }, { y: g }).x, grads(AvgPool2d.op, attrs, { x }, { y: g }).x, grads(AvgPool2d.op, attrs, { x }, { y: abs(g) }).x, m),
    )
  }))

test('global_avg_pool2d: x must be [N, C, H, W]', () => {
  const r = op.forward({}, { x: fromArray([2, 3], [1, 2, 3, 4, 5, 6]) })
  assert.ok(E.isLeft(r) && r.left.arg === 'inputs.x')
  const a = op.parseAttrs({ keepdim: true })
  assert.ok(E.isLeft(a) && a.left.arg === 'attrs.keepdim')
})

test.run()
