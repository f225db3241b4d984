/**
 * Elementwise sum under NumPy broadcasting (case format v2, "Glue ops"):
 *   (1) y = a + b                     shapes broadcast to y's
 * Backward, g = dL/dy:
 *   (2) da = sumTo(g, a.shape)        the adjoint of broadcasting sums over the
 *   (3) db = sumTo(g, b.shape)        dimensions that were stretched or prepended
 * A residual connection is `add(x, F(x))`: x is used twice and its gradient
 * accumulates in the graph interpreter, not here.
 */
import * as E from 'fp-ts/lib/Either.js'
import { noAttrs } from '../../core/attrs.ts'
import { fail, showShape } from '../../core/errors.ts'
import { defineOp } from '../../core/op.ts'
import { type Shape, broadcastShapes, broadcastZip, sumTo } from '../../core/tensor.ts'

export interface Cache { readonly aShape: Shape; readonly bShape: Shape }

export const op = defineOp<Record<string, never>, Cache>({
  name: 'add',
  inputs: [{ name: 'a' }, { name: 'b' }],
  outputs: ['y'],
  attrs: noAttrs,
  forward: (_attrs, { a, b }) => {
    if (broadcastShapes(a!.shape, b!.shape) === undefined) {
      return fail('add', 'inputs.b', `a shape that broadcasts with a's ${showShape(a!.shape)}`, showShape(b!.shape), 'NumPy broadcasting: trailing dimensions equal or 1')
    }
    return E.right({ outputs: { y: broadcastZip(a!, b!, (x, y) => x + y) }, cache: { aShape: a!.shape, bShape: b!.shape } }) // (1)
  },
  backward: (_attrs, { aShape, bShape }, { y: g }) => ({
    a: sumTo(g, aShape), // (2)
    b: sumTo(g, bShape), // (3)
  }),
})
