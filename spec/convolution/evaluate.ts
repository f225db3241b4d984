/**
 * Small helpers for laws that compare one op against another: run an op from
 * raw case attributes, and turn any throw into a failed verdict so that laws
 * stay pure predicates.
 */
import * as E from 'fp-ts/lib/Either.js'
import { formatError } from '../../src/core/errors.ts'
import { type Op, type Tensors, vjp } from '../../src/core/op.ts'
import { keyFromSeed, normal } from '../../src/core/random.ts'
import { type Shape, type Tensor, make, map, sizeOf, stridesOf } from '../../src/core/tensor.ts'
import { type Verdict, failed } from '../laws/result.ts'

type Raw = Readonly<Record<string, unknown>>
type Ins = Readonly<Record<string, Tensor | undefined>>

const attrsOf = (op: Op, raw: Raw) => {
  const a = op.parseAttrs(raw)
  if (E.isLeft(a)) throw new Error(formatError(a.left))
  return a.right
}

/** The op's outputs; throws on an error value (inside `guard`). */
export const run = (op: Op, raw: Raw, inputs: Ins): Tensors => {
  const r = op.forward(attrsOf(op, raw), inputs)
  if (E.isLeft(r)) throw new Error(formatError(r.left))
  return r.right.outputs
}

/** The op's gradients for these cotangents; throws on an error value (inside `guard`). */
export const grads = (op: Op, raw: Raw, inputs: Ins, cot: Tensors): Tensors => {
  const r = vjp(op, attrsOf(op, raw), inputs, cot)
  if (E.isLeft(r)) throw new Error(formatError(r.left))
  return r.right.gradients
}

export const guard = (law: () => Verdict): Verdict => {
  try {
    return law()
  } catch (e) {
    return failed(`threw: ${(e as Error).message}`)
  }
}

export const abs = (t: Tensor): Tensor => map(t, Math.abs)

/** |t| for every present tensor of a record. */
export const absAll = <R extends Ins>(r: R): R =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === undefined ? undefined : abs(v)])) as unknown as R

/** Standard normals of a shape from an integer seed. */
export const gaussian = (seed: number, shape: Shape): Tensor => normal(keyFromSeed(seed), shape)

/** t[..., from:to, ...] along `axis` (a fresh tensor). */
export const slice = (t: Tensor, axis: number, from: number, to: number): Tensor => {
  const shape = t.shape.map((d, i) => (i === axis ? to - from : d))
  const st = stridesOf(t.shape)
  const outer = sizeOf(t.shape.slice(0, axis)), inner = st[axis]
  const data = new Float64Array(sizeOf(shape))
  let o = 0
  for (let a = 0; a < outer; a++) {
    for (let i = from; i < to; i++) for (let b = 0; b < inner; b++) data[o++] = t.data[(a * t.shape[axis] + i) * inner + b]
  }
  return make(shape, data, t.dtype)
}

/** Concatenate along `axis` (shapes agree elsewhere). */
export const concat = (ts: readonly Tensor[], axis: number): Tensor => {
  const shape = ts[0].shape.map((d, i) => (i === axis ? ts.reduce((s, t) => s + t.shape[axis], 0) : d))
  const outer = sizeOf(shape.slice(0, axis))
  const data = new Float64Array(sizeOf(shape))
  let o = 0
  for (let a = 0; a < outer; a++) {
    for (const t of ts) {
      const block = sizeOf(t.shape.slice(axis))
      for (let b = 0; b < block; b++) data[o++] = t.data[a * block + b]
    }
  }
  return make(shape, data)
}
