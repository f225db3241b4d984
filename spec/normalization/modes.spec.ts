/**
 * "Layer, instance and group norm give the same output in training and in
 * evaluation." Said honestly: these ops HAVE no mode. Their statistics always
 * come from the input itself and they keep no running state (PyTorch's
 * F.layer_norm, F.group_norm and F.instance_norm without running statistics
 * take no `training` argument either; conventions report 1.2). So there is no
 * pair of modes to compare, and what can be checked is that nothing behaves
 * like one:
 *  - no attribute selects a mode: `training` is refused as an unknown attribute;
 *  - no hidden state: calling the op again, or reaching its forward through
 *    the VJP path, gives bitwise the same numbers, and the inputs are left
 *    untouched (batch norm included: its running statistics come back as new
 *    tensors, the inputs stay as given).
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import type { Op } from '../../src/core/op.ts'
import { keyFromSeed, normal } from '../../src/core/random.ts'
import { type Tensor, fromArray } from '../../src/core/tensor.ts'
import * as BatchNorm from '../../src/normalization/batch-norm.ts'
import * as GroupNorm from '../../src/normalization/group-norm.ts'
import * as InstanceNorm from '../../src/normalization/instance-norm.ts'
import * as LayerNorm from '../../src/normalization/layer-norm.ts'
import { all, failed } from '../laws/result.ts'
import { property } from '../support/property.ts'
import { type NormCase, batchNormCase, groupNormCase, instanceNormCase, layerNormCase } from './cases.ts'
import { identical } from './laws.ts'
import { errorOf, runOp } from './run.ts'

const test = suite('normalization modes and purity')

const modeless: readonly (readonly [Op, Record<string, unknown>])[] = [
  [LayerNorm.op, { axis: -1 }], [InstanceNorm.op, {}], [GroupNorm.op, { num_groups: 1 }],
]

for (const [op, attrs] of modeless) {
  test(`${op.name}: there is no mode to set (training is not an attribute)`, () => {
    const x = fromArray([1, 2, 2], [1, 2, 3, 5])
    for (const training of [true, false]) assert.is(errorOf(op, { ...attrs, training }, { x })?.arg, 'attrs.training')
    assert.is(errorOf(op, attrs, { x }), undefined)
  })
}

const cases: readonly (readonly [Op, fc.Arbitrary<NormCase>])[] = [
  [LayerNorm.op, layerNormCase()], [InstanceNorm.op, instanceNormCase()], [GroupNorm.op, groupNormCase()], [BatchNorm.op, batchNormCase()],
]

const snapshot = (ts: Readonly<Record<string, Tensor>>): Record<string, Tensor> =>
  Object.fromEntries(Object.entries(ts).map(([k, t]) => [k, { ...t, data: Float64Array.from(t.data) }]))

for (const [op, arb] of cases) {
  property(test, `${op.name}: repeated calls and the VJP path give identical numbers, and the inputs stay untouched`,
    fc.tuple(arb, fc.integer({ min: 0, max: 2 ** 31 - 1 })), ([c, seed]) => {
      const before = snapshot(c.inputs)
      const first = runOp(op, c.attrs, c.inputs)
      const cot = normal(keyFromSeed(seed), c.inputs.x.shape)
      const withGrad = runOp(op, c.attrs, c.inputs, { y: cot })
      const again = runOp(op, c.attrs, c.inputs, { y: cot })
      if (E.isLeft(first) || E.isLeft(withGrad) || E.isLeft(again)) return failed('an error where the first call succeeded')
      return all(
        ...Object.keys(first.right.outputs).flatMap((k) => [
          identical(`${k} (forward vs the VJP's forward)`, first.right.outputs[k], withGrad.right.outputs[k]),
          identical(`${k} (second call)`, first.right.outputs[k], again.right.outputs[k]),
        ]),
        ...Object.keys(withGrad.right.gradients).map((k) => identical(`gradient ${k} (second call)`, withGrad.right.gradients[k], again.right.gradients[k])),
        ...Object.keys(before).map((k) => identical(`input ${k} after the calls`, c.inputs[k], before[k])),
      )
    })
}

test.run()
