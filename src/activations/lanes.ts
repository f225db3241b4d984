/**
 * Lanes along one axis, the layout softmax and log-softmax normalize over: a
 * tensor of shape [...outer, n, ...inner] is outer * inner lanes of n elements,
 * element k of lane (o, i) sitting at (o n + k) inner + i (row-major, no copy).
 *
 * `dim` follows PyTorch: -rank <= dim < rank, negative counted from the end; a
 * rank-0 tensor takes dim -1 or 0 and is one lane of one element.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail } from '../core/errors.ts'
import { type Shape, sizeOf } from '../core/tensor.ts'

export interface Lanes { readonly outer: number; readonly n: number; readonly inner: number }

export const lanesOf = (op: string, shape: Shape, dim: number): E.Either<OpError, Lanes> => {
  const rank = shape.length
  const r = Math.max(rank, 1)
  if (dim < -r || dim >= r) {
    return fail(op, 'attrs.dim', `an integer in [${-r}, ${r - 1}] for an input of rank ${rank}`, String(dim), 'dim counts from 0, or from the end when negative')
  }
  if (rank === 0) return E.right({ outer: 1, n: 1, inner: 1 })
  const d = dim < 0 ? dim + rank : dim
  return E.right({ outer: sizeOf(shape.slice(0, d)), n: shape[d], inner: sizeOf(shape.slice(d + 1)) })
}

/** Flat position of element k of lane (o, i). */
export const at = (l: Lanes, o: number, k: number, i: number): number => (o * l.n + k) * l.inner + i
