/**
 * `torch.flatten(x, start_dim, end_dim)` (case format v2, "Glue ops"):
 *   (1) y = x with dimensions start_dim..end_dim merged into one (row-major, so
 *       the data is unchanged; only the shape is)
 * Backward:
 *   (2) dx = g with x's shape
 * Dimensions may be negative (counted from the end); start_dim after end_dim is
 * an error, as in PyTorch. A scalar flattens to [1] (PyTorch's rule: it is
 * treated as rank 1, so only dims 0 and -1 name it).
 */
import * as E from 'fp-ts/lib/Either.js'
import { integer, schema } from '../../core/attrs.ts'
import { fail, showShape } from '../../core/errors.ts'
import { defineOp } from '../../core/op.ts'
import { type Shape, make, reshape } from '../../core/tensor.ts'

export interface Attrs { readonly start_dim: number; readonly end_dim: number }
export interface Cache { readonly shape: Shape }

/** The flattened shape, or the name of the bad attribute and why. */
export const flatShape = (shape: Shape, start: number, end: number): { shape: number[] } | { arg: string; expected: string } => {
  const rank = Math.max(shape.length, 1)
  const dims = shape.length === 0 ? [1] : shape
  const s = start < 0 ? start + rank : start
  const e = end < 0 ? end + rank : end
  if (s < 0 || s >= rank) return { arg: 'attrs.start_dim', expected: `a dimension in [${-rank}, ${rank - 1}] for rank ${shape.length}` }
  if (e < 0 || e >= rank) return { arg: 'attrs.end_dim', expected: `a dimension in [${-rank}, ${rank - 1}] for rank ${shape.length}` }
  if (s > e) return { arg: 'attrs.start_dim', expected: 'start_dim <= end_dim (after counting negative dims from the end)' }
  const merged = dims.slice(s, e + 1).reduce((a, b) => a * b, 1)
  return { shape: [...dims.slice(0, s), merged, ...dims.slice(e + 1)] }
}

export const op = defineOp<Attrs, Cache>({
  name: 'flatten',
  inputs: [{ name: 'x', kind: 'any' }],
  outputs: ['y'],
  attrs: schema<Attrs>({ start_dim: integer(1), end_dim: integer(-1) }),
  forward: ({ start_dim, end_dim }, { x }) => {
    const r = flatShape(x!.shape, start_dim, end_dim)
    if ('arg' in r) return fail('flatten', r.arg, r.expected, `start_dim ${start_dim}, end_dim ${end_dim} on shape ${showShape(x!.shape)}`)
    return E.right({ outputs: { y: reshape(x!, r.shape) }, cache: { shape: x!.shape } }) // (1)
  },
  backward: (_attrs, { shape }, { y: g }) => ({ x: make(shape, g.data, g.dtype) }), // (2)
})
