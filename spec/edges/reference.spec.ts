/**
 * The float64 reference at the edges the default arbitraries never draw
 * (spec/laws/edges.ts):
 *  - zero-size dimensions: every elementwise activation, softmax and
 *    log-softmax keep an empty input's shape, forward and backward; add and
 *    mul broadcast [0] against [1] (NumPy: the result is empty, and the
 *    gradient of the [1] side is a sum over nothing, 0).
 *  - infinite parameters with weight decay 0: no optimizer step turns them
 *    into NaN (0 * inf), since a zero decay is skipped, as PyTorch's
 *    `if weight_decay != 0` does; the moments stay finite (the reference's
 *    step and, for adam_step, its fast path too).
 *  - exact kinks and thresholds, and one ulp to either side: relu and
 *    leaky_relu at 0, elu at 0, softplus at beta x = threshold (the log1p
 *    form applies at equality, the identity one ulp above).
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type Op, vjp } from '../../src/core/op.ts'
import { type Tensor, fromArray, full } from '../../src/core/tensor.ts'
import { referenceOf } from '../../src/fast/dispatch.ts'
import { lookup } from '../../src/registry.ts'
import { atKink, nextDown, nextUp, zeroSizeShape } from '../laws/edges.ts'
import { failed, ok } from '../laws/result.ts'
import { property } from '../support/property.ts'

const test = suite('edges: the reference on empty tensors, infinite parameters and exact kinks')

const op = (name: string): Op => {
  const o = lookup(name)
  if (o === undefined) throw new Error(`no op ${name}`)
  return o
}

const attrsOf = (o: Op, raw: Record<string, unknown>) => {
  const a = o.parseAttrs(raw)
  if (E.isLeft(a)) throw new Error(JSON.stringify(a.left))
  return a.right
}

const POINTWISE = ['relu', 'leaky_relu', 'elu', 'selu', 'gelu', 'sigmoid', 'tanh', 'softplus', 'softsign', 'silu', 'mish', 'log_sigmoid', 'softmax', 'log_softmax']

property(test, 'every elementwise activation, softmax and log_softmax keep an empty tensor\'s shape, forward and backward',
  fc.tuple(zeroSizeShape(), fc.constantFrom(...POINTWISE)), ([sh, name]) => {
    const o = op(name)
    const x = fromArray(sh, [])
    const r = vjp(o, attrsOf(o, {}), { x }, { y: fromArray(sh, []) })
    if (E.isLeft(r)) return failed(`${name} on [${sh}]: ${JSON.stringify(r.left)}`)
    const { y } = r.right.outputs, dx = r.right.gradients.x
    return JSON.stringify(y.shape) === JSON.stringify(sh) && y.data.length === 0 && dx !== undefined && JSON.stringify(dx.shape) === JSON.stringify(sh)
      ? ok : failed(`${name} on [${sh}]: y [${y.shape}], dx [${dx?.shape}]`)
  }, 60)

for (const name of ['add', 'mul']) {
  test(`${name}: [0] against [1] is [0], and the [1] side's gradient is a sum over nothing, 0`, () => {
    const o = op(name)
    for (const [sa, sb, out] of [[[0], [1], [0]], [[1], [0], [0]], [[2, 0], [1], [2, 0]], [[3, 1], [0], [3, 0]]] as const) {
      const a = full([...sa], 2), b = full([...sb], 3)
      const r = vjp(o, attrsOf(o, {}), { a, b }, { y: fromArray([...out], []) })
      assert.ok(E.isRight(r), `${name} [${sa}] [${sb}]`)
      if (E.isLeft(r)) continue
      assert.equal(r.right.outputs.y.shape, [...out])
      assert.equal(r.right.gradients.a?.shape, [...sa])
      assert.equal(r.right.gradients.b?.shape, [...sb])
      for (const g of [r.right.gradients.a!, r.right.gradients.b!]) assert.ok(g.data.every((v) => v === 0), `${name}: a gradient of an empty sum is not 0`)
    }
    // and [0] against [2] does not broadcast: an error value, not a throw
    assert.ok(E.isLeft(o.forward(attrsOf(o, {}), { a: full([0], 1), b: full([2], 1) })))
  })
}

/** One step through the reference and, where the op has one, through its fast path (the registry's default): each must hold. */
const steps = (name: string, attrs: Record<string, unknown>, inputs: Record<string, Tensor>): Record<string, Tensor>[] => {
  const o = op(name), ref = referenceOf(o)
  return (ref === o ? [o] : [ref, o]).map((p) => {
    const r = p.forward(attrsOf(p, attrs), inputs)
    if (E.isLeft(r)) throw new Error(JSON.stringify(r.left))
    return r.right.outputs
  })
}

