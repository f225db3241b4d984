/**
 * Binary cross entropy on logits, PyTorch `F.binary_cross_entropy_with_logits`.
 * Input x and target y of one shape; weight w and pos_weight q broadcast to
 * x's shape (NumPy rules; 1 when absent). Per element:
 *   (1) sp = softplus(-x) = max(-x, 0) + log1p(exp(-|x|))   = -log sigmoid(x), never overflows
 *   (2) l = w ((1 - y) x + (1 + (q - 1) y) sp)
 *       the algebraic form of -w (q y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))),
 *       PyTorch's, finite for logits of any size
 * Reduction: ./reduction.ts, a mean over every element. Backward, d = dL/dl,
 * s = sigmoid(x) evaluated without overflow:
 *   (3) dx = d w ((1 + (q - 1) y) s - q y)
 *   (4) dy = d w ((q - 1) sp - x)
 * The weight and pos_weight get no gradient (case format).
 */
import * as E from 'fp-ts/lib/Either.js'
import { schema } from '../core/attrs.ts'
import { type OpError, fail, showShape } from '../core/errors.ts'
import { defineOp } from '../core/op.ts'
import { type Shape, type Tensor, broadcastShapes, broadcastTo, make, sameShape } from '../core/tensor.ts'
import { type Reduction, reduce, reduction, spread } from './reduction.ts'

export interface Attrs { readonly reduction: Reduction }

export interface Cache {
  readonly x: Tensor
  readonly y: Tensor
  /** broadcast to x's shape, or undefined when absent */
  readonly w: Tensor | undefined
  readonly q: Tensor | undefined
}

const softplusNeg = (x: number): number => Math.max(-x, 0) + Math.log1p(Math.exp(-Math.abs(x))) // (1)
const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)))

/** A broadcast operand (weight, pos_weight) must broadcast to x's shape without growing it. */
const checkBroadcast = (name: string, t: Tensor | undefined, shape: Shape): E.Either<OpError, Tensor | undefined> => {
  if (t === undefined) return E.right(undefined)
  const b = broadcastShapes(t.shape, shape)
  return b !== undefined && sameShape(b, shape)
    ? E.right(broadcastTo(t, shape))
    : fail('binary_cross_entropy_with_logits', `inputs.${name}`, `a shape that broadcasts to the input's ${showShape(shape)} (NumPy rules)`, showShape(t.shape))
}

export const op = defineOp<Attrs, Cache>({
  name: 'binary_cross_entropy_with_logits',
  inputs: [
    { name: 'input' },
    { name: 'target' },
    { name: 'weight', optional: true, grad: false },
    { name: 'pos_weight', optional: true, grad: false },
  ],
  outputs: ['loss'],
  attrs: schema<Attrs>({ reduction }),
  forward: (attrs, { input, target, weight, pos_weight }) => {
    const x = input!, y = target!
    if (!sameShape(x.shape, y.shape)) {
      return fail('binary_cross_entropy_with_logits', 'inputs.target', `${showShape(x.shape)}, the input's shape`, showShape(y.shape))
    }
    const ew = checkBroadcast('weight', weight, x.shape)
    if (E.isLeft(ew)) return ew
    const eq = checkBroadcast('pos_weight', pos_weight, x.shape)
    if (E.isLeft(eq)) return eq
    const w = ew.right, q = eq.right
    const l = new Float64Array(x.data.length)
    for (let i = 0; i < l.length; i++) {
      const xi = x.data[i], yi = y.data[i]
      const qi = q === undefined ? 1 : q.data[i]
      const li = (1 - yi) * xi + (1 + (qi - 1) * yi) * softplusNeg(xi) // (2)
      l[i] = w === undefined ? li : w.data[i] * li // (2)
    }
    return E.right({ outputs: { loss: reduce(l, x.shape, attrs.reduction, l.length) }, cache: { x, y, w, q } })
  },
  backward: (attrs, { x, y, w, q }, { loss: g }) => {
    const n = x.data.length
    const d = spread(g, n, attrs.reduction, n)
    const dx = new Float64Array(n), dy = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      const xi = x.data[i], yi = y.data[i]
      const qi = q === undefined ? 1 : q.data[i]
      const dw = w === undefined ? d[i] : d[i] * w.data[i]
      dx[i] = dw * ((1 + (qi - 1) * yi) * sigmoid(xi) - qi * yi) // (3)
      dy[i] = dw * ((qi - 1) * softplusNeg(xi) - xi) // (4)
    }
    return { input: make(x.shape, dx), target: make(y.shape, dy) }
  },
})
