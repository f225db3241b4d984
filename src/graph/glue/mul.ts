/**
 * Elementwise product under NumPy broadcasting (case format v2, "Glue ops"):
 *   (1) y = a * b                     shapes broadcast to y's
 * Backward, g = dL/dy:
 *   (2) da = sumTo(g * b, a.shape)    product rule, then the adjoint of broadcasting
 *   (3) db = sumTo(g * a, b.shape)
 */
import * as E from 'fp-ts/lib/Either.js'
import { noAttrs } from '../../core/attrs.ts'
import { fail, showShape } from '../../core/errors.ts'
import { defineOp } from '../../core/op.ts'
import { type Tensor, broadcastShapes, broadcastZip, sumTo } from '../../core/tensor.ts'

export interface Cache { readonly a: Tensor; readonly b: Tensor }

export const op = defineOp<Record<string, never>, Cache>({
  name: 'mul',
  inputs: [{ name: 'a' }, { name: 'b' }],
  outputs: ['y'],
  attrs: noAttrs,
  forward: (_attrs, { a, b }) => {
    if (broadcastShapes(a!.shape, b!.shape) === undefined) {
      return fail('mul', 'inputs.b', `a shape that broadcasts with a's ${showShape(a!.shape)}`, showShape(b!.shape), 'NumPy broadcasting: trailing dimensions equal or 1')
    }
    return E.right({ outputs: { y: broadcastZip(a!, b!, (x, y) => x * y) }, cache: { a: a!, b: b! } }) // (1)
  },
  backward: (_attrs, { a, b }, { y: g }) => ({
    a: sumTo(broadcastZip(g, b, (x, y) => x * y), a.shape), // (2)
    b: sumTo(broadcastZip(g, a, (x, y) => x * y), b.shape), // (3)
  }),
})
