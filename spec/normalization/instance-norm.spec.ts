import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { type Tensor, fromArray, make, reshape } from '../../src/core/tensor.ts'
import * as BatchNorm from '../../src/normalization/batch-norm.ts'
import * as InstanceNorm from '../../src/normalization/instance-norm.ts'
import { EPS64 } from '../laws/tolerance.ts'
import { failed } from '../laws/result.ts'
import { gradientProperty, property } from '../support/property.ts'
import { instanceNormCase } from './cases.ts'
import { statsOf } from './groups.ts'
import { ETA, closeTensors } from './laws.ts'
import { errorOf, runOp } from './run.ts'

const test = suite('instance_norm')
const op = InstanceNorm.op

gradientProperty(test, op, instanceNormCase({ spread: true }))

/** [C] parameters repeated for each of N samples: [N C]. */
const tiled = (t: Tensor | undefined, n: number): Tensor | undefined =>
  t === undefined ? undefined : make([n * t.data.length], Float64Array.from({ length: n * t.data.length }, (_, i) => t.data[i % t.data.length]))

/*
 * Instance norm is batch norm in training on x viewed as [1, N C, ...]: the
 * planes become channels (PyTorch's own implementation). Same groups, same
 * values: the two may differ only by summation order, within
 * (n + 4) EPS64 (|gamma| (r M + |xhat|) + |beta|) per element (the means by
 * 2 (n + 1) u M, shifting xhat by r times that; the variances by (2n + 8) u
 * relative, scaling xhat by half that; the affine map's 2 roundings), plus
 * (n + 4) ETA (1 + r)(1 + |gamma|) for subnormal values (./laws.ts).
 */
property(test, 'instance_norm: equals batch norm in training on [1, N C, ...] with the parameters repeated per sample', instanceNormCase(), (c) => {
  const x = c.inputs.x, [n, ch] = x.shape
  const a = runOp(op, c.attrs, c.inputs)
  const inputs: Record<string, Tensor> = { x: reshape(x, [1, n * ch, ...x.shape.slice(2)]) }
  const w = tiled(c.inputs.weight, n), b = tiled(c.inputs.bias, n)
  if (w) inputs.weight = w
  if (b) inputs.bias = b
  const bn = runOp(BatchNorm.op, { training: true, eps: c.attrs.eps }, inputs)
  if (E.isLeft(a) || E.isLeft(bn)) return failed(E.isLeft(a) ? a.left : (bn as E.Left<string>).left)
  const eps = c.attrs.eps as number
  const tol = (i: number) => {
    const g = c.groups.find((gr) => gr.includes(i))!, s = statsOf(x.data, g), r = 1 / Math.sqrt(s.variance + eps)
    const chan = Math.floor(i / g.length) % ch
    const gamma = Math.abs(c.inputs.weight?.data[chan] ?? 1), beta = Math.abs(c.inputs.bias?.data[chan] ?? 0)
    return (g.length + 4) * EPS64 * (gamma * (r * s.maxAbs + r * Math.abs(x.data[i] - s.mean)) + beta) + (g.length + 4) * ETA * (1 + r) * (1 + gamma)
  }
  return closeTensors('y', reshape(bn.right.outputs.y, x.shape), a.right.outputs.y, tol)
})

test('instance_norm: x needs a spatial dimension with more than one element (PyTorch refuses one)', () => {
  assert.is(errorOf(op, {}, { x: fromArray([2, 3], [1, 2, 3, 4, 5, 6]) })?.arg, 'inputs.x')
  const e = errorOf(op, {}, { x: fromArray([2, 3, 1], [1, 2, 3, 4, 5, 6]) })
  assert.is(e?.arg, 'inputs.x')
  assert.match(e!.text, 'more than one spatial element')
  assert.is(errorOf(op, {}, { x: fromArray([1, 1, 2], [1, 2]) }), undefined)
})

test('instance_norm: weight and bias are per channel; no other attributes', () => {
  const x = fromArray([1, 2, 2], [1, 2, 3, 5])
  assert.is(errorOf(op, {}, { x, weight: fromArray([1], [1]) })?.arg, 'inputs.weight')
  assert.is(errorOf(op, {}, { x, bias: fromArray([2, 1], [1, 1]) })?.arg, 'inputs.bias')
  assert.is(errorOf(op, { momentum: 0.1 }, { x })?.arg, 'attrs.momentum')
})

test.run()
