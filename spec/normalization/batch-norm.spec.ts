import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { type Tensor, fromArray, make, reshape } from '../../src/core/tensor.ts'
import { keyFromSeed, normal } from '../../src/core/random.ts'
import * as BatchNorm from '../../src/normalization/batch-norm.ts'
import { EPS64 } from '../laws/tolerance.ts'
import { all, failed } from '../laws/result.ts'
import { gradientProperty, property } from '../support/property.ts'
import { batchNormCase } from './cases.ts'
import { statsOf } from './groups.ts'
import { ETA, closeTensors, identical } from './laws.ts'
import { errorOf, runOp } from './run.ts'

const test = suite('batch_norm')
const op = BatchNorm.op

gradientProperty(test, op, batchNormCase({ training: true, spread: true }), undefined, 'batch_norm: gradient law (training, batch statistics)')
gradientProperty(test, op, batchNormCase({ training: false }), undefined, 'batch_norm: gradient law (evaluation, running statistics)')

const seedArb = fc.integer({ min: 0, max: 2 ** 31 - 1 })
const maxAbs = (t: Tensor | undefined, dflt: number): number => (t === undefined ? dflt : t.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0))

/*
 * The running update against statistics we compute ourselves: (1 - m) old + m mu
 * and (1 - m) old + m var * n/(n - 1). Our mean and the op's may differ by
 * 2 (n + 1) u M (two sums of n terms, M = max|x| in the channel) and the
 * variances by (2n + 8) u relative; the update adds 3 roundings of its terms:
 * tol = (n + 4) EPS64 (|old| + M + |stat|) with EPS64 = 2u, plus (n + 4) ETA for
 * values in the subnormal range (./laws.ts).
 */
property(test, 'batch_norm: training updates running_mean with (1 - momentum) old + momentum mean, running_var with the UNBIASED batch variance',
  batchNormCase({ training: true }), (c) => {
    const r = runOp(op, c.attrs, c.inputs)
    if (E.isLeft(r)) return failed(r.left)
    const m = c.attrs.momentum as number
    const out = r.right.outputs
    const checks = c.groups.map((g, ch) => {
      const s = statsOf(c.inputs.x.data, g), n = g.length
      const unbiased = (s.variance * n) / (n - 1)
      const vs = []
      if (c.inputs.running_mean) {
        const old = c.inputs.running_mean.data[ch], want = (1 - m) * old + m * s.mean
        if (!(Math.abs(out.running_mean.data[ch] - want) <= (n + 4) * EPS64 * (Math.abs(old) + s.maxAbs) + (n + 4) * ETA)) vs.push(`running_mean[${ch}] ${out.running_mean.data[ch]}, expected ${want}`)
      }
      if (c.inputs.running_var) {
        const old = c.inputs.running_var.data[ch], want = (1 - m) * old + m * unbiased
        if (!(Math.abs(out.running_var.data[ch] - want) <= (n + 4) * EPS64 * (Math.abs(old) + s.maxAbs + unbiased) + (n + 4) * ETA)) vs.push(`running_var[${ch}] ${out.running_var.data[ch]}, expected ${want}`)
      }
      return vs
    }).flat()
    const absent = (['running_mean', 'running_var'] as const).filter((k) => (c.inputs[k] === undefined) !== (out[k] === undefined))
    return checks.length + absent.length === 0 ? { ok: true } : failed([...checks, ...absent.map((k) => `${k}: output present iff input present`)].join('; '))
  })

/*
 * Evaluation with running statistics equal to the batch's (mean, BIASED
 * variance) is training. The running update hands us the unbiased variance
 * (momentum 1 makes running_var exactly var n/(n-1)), so the law multiplies it
 * back by (n - 1)/n: this is what makes it a check of the n/(n-1) convention.
 * momentum 1 also makes running_mean = 0 * old + mu = mu exactly. Tolerance:
 * the round trip n/(n-1), (n-1)/n costs 4 roundings of var, 2 ulps of r; with
 * the final gamma xhat + beta, |y_eval - y_train| <= 8 EPS64 (|gamma xhat| + |beta|),
 * plus 8 ETA (1 + r)(1 + |gamma|) for subnormal values.
 */
