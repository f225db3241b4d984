/**
 * Maxout (Goodfellow, Warde-Farley, Mirza, Courville & Bengio 2013): the max
 * over each run of k consecutive channels, x [N, C k, ...] -> y [N, C, ...]:
 *   (1) y[n, c, s] = max_{r < k} x[n, c k + r, s]
 *   (2) a[n, c, s] = the first r attaining it (a NaN wins and propagates, as in max pooling)
 * Backward, g = dL/dy; like max pooling, the first maximum takes all of it:
 *   (3) dx[n, c k + a, s] = g[n, c, s], 0 for the other pieces
 */
import * as E from 'fp-ts/lib/Either.js'
import { integer, schema } from '../core/attrs.ts'
import { fail } from '../core/errors.ts'
import { defineOp } from '../core/op.ts'
import { type Shape, make, sizeOf } from '../core/tensor.ts'

export interface Attrs { readonly pieces: number }
export interface Cache { readonly arg: Int32Array; readonly xShape: Shape }

const OP = 'maxout'

export const op = defineOp<Attrs, Cache>({
  name: OP,
  inputs: [{ name: 'x' }],
  outputs: ['y'],
  attrs: schema<Attrs>({ pieces: integer(undefined, 1) }),
  forward: ({ pieces: k }, { x }) => {
    const s = x!.shape
    if (s.length < 2) return fail(OP, 'inputs.x', 'a batch [N, C k, ...]', `shape [${s}]`)
    if (s[1] % k !== 0) return fail(OP, 'inputs.x', `a channel count divisible by pieces = ${k}`, `${s[1]} channels`)
    const n = s[0], c = s[1] / k, S = sizeOf(s.slice(2))
    const y = new Float64Array(n * c * S), arg = new Int32Array(y.length)
    // #region maxout
    for (let b = 0; b < n; b++) {
      for (let ch = 0; ch < c; ch++) {
        for (let p = 0; p < S; p++) {
          let best = -Infinity, at = -1
          for (let r = 0; r < k; r++) {
            const v = x!.data[((b * c + ch) * k + r) * S + p]
            if (at < 0 || v > best || Number.isNaN(v)) { best = v; at = r } // (1), (2): strictly greater, first max wins
            if (Number.isNaN(v)) break
          }
          const o = (b * c + ch) * S + p
          y[o] = best; arg[o] = at
        }
      }
    }
    // #endregion maxout
    return E.right({ outputs: { y: make([n, c, ...s.slice(2)], y) }, cache: { arg, xShape: s } })
  },
  backward: (a, { arg, xShape }, { y: g }) => {
    const k = a.pieces, c = xShape[1] / k, S = sizeOf(xShape.slice(2))
    const dx = new Float64Array(sizeOf(xShape))
    for (let o = 0; o < arg.length; o++) {
      const p = o % S, bc = (o - p) / S // bc = b c + ch
      dx[(bc * k + arg[o]) * S + p] = g.data[o] // (3)
    }
    return { x: make(xShape, dx) }
  },
})
