/**
 * Running an op's fast path and its reference on the same case, and the
 * inputs the fast specs draw: shapes and attributes from fast-check, values
 * from a drawn Threefry key (src/core/random.ts), so that cases of thousands
 * of elements cost no more to draw than a seed, and a failure replays from
 * fast-check's seed and path as everywhere else.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type Op, type Tensors, type Inputs, vjp } from '../../src/core/op.ts'
import { formatError } from '../../src/core/errors.ts'
import { keyFromSeed, normal, split, uniform } from '../../src/core/random.ts'
import { type Shape, type Tensor, make, map } from '../../src/core/tensor.ts'
import type { Dual } from '../../src/fast/dispatch.ts'
import { lookup } from '../../src/registry.ts'
import { type Verdict, failed, ok } from '../laws/result.ts'

/** The catalogue's entry for `name`, which must have a fast path. */
export const dualOf = (name: string): Dual<unknown, unknown, unknown> => {
  const op = lookup(name) as Partial<Dual<unknown, unknown, unknown>> | undefined
  if (op?.fastPath === undefined || op.reference === undefined) throw new Error(`spec: ${name} has no fast path in the registry`)
  return op as Dual<unknown, unknown, unknown>
}

export interface Run { readonly outputs: Tensors; readonly gradients: Tensors }

/** Forward and (with cotangents) backward through one path; Left as an error text. */
export const runOp = (op: Op, raw: Record<string, unknown>, inputs: Inputs, cot?: Tensors): E.Either<string, Run> => {
  const a = op.parseAttrs(raw)
  if (E.isLeft(a)) return E.left(formatError(a.left))
  if (cot === undefined) {
    const f = op.forward(a.right, inputs)
    return E.isLeft(f) ? E.left(formatError(f.left)) : E.right({ outputs: f.right.outputs, gradients: {} })
  }
  const r = vjp(op, a.right, inputs, cot)
  return E.isLeft(r) ? E.left(formatError(r.left)) : E.right(r.right)
}

/** Both paths on one case: equal errors, or both results for `law`. */
export const both = (d: Dual<unknown, unknown, unknown>, raw: Record<string, unknown>, inputs: Inputs, cot: Tensors | undefined, law: (fast: Run, ref: Run) => Verdict): Verdict => {
  const before = Object.entries(inputs).map(([k, t]) => [k, t === undefined ? undefined : Float64Array.from(t.data)] as const)
  const f = runOp(d.fastPath, raw, inputs, cot)
  const r = runOp(d.reference, raw, inputs, cot)
  for (const [k, copy] of before) {
    const t = inputs[k]
    if (t !== undefined && copy !== undefined && !copy.every((v, i) => Object.is(v, t.data[i]))) return failed(`the fast path wrote to its input ${k}`)
  }
  if (E.isLeft(f) || E.isLeft(r)) {
    if (E.isLeft(f) && E.isLeft(r) && f.left === r.left) return ok
    return failed(`fast: ${E.isLeft(f) ? f.left : 'ok'}; reference: ${E.isLeft(r) ? r.left : 'ok'}`)
  }
  return law(f.right, r.right)
}

/** A draw of values: normal(0, scale) tensors from consecutive keys of one seed. */
export const drawer = (seed: number) => {
  let key = keyFromSeed(seed)
  const next = () => { const [a, b] = split(key); key = b; return a }
  return {
    normal: (shape: Shape, scale = 1): Tensor => map(normal(next(), shape), (v) => v * scale),
    uniform: (shape: Shape, lo: number, hi: number): Tensor => uniform(next(), shape, lo, hi),
    /** integers in [0, n) as float64 values (ties on purpose) */
    ints: (shape: Shape, n: number): Tensor => map(uniform(next(), shape, 0, n), (v) => Math.min(n - 1, Math.floor(v))),
    labels: (shape: Shape, n: number): Tensor => {
      const u = uniform(next(), shape, 0, n)
      return make(shape, u.data.map((v) => Math.min(n - 1, Math.floor(v))), 'int64')
    },
  }
}

export const abs = (t: Tensor): Tensor => map(t, Math.abs)
export const absAll = (r: Readonly<Record<string, Tensor | undefined>>): Record<string, Tensor> =>
  Object.fromEntries(Object.entries(r).filter(([, t]) => t !== undefined && t.dtype !== 'int64').map(([k, t]) => [k, abs(t!)]))

export const SEED = { min: 0, max: 2 ** 31 - 1 }
