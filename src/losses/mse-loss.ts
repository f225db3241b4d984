/**
 * Mean squared error, PyTorch `F.mse_loss`. Input x and target t broadcast
 * against each other (NumPy rules, as PyTorch does after its size warning) to
 * the shape B of the elementwise loss:
 *   (1) l_i = (x_i - t_i)^2                         over B
 * Reduction: ./reduction.ts, a mean over the n = |B| broadcast elements.
 * Backward, d = dL/dl over B; sumTo is the adjoint of broadcasting (it sums a
 * gradient back over the axes an operand was broadcast along):
 *   (2) dx = sumTo(2 d (x - t), shape of x)
 *   (3) dt = -sumTo(2 d (x - t), shape of t)
 */
import * as E from 'fp-ts/lib/Either.js'
import { schema } from '../core/attrs.ts'
import { fail, showShape } from '../core/errors.ts'
import { defineOp } from '../core/op.ts'
import { type Shape, type Tensor, broadcastShapes, broadcastZip, make, scale, sumTo } from '../core/tensor.ts'
import { type Reduction, reduce, reduction, spread } from './reduction.ts'

export interface Attrs { readonly reduction: Reduction }

export interface Cache {
  /** x - t over the broadcast shape */
  readonly diff: Tensor
  readonly xShape: Shape
  readonly tShape: Shape
}

export const op = defineOp<Attrs, Cache>({
  name: 'mse_loss',
  inputs: [{ name: 'input' }, { name: 'target' }],
  outputs: ['loss'],
  attrs: schema<Attrs>({ reduction }),
  forward: (attrs, { input, target }) => {
    const x = input!, t = target!
    if (broadcastShapes(x.shape, t.shape) === undefined) {
      return fail('mse_loss', 'inputs.target', `a shape that broadcasts with the input's ${showShape(x.shape)} (NumPy rules)`, showShape(t.shape))
    }
    const diff = broadcastZip(x, t, (a, b) => a - b)
    // plain loops here and below: TypedArray.from(array, fn) boxes every element (issue 13)
    const l = new Float64Array(diff.data.length)
    for (let i = 0; i < l.length; i++) l[i] = diff.data[i] * diff.data[i] // (1)
    return E.right({ outputs: { loss: reduce(l, diff.shape, attrs.reduction, l.length) }, cache: { diff, xShape: x.shape, tShape: t.shape } })
  },
  backward: (attrs, { diff, xShape, tShape }, { loss: g }) => {
    const d = spread(g, diff.data.length, attrs.reduction, diff.data.length)
    const dl = make(diff.shape, new Float64Array(diff.data.length))
    for (let i = 0; i < dl.data.length; i++) dl.data[i] = 2 * d[i] * diff.data[i] // (2), (3)
    return { input: sumTo(dl, xShape), target: scale(sumTo(dl, tShape), -1) } // (2), (3)
  },
})
