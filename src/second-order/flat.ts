/**
 * Parameter records as one flat vector, in the record's key order (as torch
 * concatenates `param_groups[0]['params']`), and back.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail, showShape } from '../core/errors.ts'
import { type Tensor, make, sameShape, sizeOf } from '../core/tensor.ts'
import type { Params } from '../optimizers/optimizer.ts'
import type { Vec } from './vec.ts'

export const flatten = (op: string, what: string, like: Params, p: Params): E.Either<OpError, Vec> => {
  const names = Object.keys(like)
  const x = new Float64Array(names.reduce((a, k) => a + sizeOf(like[k].shape), 0))
  let o = 0
  for (const k of names) {
    const t = p[k]
    if (t === undefined || !sameShape(t.shape, like[k].shape)) return fail(op, `${what}.${k}`, `shape ${showShape(like[k].shape)}`, t === undefined ? 'nothing' : showShape(t.shape))
    x.set(t.data, o)
    o += t.data.length
  }
  return E.right(x)
}

export const unflatten = (like: Params, x: Vec): Params => {
  const out: Record<string, Tensor> = {}
  let o = 0
  for (const k of Object.keys(like)) {
    const n = sizeOf(like[k].shape)
    out[k] = make(like[k].shape, x.slice(o, o + n))
    o += n
  }
  return out
}