property(test, 'batch_norm: evaluation with running stats = the batch mean and biased variance (unbiased * (n-1)/n) equals training',
  batchNormCase({ training: true }), (c) => {
    const C = c.groups.length
    const inputs = { ...c.inputs, running_mean: make([C], new Float64Array(C)), running_var: make([C], new Float64Array(C).fill(1)) }
    const train = runOp(op, { ...c.attrs, momentum: 1 }, inputs)
    if (E.isLeft(train)) return failed(train.left)
    const rv = train.right.outputs.running_var.data.map((v, ch) => (v * (c.groups[ch].length - 1)) / c.groups[ch].length)
    const evalR = runOp(op, { ...c.attrs, training: false }, { ...inputs, running_mean: train.right.outputs.running_mean, running_var: make([C], rv) })
    if (E.isLeft(evalR)) return failed(evalR.left)
    const eps = c.attrs.eps as number
    const channel = (i: number) => c.groups.findIndex((g) => g.includes(i))
    const tol = (i: number) => {
      const ch = channel(i), s = statsOf(c.inputs.x.data, c.groups[ch])
      const xhat = Math.abs(c.inputs.x.data[i] - s.mean) / Math.sqrt(s.variance + eps)
      const gamma = maxAbs(c.inputs.weight, 1), r = 1 / Math.sqrt(s.variance + eps)
      return 8 * EPS64 * (gamma * xhat + maxAbs(c.inputs.bias, 0)) + 8 * ETA * (1 + r) * (1 + gamma)
    }
    return closeTensors('y', evalR.right.outputs.y, train.right.outputs.y, tol)
  })

/*
 * weight = sqrt(var + eps) and bias = mean undo the standardization: y = x.
 * In training (mean, biased var) are the batch's, computed here; the op's
 * agree within 2 (n + 1) u M and (2n + 8) u relative, and the map
 * (x - mu) r gamma + beta adds a handful of roundings:
 * |y - x| <= (n + 12) EPS64 (|x - mu| + 2 M) + (n + 12) ETA. In evaluation they are the
 * running statistics given, and (n = 1) the same bound holds with n = 1.
 * Moving eps out of the root (sqrt(var) + eps) breaks this by ~eps/2 relative.
 */
property(test, 'batch_norm: weight = sqrt(var + eps), bias = mean recovers the identity (training: batch stats; evaluation: running stats)',
  fc.tuple(batchNormCase({ eps: [1e-5, 0.1, 1] }), seedArb), ([c]) => {
    const x = c.inputs.x, eps = c.attrs.eps as number
    const stats = c.groups.map((g) => statsOf(x.data, g))
    const training = c.attrs.training as boolean
    const mean = training ? stats.map((s) => s.mean) : Array.from(c.inputs.running_mean.data)
    const variance = training ? stats.map((s) => s.variance) : Array.from(c.inputs.running_var.data)
    const C = c.groups.length
    const r = runOp(op, c.attrs, { ...c.inputs, weight: fromArray([C], variance.map((v) => Math.sqrt(v + eps))), bias: fromArray([C], mean) })
    if (E.isLeft(r)) return failed(r.left)
    const channel = (i: number) => c.groups.findIndex((g) => g.includes(i))
    const tol = (i: number) => {
      const ch = channel(i), n = training ? c.groups[ch].length : 1
      const M = Math.max(stats[ch].maxAbs, Math.abs(mean[ch]))
      return (n + 12) * EPS64 * (Math.abs(x.data[i] - mean[ch]) + 2 * M) + (n + 12) * ETA
    }
    return closeTensors('y', r.right.outputs.y, x, tol)
  })

property(test, 'batch_norm: training on [N, D] equals training on [N, D, 1, 1] (outputs, running statistics, gradients)',
  fc.tuple(batchNormCase({ training: true }).filter((c) => c.inputs.x.shape.length === 2), seedArb), ([c, seed]) => {
    const x = c.inputs.x
    const cot = normal(keyFromSeed(seed), x.shape)
    const flat = runOp(op, c.attrs, c.inputs, { y: cot })
    const x4 = reshape(x, [...x.shape, 1, 1])
    const four = runOp(op, c.attrs, { ...c.inputs, x: x4 }, { y: reshape(cot, x4.shape) })
    if (E.isLeft(flat) || E.isLeft(four)) return failed(E.isLeft(flat) ? flat.left : (four as E.Left<string>).left)
    const same = (k: string, a: Tensor | undefined, b: Tensor | undefined) => identical(k, a, b && reshape(b, a?.shape ?? b.shape))
    return all(
      same('y', flat.right.outputs.y, four.right.outputs.y),
      ...(['running_mean', 'running_var'] as const).filter((k) => c.inputs[k]).map((k) => identical(k, flat.right.outputs[k], four.right.outputs[k])),
      ...Object.keys(flat.right.gradients).map((k) => same(`d${k}`, flat.right.gradients[k], four.right.gradients[k])),
    )
  })

