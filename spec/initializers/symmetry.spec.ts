/**
 * Why weights must not start equal. In h = tanh(x W1^T + b1), y = h W2^T + b2
 * with every hidden unit's incoming row of W1 equal (zeros, or any constant)
 * and every outgoing column of W2 equal, hidden units k and k' compute the
 * same function, so by the chain rule
 *   dz1[:, k] = (dy W2)[:, k] * tanh'(z1[:, k])     is the same column for all k,
 *   dW1[k, :] = dz1[:, k]^T x                       the same row for all k,
 *   db1[k] and dW2[:, k] = dy^T h[:, k]             the same for all k,
 * and gradient descent keeps them equal forever: the layer acts as one unit.
 * The floating-point version is exact, not approximate: the same operations on
 * the same operands in the same order give the same bits, so the laws compare
 * with ===. (With zeros, h = tanh(0) = 0 and W2 = 0 make dW1 = dW2 = 0: only the
 * biases learn.) Forward and backward are src/layers/linear.ts's op.
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { keyFromSeed } from '../../src/core/random.ts'
import { type Tensor, make, sub, zip } from '../../src/core/tensor.ts'
import { constant, zeros } from '../../src/initializers/constant.ts'
import { xavier } from '../../src/initializers/xavier.ts'
import * as Linear from '../../src/layers/linear.ts'
import { tensorOf } from '../laws/arbitraries.ts'
import { type Verdict, all, failed, ok } from '../laws/result.ts'
import { property } from '../support/property.ts'

const test = suite('initializers: symmetry of equal weights')

const D = 5, H = 6, O = 3, B = 8

const get = <A>(r: E.Either<unknown, A>): A => {
  if (E.isLeft(r)) throw new Error(JSON.stringify(r.left))
  return r.right
}

interface Net { w1: Tensor; b1: Tensor; w2: Tensor; b2: Tensor }

/** One forward and backward pass of 1/2 ||y - t||^2; gradients by name. */
const gradients = (net: Net, x: Tensor, t: Tensor): Record<keyof Net, Tensor> => {
  const f1 = get(Linear.op.forward({}, { x, weight: net.w1, bias: net.b1 }))
  const h = make([B, H], f1.outputs.y.data.map(Math.tanh))
  const f2 = get(Linear.op.forward({}, { x: h, weight: net.w2, bias: net.b2 }))
  const dy = sub(f2.outputs.y, t)
  const g2 = Linear.op.backward({}, f2.cache, { y: dy })
  const dz1 = zip(g2.x, h, (g, hv) => g * (1 - hv * hv))
  const g1 = Linear.op.backward({}, f1.cache, { y: dz1 })
  return { w1: g1.weight, b1: g1.bias, w2: g2.weight, b2: g2.bias }
}

/** Rows k of dW1, entries k of db1, columns k of dW2 all equal to those of unit 0, bit for bit. */
const unitsAgree = (g: Record<keyof Net, Tensor>): Verdict => {
  for (let k = 1; k < H; k++) {
    for (let i = 0; i < D; i++) if (g.w1.data[k * D + i] !== g.w1.data[i]) return failed(`dW1[${k}, ${i}] = ${g.w1.data[k * D + i]} but dW1[0, ${i}] = ${g.w1.data[i]}`)
    if (g.b1.data[k] !== g.b1.data[0]) return failed(`db1[${k}] != db1[0]`)
    for (let o = 0; o < O; o++) if (g.w2.data[o * H + k] !== g.w2.data[o * H]) return failed(`dW2[${o}, ${k}] != dW2[${o}, 0]`)
  }
  return ok
}

const step = (net: Net, g: Record<keyof Net, Tensor>, lr: number): Net => ({
  w1: zip(net.w1, g.w1, (w, d) => w - lr * d), b1: zip(net.b1, g.b1, (w, d) => w - lr * d),
  w2: zip(net.w2, g.w2, (w, d) => w - lr * d), b2: zip(net.b2, g.b2, (w, d) => w - lr * d),
})

const dataArb = fc.record({ x: tensorOf([B, D]), t: tensorOf([B, O]) })

property(test, 'zero init: every hidden unit gets the same gradient, and after 3 SGD steps still does', dataArb, ({ x, t }) => {
  const k = keyFromSeed(0)
  let net: Net = { w1: get(zeros(k, [H, D])), b1: get(zeros(k, [H])), w2: get(zeros(k, [O, H])), b2: get(zeros(k, [O])) }
  const vs: Verdict[] = []
  for (let s = 0; s < 3; s++) {
    const g = gradients(net, x, t)
    vs.push(unitsAgree(g))
    if (s === 0 && (g.w1.data.some((v) => v !== 0) || g.w2.data.some((v) => v !== 0))) vs.push(failed('with zeros, dW1 and dW2 vanish at the first step'))
    net = step(net, g, 0.1)
  }
  return all(...vs)
}, 100)

property(test, 'constant init: every hidden unit gets the same gradient, and after 3 SGD steps still does',
  fc.tuple(dataArb, fc.double({ min: -1, max: 1, noNaN: true })), ([{ x, t }, c]) => {
    const k = keyFromSeed(0)
    let net: Net = { w1: get(constant(k, [H, D], { value: c })), b1: get(zeros(k, [H])), w2: get(constant(k, [O, H], { value: -c })), b2: get(zeros(k, [O])) }
    const vs: Verdict[] = []
    for (let s = 0; s < 3; s++) {
      const g = gradients(net, x, t)
      vs.push(unitsAgree(g))
      net = step(net, g, 0.1)
    }
    return all(...vs)
  }, 100)

test('a random init breaks the symmetry (the law above is not vacuous)', () => {
  const k = keyFromSeed(7)
  const net: Net = { w1: get(xavier(k, [H, D])), b1: get(zeros(k, [H])), w2: get(xavier(keyFromSeed(8), [O, H])), b2: get(zeros(k, [O])) }
  const x = make([B, D], Float64Array.from({ length: B * D }, (_, i) => Math.sin(i + 1)))
  const t = make([B, O], Float64Array.from({ length: B * O }, (_, i) => Math.cos(i)))
  assert.not.ok(unitsAgree(gradients(net, x, t)).ok)
})

test.run()
