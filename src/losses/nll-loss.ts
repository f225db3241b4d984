/**
 * Negative log-likelihood, PyTorch `F.nll_loss`. Input x [N, C, ...] holds
 * log-probabilities, target y int64 [N, ...]; positions, w_i and D as in
 * ./class-target.ts (w_i = weight[y_i], 0 where y_i = ignore_index):
 *   (1) l_i = -w_i x_{i y_i}
 *   (2) D = sum_i w_i        a mean is the weighted average over non-ignored positions
 * Reduction of l by D: ./reduction.ts. Backward, d_i = dL/dl_i:
 *   (3) dx_ik = -d_i w_i [k = y_i]      (0 at ignored positions, where w_i = 0)
 * The target and the weight get no gradient.
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { integer, schema } from '../core/attrs.ts'
import { defineOp } from '../core/op.ts'
import { type Shape, make } from '../core/tensor.ts'
import { type Layout, checkBatched, checkWeight, classesOf, positionWeights } from './class-target.ts'
import { type Reduction, reduce, reduction, spread } from './reduction.ts'

export interface Attrs {
  readonly ignore_index: number
  readonly reduction: Reduction
}

export interface Cache {
  readonly lay: Layout
  readonly inputShape: Shape
  readonly cls: Int32Array
  readonly w: Float64Array
  readonly divisor: number
}

/** Flat index in the input of position i's class cls. */
const at = (lay: Layout, i: number, cls: number): number => (Math.floor(i / lay.k) * lay.c + cls) * lay.k + (i % lay.k)

export const op = defineOp<Attrs, Cache>({
  name: 'nll_loss',
  inputs: [
    { name: 'input' },
    { name: 'target', kind: 'int' },
    { name: 'weight', optional: true, grad: false },
  ],
  outputs: ['loss'],
  attrs: schema<Attrs>({ ignore_index: integer(-100), reduction }),
  forward: (attrs, { input, target, weight }) =>
    pipe(
      checkBatched('nll_loss', input!),
      E.chain((lay) => pipe(checkWeight('nll_loss', weight, lay.c), E.map(() => lay))),
      E.chain((lay) => pipe(classesOf('nll_loss', lay, target!, attrs.ignore_index), E.map((cls) => ({ lay, cls })))),
      E.map(({ lay, cls }) => {
        const { w, divisor } = positionWeights(cls, weight) // (2)
        const l = new Float64Array(lay.positions)
        // Ignored positions stay 0 rather than -0 * x, which is NaN for x = -Infinity.
        for (let i = 0; i < l.length; i++) if (cls[i] >= 0) l[i] = -w[i] * input!.data[at(lay, i, cls[i])] // (1)
        const loss = reduce(l, lay.positionShape, attrs.reduction, divisor)
        return { outputs: { loss }, cache: { lay, inputShape: input!.shape, cls, w, divisor } }
      }),
    ),
  backward: (attrs, { lay, inputShape, cls, w, divisor }, { loss: g }) => {
    const d = spread(g, lay.positions, attrs.reduction, divisor)
    const dx = new Float64Array(lay.positions * lay.c)
    for (let i = 0; i < lay.positions; i++) if (cls[i] >= 0) dx[at(lay, i, cls[i])] = -d[i] * w[i] // (3)
    return { input: make(inputShape, dx) }
  },
})
