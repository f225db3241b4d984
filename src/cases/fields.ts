/**
 * The fields every case shares (docs/case-format.md, "A case"): named tensor
 * maps and the tolerance. One parser for single-op, graph and train cases, so
 * that the same field is read the same way whatever the case's kind.
 */
import * as E from 'fp-ts/lib/Either.js'
import { show } from '../core/errors.ts'
import type { Tensor } from '../core/tensor.ts'
import { decodeTensor } from './tensor-json.ts'

export interface Tolerance { readonly rtol: number; readonly atol: number }

export const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

export const tensorMap = (v: unknown, field: string): E.Either<string, Record<string, Tensor>> => {
  if (!isPlainObject(v)) return E.left(`${field}: expected an object of named tensors, got ${show(v)}`)
  const out: Record<string, Tensor> = {}
  for (const [k, t] of Object.entries(v)) {
    const r = decodeTensor(t, `${field}.${k}`)
    if (E.isLeft(r)) return E.left(`${r.left.path}: expected ${r.left.reason}`)
    out[k] = r.right
  }
  return E.right(out)
}

export const tolerance = (v: unknown): E.Either<string, Tolerance> => {
  if (!isPlainObject(v)) return E.left(`tolerance: expected {rtol, atol}, got ${show(v)}`)
  for (const k of Object.keys(v)) if (k !== 'rtol' && k !== 'atol') return E.left(`tolerance.${k}: no such field (expected rtol, atol)`)
  const ok = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0
  if (!ok(v.rtol)) return E.left(`tolerance.rtol: expected a finite number >= 0, got ${show(v.rtol)}`)
  if (!ok(v.atol)) return E.left(`tolerance.atol: expected a finite number >= 0, got ${show(v.atol)}`)
  return E.right({ rtol: v.rtol, atol: v.atol })
}
