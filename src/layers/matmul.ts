/**
 * Batched matrix product, NumPy/PyTorch `matmul` for operands of rank >= 2:
 *   (1) Y[b] = A[b] B[b]            A [..., n, k], B [..., k, m], batch dims broadcast
 * Backward, G = dL/dY (Y is bilinear in A and B):
 *   (2) dA = sumTo(G B^T, A.shape)  the batch broadcast's adjoint is a sum
 *   (3) dB = sumTo(A^T G, B.shape)
 */
import * as E from 'fp-ts/lib/Either.js'
import { noAttrs } from '../core/attrs.ts'
import { type OpError, fail, showShape } from '../core/errors.ts'
import { defineOp } from '../core/op.ts'
import { type Tensor, broadcastShapes, matmul as mm, mT, sumTo } from '../core/tensor.ts'

export interface Cache { readonly a: Tensor; readonly b: Tensor }

/** The edge: a [..., n, k] and b [..., k, m] with batch dimensions that broadcast (the fast path shares it). */
export const validate = (a: Tensor, b: Tensor): E.Either<OpError, void> => {
  if (a.shape.length < 2) return fail('matmul', 'inputs.a', 'rank >= 2, [..., n, k]', showShape(a.shape))
  if (b.shape.length < 2) return fail('matmul', 'inputs.b', 'rank >= 2, [..., k, m]', showShape(b.shape))
  const k = a.shape[a.shape.length - 1]
  if (b.shape[b.shape.length - 2] !== k) {
    return fail('matmul', 'inputs.b', `[..., ${k}, m] to match a's last dimension`, showShape(b.shape), 'a [..., n, k] times b [..., k, m]')
  }
  if (broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2)) === undefined) {
    return fail('matmul', 'inputs.b', `batch dimensions that broadcast with a's ${showShape(a.shape.slice(0, -2))}`, showShape(b.shape.slice(0, -2)))
  }
  return E.right(undefined)
}

export const op = defineOp<Record<string, never>, Cache>({
  name: 'matmul',
  inputs: [{ name: 'a' }, { name: 'b' }],
  outputs: ['y'],
  attrs: noAttrs,
  forward: (_attrs, inputs) => {
    const a = inputs.a!, b = inputs.b!
    const checked = validate(a, b)
    if (E.isLeft(checked)) return checked
    return E.right({ outputs: { y: mm(a, b) }, cache: { a, b } }) // (1)
  },
  backward: (_attrs, { a, b }, { y: g }) => ({
    a: sumTo(mm(g, mT(b)), a.shape), // (2)
    b: sumTo(mm(mT(a), g), b.shape), // (3)
  }),
})