test('batch_norm: training with one value per channel is an error, as in PyTorch', () => {
  for (const shape of [[1, 3], [1, 3, 1, 1]]) {
    const e = errorOf(op, { training: true }, { x: fromArray(shape, [1, 2, 3]) })
    assert.ok(e !== undefined, `[${shape}] accepted`)
    assert.is(e!.arg, 'inputs.x')
    assert.match(e!.text, 'more than one value per channel')
  }
  // the same input in evaluation is fine
  assert.is(errorOf(op, {}, { x: fromArray([1, 3], [1, 2, 3]), running_mean: fromArray([3], [0, 0, 0]), running_var: fromArray([3], [1, 1, 1]) }), undefined)
})

test('batch_norm: evaluation needs both running statistics', () => {
  const x = fromArray([2, 2], [1, 2, 3, 4]), s = fromArray([2], [0, 1])
  assert.is(errorOf(op, { training: false }, { x })?.arg, 'inputs.running_mean')
  assert.is(errorOf(op, { training: false }, { x, running_mean: s })?.arg, 'inputs.running_var')
  assert.is(errorOf(op, { training: false }, { x, running_var: s })?.arg, 'inputs.running_mean')
})

test('batch_norm: shapes and attributes are validated', () => {
  const x = fromArray([2, 2], [1, 2, 3, 4])
  assert.is(errorOf(op, { training: true }, { x: fromArray([4], [1, 2, 3, 4]) })?.arg, 'inputs.x')
  assert.is(errorOf(op, { training: true }, { x, weight: fromArray([3], [1, 1, 1]) })?.arg, 'inputs.weight')
  assert.is(errorOf(op, { training: true }, { x, bias: fromArray([1, 2], [1, 1]) })?.arg, 'inputs.bias')
  assert.is(errorOf(op, { training: true }, { x, running_var: fromArray([1], [1]) })?.arg, 'inputs.running_var')
  assert.is(errorOf(op, { training: true, eps: -1 }, { x })?.arg, 'attrs.eps')
  assert.is(errorOf(op, { training: 'yes' }, { x })?.arg, 'attrs.training') // 0/1 are accepted as flags (ONNX)
  assert.is(errorOf(op, { training: true, axis: 1 }, { x })?.arg, 'attrs.axis')
})

test('batch_norm: evaluation returns the running statistics unchanged; a cotangent on them is ignored', () => {
  const x = fromArray([2, 2], [1, 2, 3, 5]), rm = fromArray([2], [0.5, -1]), rv = fromArray([2], [2, 0.25])
  const r = runOp(op, {}, { x, running_mean: rm, running_var: rv }, { y: fromArray([2, 2], [1, 0, 0, 1]), running_var: fromArray([2], [7, 7]) })
  assert.ok(E.isRight(r))
  if (E.isRight(r)) {
    assert.equal(Array.from(r.right.outputs.running_mean.data), [0.5, -1])
    assert.equal(Array.from(r.right.outputs.running_var.data), [2, 0.25])
    assert.equal(Object.keys(r.right.gradients), ['x'])
    assert.equal(Array.from(r.right.gradients.x.data), [1 / Math.sqrt(2 + 1e-5), 0, 0, 1 / Math.sqrt(0.25 + 1e-5)])
  }
})

test('batch_norm: an empty batch leaves the running statistics unchanged (PyTorch)', () => {
  const r = runOp(op, { training: true }, { x: make([0, 2], new Float64Array(0)), running_mean: fromArray([2], [1, 2]), running_var: fromArray([2], [3, 4]) })
  assert.ok(E.isRight(r))
  if (E.isRight(r)) {
    assert.equal(r.right.outputs.y.shape, [0, 2])
    assert.equal(Array.from(r.right.outputs.running_mean.data), [1, 2])
    assert.equal(Array.from(r.right.outputs.running_var.data), [3, 4])
  }
})

test('batch_norm: NaN in a channel spreads over that channel only, as in PyTorch', () => {
  const r = runOp(op, { training: true }, { x: fromArray([2, 2], [NaN, 1, 2, 3]) })
  assert.ok(E.isRight(r))
  if (E.isRight(r)) {
    const y = Array.from(r.right.outputs.y.data)
    assert.ok(Number.isNaN(y[0]) && Number.isNaN(y[2]) && Number.isFinite(y[1]) && Number.isFinite(y[3]))
  }
})

test.run()
