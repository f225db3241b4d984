/**
 * The problems of the L-BFGS fixture (spec/crosscheck/export_lbfgs.py), with
 * losses and gradients from the catalogue ops' own forward passes and VJPs
 * (linear, tanh, mse_loss), chained by hand in reverse order.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { OpError } from '../../src/core/errors.ts'
import { vjp } from '../../src/core/op.ts'
import { type Tensor, fromArray, reshape, scalar } from '../../src/core/tensor.ts'
import * as Linear from '../../src/layers/linear.ts'
import * as Tanh from '../../src/activations/tanh.ts'
import * as MseLoss from '../../src/losses/mse-loss.ts'
import type { Params } from '../../src/optimizers/optimizer.ts'

export type Closure = (p: Params) => E.Either<OpError, { loss: number; grads: Params }>

type Step = E.Either<OpError, { outputs: Record<string, Tensor>; gradients: Record<string, Tensor> }>
const get = (r: Step) => { if (E.isLeft(r)) throw new Error(JSON.stringify(r.left)); return r.right }

/** 0.5 ||A x - b||^2 / N: linear(A as a 1-row batch... ) written directly: residual r = A x - b, grad = A^T r / N. */
export const leastSquares = (A: number[], b: number[], n: number): Closure => (p) => {
  const x = p.x.data, N = b.length
  const r = b.map((bi, i) => { let s = 0; for (let j = 0; j < n; j++) s += A[i * n + j] * x[j]; return s - bi })
  const g = new Float64Array(n)
  for (let i = 0; i < N; i++) for (let j = 0; j < n; j++) g[j] += A[i * n + j] * r[i]
  return E.right({ loss: 0.5 * r.reduce((s, v) => s + v * v, 0) / N, grads: { x: fromArray([n], g.map((v) => v / N)) } })
}

/** mean((tanh(X W1^T + b1) w2^T + b2 - y)^2) through the ops' VJPs. */
export const mlp = (X: number[], Y: number[]): Closure => (p) => {
  const N = Y.length
  const x = fromArray([N, 3], X), y = fromArray([N, 1], Y)
  const l1 = get(vjp(Linear.op, {}, { x, weight: p.W1, bias: p.b1 }, {}))
  const h = get(vjp(Tanh.op, {}, { x: l1.outputs.y }, {}))
  const l2 = get(vjp(Linear.op, {}, { x: h.outputs.y, weight: p.w2, bias: p.b2 }, {}))
  const attrs = MseLoss.op.parseAttrs({ reduction: 'mean' })
  if (E.isLeft(attrs)) return attrs
  const L = get(vjp(MseLoss.op, attrs.right, { input: l2.outputs.y, target: y }, { loss: scalar(1) }))
  const g2 = get(vjp(Linear.op, {}, { x: h.outputs.y, weight: p.w2, bias: p.b2 }, { y: L.gradients.input }))
  const gh = get(vjp(Tanh.op, {}, { x: l1.outputs.y }, { y: g2.gradients.x }))
  const g1 = get(vjp(Linear.op, {}, { x, weight: p.W1, bias: p.b1 }, { y: gh.gradients.x }))
  return E.right({
    loss: L.outputs.loss.data[0],
    grads: { W1: g1.gradients.weight, b1: g1.gradients.bias, w2: g2.gradients.weight, b2: reshape(g2.gradients.bias, [1]) },
  })
}
