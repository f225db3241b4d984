import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { type Tensor, fromArray, make, sizeOf } from '../../src/core/tensor.ts'
import * as GroupNorm from '../../src/normalization/group-norm.ts'
import * as InstanceNorm from '../../src/normalization/instance-norm.ts'
import * as LayerNorm from '../../src/normalization/layer-norm.ts'
import { EPS64 } from '../laws/tolerance.ts'
import { failed } from '../laws/result.ts'
import { gradientProperty, property } from '../support/property.ts'
import { groupNormCase } from './cases.ts'
import { type Groups, statsOf } from './groups.ts'
import { ETA, closeTensors } from './laws.ts'
import { errorOf, runOp } from './run.ts'

const test = suite('group_norm')
const op = GroupNorm.op

gradientProperty(test, op, groupNormCase({ spread: true }))

/**
 * Two normalizations of the same groups of x agree up to summation order:
 * (n + 4) EPS64 (|gamma| r (M + |x - mu|) + |beta|) per element, as argued in
 * instance-norm.spec.ts (means within 2 (n + 1) u M, variances within
 * (2n + 8) u relative, 2 roundings of the affine map), plus the same count of
 * ETA (1 + r)(1 + |gamma|) for subnormal values (./laws.ts).
 */
const sameGroupsTolerance = (x: Tensor, groups: Groups, eps: number, gamma: (i: number) => number, beta: (i: number) => number) => (i: number) => {
  const g = groups.find((gr) => gr.includes(i))!, s = statsOf(x.data, g), r = 1 / Math.sqrt(s.variance + eps)
  return (g.length + 4) * EPS64 * (Math.abs(gamma(i)) * r * (s.maxAbs + Math.abs(x.data[i] - s.mean)) + Math.abs(beta(i))) +
    (g.length + 4) * ETA * (1 + r) * (1 + Math.abs(gamma(i)))
}

/** [C] per-channel parameters spread over [C, ...spatial], the layer-norm shape of one sample. */
const perPosition = (t: Tensor | undefined, shape: readonly number[]): Tensor | undefined => {
  if (t === undefined) return undefined
  const s = sizeOf(shape.slice(1))
  return make(shape, Float64Array.from({ length: sizeOf(shape) }, (_, i) => t.data[Math.floor(i / s)]))
}

property(test, 'group_norm: one group is layer norm over (C, spatial...) with each channel parameter repeated over its positions',
  groupNormCase(), (c) => {
    const x = c.inputs.x, [, ch] = x.shape, s = sizeOf(x.shape.slice(2))
    const gn = runOp(op, { ...c.attrs, num_groups: 1 }, c.inputs)
    const inputs: Record<string, Tensor> = { x }
    const w = perPosition(c.inputs.weight, x.shape.slice(1)), b = perPosition(c.inputs.bias, x.shape.slice(1))
    if (w) inputs.weight = w
    if (b) inputs.bias = b
    const ln = runOp(LayerNorm.op, { axis: 1, eps: c.attrs.eps }, inputs)
    if (E.isLeft(gn) || E.isLeft(ln)) return failed(E.isLeft(gn) ? gn.left : (ln as E.Left<string>).left)
    const groups = Array.from({ length: x.shape[0] }, (_, n) => Array.from({ length: ch * s }, (_, j) => n * ch * s + j))
    const chan = (i: number) => Math.floor(i / s) % ch
    const tol = sameGroupsTolerance(x, groups, c.attrs.eps as number, (i) => c.inputs.weight?.data[chan(i)] ?? 1, (i) => c.inputs.bias?.data[chan(i)] ?? 0)
    return closeTensors('y', gn.right.outputs.y, ln.right.outputs.y, tol)
  })

property(test, 'group_norm: C groups is instance norm', groupNormCase().filter((c) => sizeOf(c.inputs.x.shape.slice(2)) > 1), (c) => {
  const x = c.inputs.x, [, ch] = x.shape, s = sizeOf(x.shape.slice(2))
  const gn = runOp(op, { ...c.attrs, num_groups: ch }, c.inputs)
  const inn = runOp(InstanceNorm.op, { eps: c.attrs.eps }, c.inputs)
  if (E.isLeft(gn) || E.isLeft(inn)) return failed(E.isLeft(gn) ? gn.left : (inn as E.Left<string>).left)
  const planes = Array.from({ length: x.shape[0] * ch }, (_, p) => Array.from({ length: s }, (_, j) => p * s + j))
  const chan = (i: number) => Math.floor(i / s) % ch
  const tol = sameGroupsTolerance(x, planes, c.attrs.eps as number, (i) => c.inputs.weight?.data[chan(i)] ?? 1, (i) => c.inputs.bias?.data[chan(i)] ?? 0)
  return closeTensors('y', gn.right.outputs.y, inn.right.outputs.y, tol)
})

test('group_norm: num_groups is required and must divide C', () => {
  const x = fromArray([2, 4], [1, 2, 3, 4, 5, 6, 7, 9])
  assert.is(errorOf(op, {}, { x })?.arg, 'attrs.num_groups')
  assert.is(errorOf(op, { num_groups: 3 }, { x })?.arg, 'attrs.num_groups')
  assert.is(errorOf(op, { num_groups: 0 }, { x })?.arg, 'attrs.num_groups')
  assert.is(errorOf(op, { num_groups: 2 }, { x, weight: fromArray([2], [1, 1]) })?.arg, 'inputs.weight')
  assert.is(errorOf(op, { num_groups: 2 }, { x: fromArray([4], [1, 2, 3, 4]) })?.arg, 'inputs.x')
})

test("group_norm: PyTorch's check N * C/G * prod(spatial) > 1; other one-value groups give y = beta", () => {
  assert.is(errorOf(op, { num_groups: 3 }, { x: fromArray([1, 3], [1, 2, 3]) })?.arg, 'inputs.x')
  assert.is(errorOf(op, { num_groups: 3 }, { x: fromArray([1, 3, 1], [1, 2, 3]) })?.arg, 'inputs.x')
  const r = runOp(op, { num_groups: 3 }, { x: fromArray([2, 3], [1, 2, 3, 4, 5, 6]), bias: fromArray([3], [0.5, -1, 2]) })
  assert.ok(E.isRight(r))
  if (E.isRight(r)) assert.equal(Array.from(r.right.outputs.y.data), [0.5, -1, 2, 0.5, -1, 2])
})

test.run()
