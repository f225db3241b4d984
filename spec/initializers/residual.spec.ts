/**
 * The residual-block scheme: y = x + F(x), F(x) = relu(x W1^T) W2^T, with W1
 * Kaiming (fan_in, relu gain) and W2 = 0. At init F = 0 exactly, so
 * y = x and Var(F(x) + x) = Var(x) with equality (no tolerance: 0 * finite = 0
 * and x + 0 = x in IEEE arithmetic), however many blocks are stacked; the
 * branch's last layer still receives a gradient, its first layers do not yet.
 * Forward and backward through src/layers/linear.ts's op.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { keyFromSeed, normal as draw, split } from '../../src/core/random.ts'
import { type Tensor, add, make } from '../../src/core/tensor.ts'
import { residualBlock } from '../../src/initializers/residual.ts'
import * as Linear from '../../src/layers/linear.ts'
import { assertLaw } from '../laws/result.ts'
import { seedOf } from '../support/property.ts'
import { budget, chiSquare, gaussianMeanRadius, ledger, meanOf, within } from './bounds.ts'

const test = suite('initializers: residual blocks')
const L = ledger()
const D = 64, HID = 128, B = 50

const get = <A>(r: E.Either<unknown, A>): A => {
  if (E.isLeft(r)) throw new Error(JSON.stringify(r.left))
  return r.right
}

const block = (x: Tensor, w: readonly Tensor[]) => {
  const f1 = get(Linear.op.forward({}, { x, weight: w[0] }))
  const a = make(f1.outputs.y.shape, f1.outputs.y.data.map((v) => (v > 0 ? v : 0)))
  const f2 = get(Linear.op.forward({}, { x: a, weight: w[1] }))
  return { y: add(x, f2.outputs.y), a, f1, f2 }
}

test('F(x) + x = x exactly at init, through a stack of 8 blocks, so Var(F(x) + x) = Var(x)', () => {
  const x = draw(keyFromSeed(seedOf('residual x')), [B, D])
  const keys = split(keyFromSeed(seedOf('residual blocks')), 8)
  let h = x
  for (const k of keys) h = block(h, get(residualBlock(k, [[HID, D], [D, HID]]))).y
  assert.ok(h.data.every((v, i) => Object.is(v, x.data[i])))
})

test('the first layer is Kaiming normal (std sqrt(2 / fan_in)), the last exactly zero', () => {
  // a [512, 256] first layer: 131 072 draws; mean by (B2), chi^2 by (B1), as in moments.spec.ts
  const [w1, w2] = get(residualBlock(keyFromSeed(seedOf('residual moments')), [[512, 256], [256, 512]]))
  assert.ok(w2.data.every((v) => v === 0))
  const s = Math.sqrt(2 / 256)
  const n = w1.data.length
  const [lo, hi] = chiSquare(n)
  let ss = 0
  for (const v of w1.data) ss += v * v
  assertLaw(within(L, 'mean', meanOf(w1.data), -gaussianMeanRadius(n, s), gaussianMeanRadius(n, s)))
  assertLaw(within(L, 'sum w^2 / s^2', ss / (s * s), lo, hi))
})

test('at init the branch still learns: dW2 = G^T relu(x W1^T) is nonzero, dW1 = 0 (its gradient passes through W2 = 0)', () => {
  const x = draw(keyFromSeed(seedOf('residual grad x')), [B, D])
  const w = get(residualBlock(keyFromSeed(seedOf('residual grad')), [[HID, D], [D, HID]]))
  const { f1, f2, a } = block(x, w)
  const g = draw(keyFromSeed(seedOf('residual grad g')), [B, D]) // dL/dy, which is also dL/dF
  const g2 = Linear.op.backward({}, f2.cache, { y: g })
  assert.ok(g2.weight.data.some((v) => v !== 0))
  assert.ok(a.data.some((v) => v !== 0), 'the Kaiming layer is alive')
  const da = make(a.shape, g2.x.data.map((v, i) => (f1.outputs.y.data[i] > 0 ? v : 0)))
  const g1 = Linear.op.backward({}, f1.cache, { y: da })
  assert.ok(g1.weight.data.every((v) => v === 0))
})

test('conv-shaped branches and options pass through; no layers is an error value', () => {
  const w = get(residualBlock(keyFromSeed(1), [[16, 8, 3, 3], [8, 16, 3, 3]], { nonlinearity: 'leaky_relu', a: 0.1 }))
  assert.equal(w.map((t) => t.shape), [[16, 8, 3, 3], [8, 16, 3, 3]])
  assert.ok(E.isLeft(residualBlock(keyFromSeed(1), [])))
  const bad = residualBlock(keyFromSeed(1), [[4], [4, 4]])
  assert.ok(E.isLeft(bad))
  if (E.isLeft(bad)) assert.is(bad.left.arg, 'shapes[0]')
})

test('false-failure budget of this file', () => { assertLaw(budget(L)) })

test.run()
