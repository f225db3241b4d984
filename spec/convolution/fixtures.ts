/**
 * Cases pinned by PyTorch 1.13 (float64, CPU), stored in the oracle's case
 * format (docs/case-format.md) by the torch-cases.py scripts beside the
 * .jsonl files. A spec replays them through the op's forward and vjp.
 *
 * Tolerance: PyTorch and the oracle evaluate the same sums of at most a few
 * hundred float64 products of O(1) numbers in different orders (im2col + gemm
 * against one loop nest), so they differ by at most n * EPS64 * sum |terms|
 * ~ 300 * 2.2e-16 * 30 ~ 2e-12 in absolute terms; atol 1e-11 + rtol 1e-10 is
 * that bound with room, and still a million times tighter than the smallest
 * planted bug moves a number.
 */
import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { formatError } from '../../src/core/errors.ts'
import { type Op, vjp } from '../../src/core/op.ts'
import { type DType, type Tensor, fromArray } from '../../src/core/tensor.ts'
import { type Verdict, failed, ok } from '../laws/result.ts'

interface JsonTensor { readonly dtype: DType; readonly shape: number[]; readonly data: (number | string | boolean)[] }
export interface PinnedCase {
  readonly id: string
  readonly op: string
  readonly attrs?: Record<string, unknown>
  readonly inputs: Record<string, JsonTensor>
  readonly outputs?: Record<string, JsonTensor>
  readonly cotangents?: Record<string, JsonTensor>
  readonly gradients?: Record<string, JsonTensor>
}

const RTOL = 1e-10
const ATOL = 1e-11

const num = (v: number | string | boolean): number =>
  typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : -Infinity

export const tensorOfJson = (t: JsonTensor): Tensor => fromArray(t.shape, t.data.map(num), t.dtype)

const tensors = (r: Record<string, JsonTensor> | undefined): Record<string, Tensor> =>
  Object.fromEntries(Object.entries(r ?? {}).map(([k, v]) => [k, tensorOfJson(v)]))

export const readCases = (url: URL): PinnedCase[] =>
  readFileSync(url, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as PinnedCase)

const agree = (what: string, actual: Tensor | undefined, expected: Tensor): Verdict => {
  if (actual === undefined) return failed(`${what}: missing`)
  if (actual.shape.join() !== expected.shape.join()) return failed(`${what}: shape [${actual.shape}] vs expected [${expected.shape}]`)
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i], e = expected.data[i]
    const good = Number.isNaN(e) ? Number.isNaN(a) : !Number.isFinite(e) ? a === e : Math.abs(a - e) <= ATOL + RTOL * Math.abs(e)
    if (!good) return failed(`${what}[${i}]: ${a}, PyTorch ${e}`)
  }
  return ok
}

/** The case's outputs and gradients, recomputed by `op`, agree with PyTorch's. */
export const replay = (op: Op, c: PinnedCase): Verdict => {
  const attrs = op.parseAttrs(c.attrs ?? {})
  if (E.isLeft(attrs)) return failed(`${c.id}: ${formatError(attrs.left)}`)
  const r = vjp(op, attrs.right, tensors(c.inputs), tensors(c.cotangents))
  if (E.isLeft(r)) return failed(`${c.id}: ${formatError(r.left)}`)
  for (const [k, t] of Object.entries(tensors(c.outputs))) {
    const v = agree(`${c.id}: outputs.${k}`, r.right.outputs[k], t)
    if (!v.ok) return v
  }
  for (const [k, t] of Object.entries(tensors(c.gradients))) {
    const v = agree(`${c.id}: gradients.${k}`, r.right.gradients[k], t)
    if (!v.ok) return v
  }
  return ok
}
