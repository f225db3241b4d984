/**
 * Fast matmul and linear: the equations of src/layers/matmul.ts and
 * src/layers/linear.ts, every product through the blocked gemm (./gemm.ts)
 * with transposes read in place through strides, never materialized.
 *   matmul  (1) Y[b] = A[b] B[b]   (2) dA = sumTo(G B^T)   (3) dB = sumTo(A^T G)
 *   linear  (1) y = x W^T + b      (2) dx = g W   (3) dW = G^T X   (4) db = sum over rows of G
 * sumTo of a broadcast batch is the accumulation of each product into the
 * slot its operand came from (gemm adds into C).
 */
import * as E from 'fp-ts/lib/Either.js'
import { noAttrs } from '../core/attrs.ts'
import { defineOp } from '../core/op.ts'
import { type Tensor, broadcastIndex, broadcastShapes, make, sizeOf } from '../core/tensor.ts'
import * as Linear from '../layers/linear.ts'
import * as Matmul from '../layers/matmul.ts'
import { gemm } from './gemm.ts'

interface Batched { readonly n: number; readonly k: number; readonly m: number; readonly batch: number[]; readonly ia: Int32Array; readonly ib: Int32Array }

const batched = (a: Tensor, b: Tensor): Batched => {
  const n = a.shape[a.shape.length - 2], k = a.shape[a.shape.length - 1], m = b.shape[b.shape.length - 1]
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2))!
  return { n, k, m, batch, ia: broadcastIndex(a.shape.slice(0, -2), batch), ib: broadcastIndex(b.shape.slice(0, -2), batch) }
}

export const matmul = defineOp<Record<string, never>, Matmul.Cache>({
  name: 'matmul',
  inputs: Matmul.op.inputs,
  outputs: ['y'],
  attrs: noAttrs,
  forward: (_attrs, inputs) => {
    const a = inputs.a!, b = inputs.b!
    const checked = Matmul.validate(a, b)
    if (E.isLeft(checked)) return checked
    const { n, k, m, batch, ia, ib } = batched(a, b)
    const y = new Float64Array(ia.length * n * m)
    for (let t = 0; t < ia.length; t++) gemm(n, m, k, a.data, ia[t] * n * k, k, 1, b.data, ib[t] * k * m, m, 1, y, t * n * m) // (1)
    return E.right({ outputs: { y: make([...batch, n, m], y) }, cache: { a, b } })
  },
  backward: (_attrs, { a, b }, { y: g }) => {
    const { n, k, m, ia, ib } = batched(a, b)
    const da = new Float64Array(a.data.length), db = new Float64Array(b.data.length)
    for (let t = 0; t < ia.length; t++) {
      gemm(n, k, m, g.data, t * n * m, m, 1, b.data, ib[t] * k * m, 1, m, da, ia[t] * n * k) // (2): B^T(p, j) = B[j, p]
      gemm(k, m, n, a.data, ia[t] * n * k, 1, k, g.data, t * n * m, m, 1, db, ib[t] * k * m) // (3): A^T(i, p) = A[p, i]
    }
    return { a: make(a.shape, da), b: make(b.shape, db) }
  },
})

export const linear = defineOp<Record<string, never>, Linear.Cache>({
  name: 'linear',
  inputs: Linear.op.inputs,
  outputs: ['y'],
  attrs: noAttrs,
  forward: (_attrs, { x, weight, bias }) => {
    const w = weight!
    const checked = Linear.validate(x!, w, bias)
    if (E.isLeft(checked)) return checked
    const outF = checked.right, inF = w.shape[1]
    const rows = sizeOf(x!.shape.slice(0, -1))
    const y = new Float64Array(rows * outF)
    if (bias !== undefined) for (let r = 0; r < rows; r++) y.set(bias.data, r * outF) // (1): b first, then += x W^T
    gemm(rows, outF, inF, x!.data, 0, inF, 1, w.data, 0, 1, inF, y, 0) // (1): W^T(p, j) = W[j, p]
    return E.right({ outputs: { y: make([...x!.shape.slice(0, -1), outF], y) }, cache: { x: x!, weight: w, hasBias: bias !== undefined } })
  },
  backward: (_attrs, { x, weight, hasBias }, { y: g }) => {
    const outF = weight.shape[0], inF = weight.shape[1]
    const rows = sizeOf(x.shape.slice(0, -1))
    const dx = new Float64Array(x.data.length)
    gemm(rows, inF, outF, g.data, 0, outF, 1, weight.data, 0, inF, 1, dx, 0) // (2)
    const dW = new Float64Array(weight.data.length)
    gemm(outF, inF, rows, g.data, 0, 1, outF, x.data, 0, inF, 1, dW, 0) // (3): G^T(i, p) = G[p, i]
    const grads: Record<string, Tensor> = { x: make(x.shape, dx), weight: make(weight.shape, dW) }
    if (hasBias) {
      const db = new Float64Array(outF)
      for (let r = 0; r < rows; r++) for (let j = 0, o = r * outF; j < outF; j++) db[j] += g.data[o + j] // (4)
      grads.bias = make([outF], db)
    }
    return grads
  },
})