const P = () => fromArray([4], [Infinity, -Infinity, 1, -0.5])
const G = () => fromArray([4], [0.5, -0.25, 0.1, 0])

test('sgd_step with weight decay 0 keeps infinite parameters infinite (never 0 * inf = NaN), with and without momentum', () => {
  for (const momentum of [0, 0.9]) {
    for (const nesterov of momentum > 0 ? [false, true] : [false]) {
      for (const out of steps('sgd_step', { lr: 0.1, momentum, nesterov, weight_decay: 0 }, { param: P(), grad: G(), ...(momentum > 0 ? { momentum_buffer: fromArray([4], [0.1, 0.2, 0.3, 0.4]) } : {}) })) {
      assert.equal([out.param.data[0], out.param.data[1]], [Infinity, -Infinity], `momentum ${momentum}, nesterov ${nesterov}`)
      assert.ok(out.param.data.slice(2).every(Number.isFinite))
      if (out.momentum_buffer !== undefined) assert.ok(out.momentum_buffer.data.every(Number.isFinite), 'a NaN or infinite momentum buffer')
      }
    }
  }
})

test('adam_step with weight decay 0 keeps infinite parameters infinite and the moments finite, Adam and AdamW', () => {
  for (const decoupled of [false, true]) {
    const outs = steps('adam_step', { step: 3, weight_decay: 0, decoupled }, {
      param: P(), grad: G(), exp_avg: fromArray([4], [0.1, -0.1, 0, 0]), exp_avg_sq: fromArray([4], [0.01, 0.02, 0, 0]),
    })
    assert.is(outs.length, 2, 'adam_step has a reference and a fast path')
    for (const out of outs) {
      assert.equal([out.param.data[0], out.param.data[1]], [Infinity, -Infinity], `decoupled ${decoupled}`)
      assert.ok(out.param.data.slice(2).every(Number.isFinite))
      assert.ok(out.exp_avg.data.every(Number.isFinite) && out.exp_avg_sq.data.every(Number.isFinite), 'NaN or infinite moments')
    }
  }
})

const at = (name: string, attrs: Record<string, unknown>, x: number): { y: number; d: number } => {
  const o = op(name)
  const r = vjp(o, attrsOf(o, attrs), { x: fromArray([1], [x]) }, { y: fromArray([1], [1]) })
  if (E.isLeft(r)) throw new Error(JSON.stringify(r.left))
  return { y: r.right.outputs.y.data[0], d: r.right.gradients.x.data[0] }
}

property(test, 'relu, leaky_relu and elu at 0 exactly and one ulp either side: the x <= 0 branch up to 0, the other beyond',
  fc.tuple(atKink([0]), fc.constantFrom(0.01, 0.2, -0.5)), ([x, slope]) => {
    const r = at('relu', {}, x), l = at('leaky_relu', { negative_slope: slope }, x), e = at('elu', { alpha: 1.5 }, x)
    const pos = x > 0
    if (r.d !== (pos ? 1 : 0) || r.y !== (pos ? x : 0)) return failed(`relu at ${x}: y ${r.y}, dy ${r.d}`)
    if (l.d !== (pos ? 1 : slope) || l.y !== (pos ? x : slope * x)) return failed(`leaky_relu(${slope}) at ${x}: y ${l.y}, dy ${l.d}`)
    if (e.d !== (pos ? 1 : 1.5 * Math.exp(x))) return failed(`elu(1.5)' at ${x}: ${e.d}`)
    return ok
  }, 60)

property(test, 'softplus exactly at beta x = threshold takes the log1p form; one ulp above, the identity',
  // beta a power of two: beta x is exact, so x = threshold / beta sits on the threshold and its neighbours off it
  fc.tuple(fc.constantFrom(1, 2, 0.5, 4), fc.constantFrom(20, 1, 2, 5, 0.3)), ([beta, threshold]) => {
    const x = threshold / beta
    const at0 = at('softplus', { beta, threshold }, x), above = at('softplus', { beta, threshold }, nextUp(x)), below = at('softplus', { beta, threshold }, nextDown(x))
    const log1pForm = (Math.max(beta * x, 0) + Math.log1p(Math.exp(-Math.abs(beta * x)))) / beta
    if (Math.abs(at0.y - log1pForm) > 4 * Number.EPSILON * log1pForm || at0.y === x) return failed(`softplus at beta x = threshold: ${at0.y}, log1p form ${log1pForm}`)
    if (above.y !== nextUp(x) || above.d !== 1) return failed(`softplus one ulp above the threshold: ${above.y}, ${above.d}`)
    if (below.y === nextDown(x) || below.d === 1) return failed(`softplus one ulp below the threshold took the identity`)
    return ok
  }, 40)

test.run()
