/**
 * `torch.reshape(x, shape)` (case format v2, "Glue ops"):
 *   (1) y = x with the new shape; row-major order is kept, so the data is unchanged
 * Backward:
 *   (2) dx = g with x's shape
 * One entry of `shape` may be -1: it is inferred so that the sizes match
 * (an error when they cannot, or when -1 would be ambiguous because another
 * entry is 0, as PyTorch says).
 */
import * as E from 'fp-ts/lib/Either.js'
import { intList, schema } from '../../core/attrs.ts'
import { fail, showShape } from '../../core/errors.ts'
import { defineOp } from '../../core/op.ts'
import { type Shape, make, reshape, sizeOf } from '../../core/tensor.ts'

export interface Attrs { readonly shape: number[] }
export interface Cache { readonly shape: Shape }

/** The target shape with -1 resolved, or undefined when it cannot hold `n` elements. */
export const resolve = (target: readonly number[], n: number): number[] | undefined => {
  const free = target.filter((d) => d === -1).length
  if (free > 1) return undefined
  const known = target.filter((d) => d !== -1).reduce((a, b) => a * b, 1)
  if (free === 0) return known === n ? [...target] : undefined
  if (known === 0 || n % known !== 0) return undefined
  return target.map((d) => (d === -1 ? n / known : d))
}

export const op = defineOp<Attrs, Cache>({
  name: 'reshape',
  inputs: [{ name: 'x', kind: 'any' }],
  outputs: ['y'],
  attrs: schema<Attrs>({ shape: intList(-1) }),
  forward: ({ shape }, { x }) => {
    const n = sizeOf(x!.shape)
    const s = resolve(shape, n)
    if (s === undefined) {
      return fail('reshape', 'attrs.shape', `a shape of ${n} elements (the input's ${showShape(x!.shape)}), with at most one -1`, showShape(shape), 'a -1 entry is inferred; it cannot be when another entry is 0')
    }
    return E.right({ outputs: { y: reshape(x!, s) }, cache: { shape: x!.shape } }) // (1)
  },
  backward: (_attrs, { shape }, { y: g }) => ({ x: make(shape, g.data, g.dtype) }), // (2)
})
