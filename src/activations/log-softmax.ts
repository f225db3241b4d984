/**
 * Log-softmax along `dim`, PyTorch `F.log_softmax(x, dim = -1)`, per lane x of n elements:
 *   (1) m = max_k x_k
 *   (2) s = sum_k exp(x_k - m)                in [1, n]: log s is finite and needs no guard
 *   (3) y_k = (x_k - m) - log s               never log of an underflowed softmax: finite for
 *                                             logits of +-1e4, where softmax itself is 0 or 1;
 *                                             x_k - m first, exact for x_k near m (Sterbenz), so a
 *                                             large common offset costs no digits
 * Backward, g = dL/dy, since dy_k/dx_j = delta_kj - softmax_j:
 *   (4) dx = g - exp(y) * sum_k g_k
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { integer, schema } from '../core/attrs.ts'
import { defineOp } from '../core/op.ts'
import { type Tensor, make } from '../core/tensor.ts'
import { type Lanes, at, lanesOf } from './lanes.ts'
import { laneMax } from './softmax.ts'

export interface Attrs { readonly dim: number }
export interface Cache { readonly y: Tensor; readonly lanes: Lanes }

export const op = defineOp<Attrs, Cache>({
  name: 'log_softmax',
  inputs: [{ name: 'x' }],
  outputs: ['y'],
  attrs: schema<Attrs>({ dim: integer(-1) }),
  forward: ({ dim }, { x }) => pipe(
    lanesOf('log_softmax', x!.shape, dim),
    E.map((l) => {
      const y = new Float64Array(x!.data.length)
      for (let o = 0; o < l.outer; o++) {
        for (let i = 0; i < l.inner; i++) {
          const m = laneMax(x!.data, l, o, i) // (1)
          let s = 0
          for (let k = 0; k < l.n; k++) s += Math.exp(x!.data[at(l, o, k, i)] - m) // (2)
          const ls = Math.log(s)
          for (let k = 0; k < l.n; k++) y[at(l, o, k, i)] = (x!.data[at(l, o, k, i)] - m) - ls // (3)
        }
      }
      const out = make(x!.shape, y)
      return { outputs: { y: out }, cache: { y: out, lanes: l } }
    }),
  ),
  backward: (_a, { y, lanes: l }, { y: g }) => {
    const dx = new Float64Array(y.data.length)
    for (let o = 0; o < l.outer; o++) {
      for (let i = 0; i < l.inner; i++) {
        let sg = 0
        for (let k = 0; k < l.n; k++) sg += g.data[at(l, o, k, i)] // (4)
        for (let k = 0; k < l.n; k++) {
          const p = at(l, o, k, i)
          dx[p] = g.data[p] - Math.exp(y.data[p]) * sg // (4)
        }
      }
    }
    return { x: make(y.shape, dx) }
  },
})
