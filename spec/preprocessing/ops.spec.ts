import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { fromArray } from '../../src/core/tensor.ts'
import { lookup } from '../../src/registry.ts'
import * as PcaWhiten from '../../src/preprocessing/pca-whiten.ts'
import * as Standardize from '../../src/preprocessing/standardize.ts'
import { errorOf, runOp } from '../normalization/run.ts'
import { gradientProperty } from '../support/property.ts'
import { pcaWhitenCase, standardizeCase } from './arbitraries.ts'

const test = suite('preprocessing ops')

gradientProperty(test, Standardize.op, standardizeCase(), 100)
gradientProperty(test, PcaWhiten.op, pcaWhitenCase(), 100)

test('both ops are in the catalogue under the Data table names', () => {
  assert.is(lookup('standardize'), Standardize.op)
  assert.is(lookup('pca_whiten'), PcaWhiten.op)
})

test('standardize: torchvision Normalize per channel on [N, C, H, W], worked example', () => {
  const x = fromArray([1, 2, 1, 2], [1, 3, 10, 20])
  const r = runOp(Standardize.op, {}, { x, mean: fromArray([2], [2, 10]), std: fromArray([2], [0.5, 5]) })
  assert.ok(E.isRight(r))
  if (E.isRight(r)) assert.equal(Array.from(r.right.outputs.y.data), [-2, 2, 0, 2])
})

test('standardize: eps is added to the std (outside any root), default 0', () => {
  const x = fromArray([1, 1], [3])
  const r = runOp(Standardize.op, { eps: 1 }, { x, mean: fromArray([1], [1]), std: fromArray([1], [1]) })
  assert.ok(E.isRight(r) && r.right.outputs.y.data[0] === 1)
})

test('standardize: gradients for x, mean and std; pca_whiten for x only', () => {
  const sx = { x: fromArray([2, 1], [1, 2]), mean: fromArray([1], [0]), std: fromArray([1], [2]) }
  const r = runOp(Standardize.op, {}, sx, { y: fromArray([2, 1], [1, 1]) })
  assert.ok(E.isRight(r))
  if (E.isRight(r)) {
    assert.equal(Array.from(r.right.gradients.x.data), [0.5, 0.5]) // (3)
    assert.equal(Array.from(r.right.gradients.mean.data), [-1]) // (4)
    assert.equal(Array.from(r.right.gradients.std.data), [-(1 + 2) / 4]) // (5)
  }
  const px = { x: fromArray([1, 2], [1, 2]), mean: fromArray([2], [0, 0]), components: fromArray([2, 2], [0, 1, 1, 0]), variances: fromArray([2], [4, 1]) }
  const q = runOp(PcaWhiten.op, { whiten: true, eps: 0 }, px, { y: fromArray([1, 2], [1, 1]) })
  assert.ok(E.isRight(q))
  if (E.isRight(q)) {
    assert.equal(Array.from(q.right.outputs.y.data), [1, 1]) // (2): z = (2, 1) (the rows swap x); (3): / sqrt(4), / sqrt(1)
    assert.equal(Object.keys(q.right.gradients), ['x'])
    assert.equal(Array.from(q.right.gradients.x.data), [1, 0.5]) // (5): dz = (1/2, 1), dx = dz P
  }
})

test('errors: shapes that are neither per feature nor per channel, a zero std, unwhitenable variances', () => {
  const x = fromArray([2, 3], [1, 2, 3, 4, 5, 6])
  assert.is(errorOf(Standardize.op, {}, { x, mean: fromArray([2], [0, 0]), std: fromArray([2], [1, 1]) })?.arg, 'inputs.mean')
  assert.is(errorOf(Standardize.op, {}, { x, mean: fromArray([3], [0, 0, 0]), std: fromArray([1], [1]) })?.arg, 'inputs.std')
  assert.is(errorOf(Standardize.op, {}, { x, mean: fromArray([3], [0, 0, 0]), std: fromArray([3], [1, 0, 1]) })?.arg, 'inputs.std')
  assert.is(errorOf(Standardize.op, { eps: 1 }, { x, mean: fromArray([3], [0, 0, 0]), std: fromArray([3], [1, 0, 1]) }), undefined)
  const p = { x, mean: fromArray([3], [0, 0, 0]), components: fromArray([3, 3], [1, 0, 0, 0, 1, 0, 0, 0, 1]), variances: fromArray([3], [1, 0, 1]) }
  assert.is(errorOf(PcaWhiten.op, { whiten: true, eps: 0 }, p)?.arg, 'inputs.variances')
  assert.is(errorOf(PcaWhiten.op, { whiten: false, eps: 0 }, p), undefined)
  assert.is(errorOf(PcaWhiten.op, {}, { ...p, components: fromArray([2, 3], [1, 0, 0, 0, 1, 0]) })?.arg, 'inputs.components')
  assert.is(errorOf(PcaWhiten.op, {}, { ...p, x: fromArray([1, 1, 3], [1, 2, 3]) })?.arg, 'inputs.x')
})

test.run()
