/**
 * Running an op inside a law: parse the case's raw attributes, forward, and
 * the VJP when cotangents are given, with errors as strings for the verdict.
 */
import * as E from 'fp-ts/lib/Either.js'
import { formatError } from '../../src/core/errors.ts'
import { type Op, type Tensors, type Vjp, vjp } from '../../src/core/op.ts'

export const runOp = (op: Op, attrs: Readonly<Record<string, unknown>>, inputs: Tensors, cotangents: Tensors = {}): E.Either<string, Vjp> => {
  const a = op.parseAttrs(attrs)
  if (E.isLeft(a)) return E.left(formatError(a.left))
  const r = vjp(op, a.right, inputs, cotangents)
  return E.isLeft(r) ? E.left(formatError(r.left)) : E.right(r.right)
}

/** The error of a call expected to fail, or a message saying it did not. */
export const errorOf = (op: Op, attrs: Readonly<Record<string, unknown>>, inputs: Tensors): { arg: string; text: string } | undefined => {
  const a = op.parseAttrs(attrs)
  if (E.isLeft(a)) return { arg: a.left.arg, text: formatError(a.left) }
  const r = op.forward(a.right, inputs)
  return E.isLeft(r) ? { arg: r.left.arg, text: formatError(r.left) } : undefined
}
