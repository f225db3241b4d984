/**
 * Fully connected layer, PyTorch `F.linear` (weight stored [out, in]):
 *   (1) y = x W^T + b              x [..., in], W [out, in], b [out]
 * Backward, g = dL/dy [..., out]; with X = x flattened to [M, in], G likewise to [M, out]:
 *   (2) dx = g W                    [..., in]
 *   (3) dW = G^T X                  [out, in], a sum over every leading position
 *   (4) db = sum over rows of G     [out]
 */
import * as E from 'fp-ts/lib/Either.js'
import { noAttrs } from '../core/attrs.ts'
import { type OpError, fail, showShape } from '../core/errors.ts'
import { defineOp } from '../core/op.ts'
import { type Tensor, make, matmul, mT, reshape, sizeOf, sumAxes } from '../core/tensor.ts'

export interface Cache { readonly x: Tensor; readonly weight: Tensor; readonly hasBias: boolean }

/** [..., k] as [M, k] with M the product of the leading dimensions (M or k may be 0). */
const rows = (t: Tensor): Tensor => reshape(t, [sizeOf(t.shape.slice(0, -1)), t.shape[t.shape.length - 1]])

/** The edge: x [..., in], weight [out, in], bias [out]; gives out (the fast path shares it). */
export const validate = (x: Tensor, w: Tensor, bias: Tensor | undefined): E.Either<OpError, number> => {
  if (x.shape.length < 1) return fail('linear', 'inputs.x', 'rank >= 1, [..., in]', showShape(x.shape))
  const inF = x.shape[x.shape.length - 1]
  if (w.shape.length !== 2 || w.shape[1] !== inF) {
    return fail('linear', 'inputs.weight', `[out, ${inF}] (x's last dimension is in)`, showShape(w.shape), 'PyTorch stores linear weights as [out_features, in_features]')
  }
  const outF = w.shape[0]
  if (bias !== undefined && (bias.shape.length !== 1 || bias.shape[0] !== outF)) {
    return fail('linear', 'inputs.bias', `[${outF}]`, showShape(bias.shape))
  }
  return E.right(outF)
}

export const op = defineOp<Record<string, never>, Cache>({
  name: 'linear',
  inputs: [{ name: 'x' }, { name: 'weight' }, { name: 'bias', optional: true }],
  outputs: ['y'],
  attrs: noAttrs,
  // #region forward
  forward: (_attrs, { x, weight, bias }) => {
    const w = weight!
    const checked = validate(x!, w, bias)
    if (E.isLeft(checked)) return checked
    const outF = checked.right
    const y = matmul(rows(x!), mT(w)) // (1)
    if (bias !== undefined) {
      for (let i = 0; i < y.data.length; i++) y.data[i] += bias.data[i % outF] // (1), y is ours
    }
    return E.right({ outputs: { y: make([...x!.shape.slice(0, -1), outF], y.data) }, cache: { x: x!, weight: w, hasBias: bias !== undefined } })
  },
  // #endregion forward
  // #region backward
  backward: (_attrs, { x, weight, hasBias }, { y: g }) => {
    const G = rows(g)
    const dx = make(x.shape, matmul(G, weight).data) // (2)
    const dW = matmul(mT(G), rows(x)) // (3)
    const grads: Record<string, Tensor> = { x: dx, weight: dW }
    if (hasBias) grads.bias = sumAxes(G, [0]) // (4)
    return grads
  },
  // #endregion backward
})
