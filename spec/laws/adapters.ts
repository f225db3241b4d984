/**
 * Bind an oracle op (src/core/op.ts) to the law interfaces: a `Differentiable`
 * for the gradient law, and cotangents drawn from a key.
 */
import * as E from 'fp-ts/lib/Either.js'
import { formatError } from '../../src/core/errors.ts'
import { type Op, type Tensors, gradInputs, vjp } from '../../src/core/op.ts'
import { type Key, normal, split } from '../../src/core/random.ts'
import type { Differentiable } from './gradient.ts'

const unwrap = <A>(r: E.Either<{ _tag: string } & Parameters<typeof formatError>[0], A>): A => {
  if (E.isLeft(r)) throw new Error(formatError(r.left))
  return r.right
}

/** The op at fixed attributes (raw case attributes, defaults filled in). */
export const differentiable = (op: Op, rawAttrs: Readonly<Record<string, unknown>>): Differentiable => {
  const attrs = unwrap(op.parseAttrs(rawAttrs))
  return {
    forward: (inputs) => unwrap(op.forward(attrs, inputs)).outputs,
    vjp: (inputs, cot) => unwrap(vjp(op, attrs, inputs, cot)).gradients,
  }
}

/** Standard normal cotangents for every differentiable float output of the op at these inputs. */
export const randomCotangents = (op: Op, rawAttrs: Readonly<Record<string, unknown>>, inputs: Tensors, key: Key): Tensors => {
  const outs = differentiable(op, rawAttrs).forward(inputs)
  const names = op.outputs.filter((o) => o.grad !== false && outs[o.name] !== undefined && outs[o.name].dtype !== 'int64').map((o) => o.name)
  const keys = split(key, Math.max(1, names.length))
  return Object.fromEntries(names.map((n, i) => [n, normal(keys[i], outs[n].shape)]))
}

/** The inputs an op differentiates at these inputs. */
export const wrtOf = (op: Op, inputs: Tensors): string[] => gradInputs(op, inputs)
