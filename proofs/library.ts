/**
 * The bottom line of a derivation: the library's own op, looked up by its
 * catalogue name in src/registry.ts and run through `vjp` (src/core/op.ts),
 * exactly as a user calls it. An op error becomes a thrown Error, which
 * ./derivation.ts's checker reports as a failed line.
 * Where the catalogue pairs an op with a fast path (src/fast/dispatch.ts), the
 * derivation checks the readable reference, the code the chapters quote and
 * whose equation numbers the proofs cite; spec/fast/ checks the fast path
 * against that reference.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { RawAttrs } from '../src/core/attrs.ts'
import { formatError } from '../src/core/errors.ts'
import { type Inputs, type Op, type Tensors, vjp } from '../src/core/op.ts'
import { lookup } from '../src/registry.ts'

export const opNamed = (name: string): Op => {
  const op = lookup(name)
  if (op === undefined) throw new Error(`no op '${name}' in src/registry.ts`)
  const reference = (op as { readonly reference?: Op }).reference
  return reference ?? op
}

const attrsOf = (op: Op, raw: RawAttrs): unknown => {
  const a = op.parseAttrs(raw)
  if (E.isLeft(a)) throw new Error(formatError(a.left))
  return a.right
}

/** The op's outputs. */
export const forward = (name: string, raw: RawAttrs, inputs: Inputs): Tensors => {
  const op = opNamed(name)
  const r = op.forward(attrsOf(op, raw), inputs)
  if (E.isLeft(r)) throw new Error(formatError(r.left))
  return r.right.outputs
}

/** The op's gradients for the given cotangents: its hand-derived backward, through `vjp`. */
export const gradients = (name: string, raw: RawAttrs, inputs: Inputs, cotangents: Tensors): Tensors => {
  const op = opNamed(name)
  const r = vjp(op, attrsOf(op, raw), inputs, cotangents)
  if (E.isLeft(r)) throw new Error(formatError(r.left))
  return r.right.gradients
}
