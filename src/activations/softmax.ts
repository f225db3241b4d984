/**
 * Softmax along `dim`, PyTorch `F.softmax(x, dim = -1)`, per lane x of n elements:
 *   (1) m = max_k x_k                         shifts nothing mathematically, keeps exp <= 1
 *   (2) e_k = exp(x_k - m),  s = sum_k e_k    s >= 1 (the maximum contributes 1): no overflow, no 0/0
 *   (3) y_k = e_k / s
 * Backward, g = dL/dy, since dy_k/dx_j = y_k (delta_kj - y_j):
 *   (4) dx = y * (g - sum_k g_k y_k)
 * A NaN anywhere in a lane makes the whole lane NaN (through s), as in PyTorch;
 * so does +inf (inf - inf), and a lane of all -inf.
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { integer, schema } from '../core/attrs.ts'
import { defineOp } from '../core/op.ts'
import { type Tensor, make } from '../core/tensor.ts'
import { type Lanes, at, lanesOf } from './lanes.ts'

export interface Attrs { readonly dim: number }
export interface Cache { readonly y: Tensor; readonly lanes: Lanes }

/** max over a lane, skipping NaN (it reaches the result through the sum instead). */
export const laneMax = (x: Float64Array, l: Lanes, o: number, i: number): number => {
  let m = -Infinity
  for (let k = 0; k < l.n; k++) if (x[at(l, o, k, i)] > m) m = x[at(l, o, k, i)]
  return m
}

export const op = defineOp<Attrs, Cache>({
  name: 'softmax',
  inputs: [{ name: 'x' }],
  outputs: ['y'],
  attrs: schema<Attrs>({ dim: integer(-1) }),
  forward: ({ dim }, { x }) => pipe(
    lanesOf('softmax', x!.shape, dim),
    E.map((l) => {
      const y = new Float64Array(x!.data.length)
      for (let o = 0; o < l.outer; o++) {
        for (let i = 0; i < l.inner; i++) {
          const m = laneMax(x!.data, l, o, i) // (1)
          let s = 0
          for (let k = 0; k < l.n; k++) {
            const e = Math.exp(x!.data[at(l, o, k, i)] - m) // (2)
            y[at(l, o, k, i)] = e
            s += e // (2)
          }
          for (let k = 0; k < l.n; k++) y[at(l, o, k, i)] /= s // (3)
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
        let gy = 0
        for (let k = 0; k < l.n; k++) gy += g.data[at(l, o, k, i)] * y.data[at(l, o, k, i)] // (4)
        for (let k = 0; k < l.n; k++) {
          const p = at(l, o, k, i)
          dx[p] = y.data[p] * (g.data[p] - gy) // (4)
        }
      }
    }
    return { x: make(y.shape, dx) }
  },
})
