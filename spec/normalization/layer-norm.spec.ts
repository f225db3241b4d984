import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { full, fromArray } from '../../src/core/tensor.ts'
import * as LayerNorm from '../../src/normalization/layer-norm.ts'
import { EPS64 } from '../laws/tolerance.ts'
import { all, failed } from '../laws/result.ts'
import { gradientProperty, property } from '../support/property.ts'
import { layerNormCase } from './cases.ts'
import { statsOf } from './groups.ts'
import { ETA, closeTensors, identical } from './laws.ts'
import { errorOf, runOp } from './run.ts'

const test = suite('layer_norm')
const op = LayerNorm.op

gradientProperty(test, op, layerNormCase({ spread: true }))

/** The three spellings of the same normalized dimensions: normalized_shape, axis >= 0, axis < 0. */
property(test, 'layer_norm: normalized_shape, a positive axis and a negative axis naming the same dimensions agree exactly', layerNormCase(), (c) => {
  const x = c.inputs.x, rank = x.shape.length
  const k = c.attrs.normalized_shape !== undefined ? (c.attrs.normalized_shape as number[]).length
    : (c.attrs.axis as number) < 0 ? -(c.attrs.axis as number) : rank - (c.attrs.axis as number)
  const eps = c.attrs.eps
  const spellings = [{ normalized_shape: x.shape.slice(rank - k), eps }, { axis: rank - k, eps }, { axis: -k, eps }]
  const ys = []
  for (const a of spellings) {
    const r = runOp(op, a, c.inputs)
    if (E.isLeft(r)) return failed(r.left)
    ys.push(r.right.outputs.y)
  }
  const [a, b, d] = ys
  return all(identical('axis >= 0 vs normalized_shape', b, a), identical('axis < 0 vs normalized_shape', d, a))
})

/*
 * With every dimension normalized there is one group, and per-element
 * weight = sqrt(var + eps), bias = mean undo it: y = x. Tolerance as for batch
 * norm's identity law (batch-norm.spec.ts): |y - x| <= (n + 12) EPS64 (|x - mu| + 2 M) + (n + 12) ETA.
 */
property(test, 'layer_norm: over all dimensions, weight = sqrt(var + eps) and bias = mean recover the identity',
  layerNormCase({ eps: [1e-5, 0.1, 1] }), (c) => {
    const x = c.inputs.x, eps = c.attrs.eps as number, n = x.data.length
    const s = statsOf(x.data, Array.from({ length: n }, (_, i) => i))
    const r = runOp(op, { axis: 0, eps }, { x, weight: full(x.shape, Math.sqrt(s.variance + eps)), bias: full(x.shape, s.mean) })
    if (E.isLeft(r)) return failed(r.left)
    return closeTensors('y', r.right.outputs.y, x, (i) => (n + 12) * EPS64 * (Math.abs(x.data[i] - s.mean) + 2 * s.maxAbs) + (n + 12) * ETA)
  })

test('layer_norm: exactly one of normalized_shape and axis', () => {
  const x = fromArray([2, 3], [1, 2, 3, 4, 5, 7])
  assert.is(errorOf(op, { normalized_shape: [3], axis: -1 }, { x })?.arg, 'attrs.axis')
  assert.is(errorOf(op, {}, { x })?.arg, 'attrs.normalized_shape')
  assert.is(errorOf(op, { eps: 1e-5 }, { x })?.arg, 'attrs.normalized_shape')
  assert.is(errorOf(op, { normalized_shape: [3] }, { x }), undefined)
  assert.is(errorOf(op, { axis: 1 }, { x }), undefined)
})

test('layer_norm: the normalized dimensions must be x trailing ones, and at least one', () => {
  const x = fromArray([2, 3], [1, 2, 3, 4, 5, 7])
  assert.is(errorOf(op, { normalized_shape: [2] }, { x })?.arg, 'attrs.normalized_shape')
  assert.is(errorOf(op, { normalized_shape: [2, 3, 1] }, { x })?.arg, 'attrs.normalized_shape')
  assert.is(errorOf(op, { normalized_shape: [] }, { x })?.arg, 'attrs.normalized_shape')
  assert.is(errorOf(op, { axis: 2 }, { x })?.arg, 'attrs.axis')
  assert.is(errorOf(op, { axis: -3 }, { x })?.arg, 'attrs.axis')
  assert.is(errorOf(op, { axis: 0.5 }, { x })?.arg, 'attrs.axis')
  assert.is(errorOf(op, { axis: -1 }, { x, weight: fromArray([2], [1, 1]) })?.arg, 'inputs.weight')
  assert.is(errorOf(op, { axis: 0 }, { x, bias: fromArray([3], [1, 1, 1]) })?.arg, 'inputs.bias')
  assert.is(errorOf(op, { axis: -1, eps: -1e-5 }, { x })?.arg, 'attrs.eps')
})

test('layer_norm: a negative axis counts from the end (axis -2 of [2, 3, 4] normalizes over [3, 4])', () => {
  const x = fromArray([2, 3, 4], Array.from({ length: 24 }, (_, i) => Math.sin(i)))
  const a = runOp(op, { axis: -2 }, { x }), b = runOp(op, { normalized_shape: [3, 4] }, { x })
  assert.ok(E.isRight(a) && E.isRight(b))
  if (E.isRight(a) && E.isRight(b)) assert.equal(Array.from(a.right.outputs.y.data), Array.from(b.right.outputs.y.data))
})

test.run()
