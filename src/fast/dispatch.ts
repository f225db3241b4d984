/**
 * One catalogue entry, two implementations: the readable reference op (the
 * definition the docs show and the laws test) and a fast op with the same
 * name, inputs, outputs and attributes. The pair is itself an op: `forward`
 * runs the fast one unless the reference is forced (./mode.ts) and tags its
 * cache with which one ran, so `backward` always meets its own forward's cache.
 *
 * Both sides are pure: inputs are never written, outputs are fresh arrays.
 * spec/fast/ checks every fast op against its reference on random shapes.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Inputs, Op, Tensors } from '../core/op.ts'
import { useReference } from './mode.ts'

export type Tagged<R, C> = { readonly fast: false; readonly cache: R } | { readonly fast: true; readonly cache: C }

export interface Dual<A, R, C> extends Op<A, Tagged<R, C>> {
  /** the readable reference, always available */
  readonly reference: Op<A, R>
  /** the fast path alone */
  readonly fastPath: Op<A, C>
}

export const dual = <A, R, C>(reference: Op<A, R>, fast: Op<A, C>): Dual<A, R, C> => {
  if (fast.name !== reference.name) throw new Error(`internal: fast op ${fast.name} paired with ${reference.name}`)
  return {
    name: reference.name,
    inputs: reference.inputs,
    outputs: reference.outputs,
    parseAttrs: reference.parseAttrs,
    forward: (attrs, inputs) => {
      if (useReference()) {
        const r = reference.forward(attrs, inputs)
        return E.isLeft(r) ? r : E.right({ outputs: r.right.outputs, cache: { fast: false, cache: r.right.cache } })
      }
      const f = fast.forward(attrs, inputs)
      return E.isLeft(f) ? f : E.right({ outputs: f.right.outputs, cache: { fast: true, cache: f.right.cache } })
    },
    backward: (attrs, tagged, cotangents) =>
      tagged.fast ? fast.backward(attrs, tagged.cache, cotangents) : reference.backward(attrs, tagged.cache, cotangents),
    // the fast op's one-pass product, unless the reference is forced (the reference has none)
    ...(fast.fused === undefined ? {} : { fused: (attrs: A, inputs: Inputs, cotangents: Tensors) => (useReference() ? undefined : fast.fused!(attrs, inputs, cotangents)) }),
    reference,
    fastPath: fast,
  }
}

/** The readable reference behind an op (the op itself when it has no fast path). */
export const referenceOf = (op: Op): Op => (op as Partial<Dual<unknown, unknown, unknown>>).reference ?? op
