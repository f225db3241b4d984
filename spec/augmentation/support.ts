/**
 * Shared arbitraries and helpers for the augmentation specs: small image
 * batches (so gradient laws check every entry), exact tensor equality, and
 * the op runners of spec/convolution/evaluate.ts.
 */
import fc from 'fast-check'
import { type Tensor, fromArray, make } from '../../src/core/tensor.ts'
import { tensorOf } from '../laws/arbitraries.ts'
import { type Verdict, failed, ok } from '../laws/result.ts'

export { grads, guard, run } from '../convolution/evaluate.ts'

export interface Dims { readonly n: number; readonly c: number; readonly h: number; readonly w: number }

export const dims = (o: { maxN?: number; c?: number; minHW?: number; maxHW?: number } = {}): fc.Arbitrary<Dims> =>
  fc.record({
    n: fc.integer({ min: 1, max: o.maxN ?? 2 }),
    c: o.c === undefined ? fc.integer({ min: 1, max: 3 }) : fc.constant(o.c),
    h: fc.integer({ min: o.minHW ?? 1, max: o.maxHW ?? 5 }),
    w: fc.integer({ min: o.minHW ?? 1, max: o.maxHW ?? 5 }),
  })

/** An image batch of the drawn dims, values in [lo, hi]. */
export const images = (d: Dims, lo = -2, hi = 2): fc.Arbitrary<Tensor> => tensorOf([d.n, d.c, d.h, d.w], { min: lo, max: hi })

export const batchOf = (o: Parameters<typeof dims>[0] = {}, lo = -2, hi = 2) => dims(o).chain((d) => images(d, lo, hi).map((x) => ({ d, x })))

/** Bitwise equality of shape and data (what a permutation or an identity law demands). */
export const same = (what: string, a: Tensor, b: Tensor): Verdict => {
  if (a.shape.join() !== b.shape.join()) return failed(`${what}: shape [${a.shape}] vs [${b.shape}]`)
  for (let i = 0; i < a.data.length; i++) if (!Object.is(a.data[i], b.data[i])) return failed(`${what}: element ${i}: ${a.data[i]} vs ${b.data[i]}`)
  return ok
}

/** |a - b| <= tol(i) elementwise. */
export const near = (what: string, a: Tensor, b: Tensor, tol: (i: number) => number): Verdict => {
  if (a.shape.join() !== b.shape.join()) return failed(`${what}: shape [${a.shape}] vs [${b.shape}]`)
  for (let i = 0; i < a.data.length; i++) if (!(Math.abs(a.data[i] - b.data[i]) <= tol(i))) return failed(`${what}: element ${i}: ${a.data[i]} vs ${b.data[i]} (tolerance ${tol(i)})`)
  return ok
}

export const at = (x: Tensor, n: number, c: number, i: number, j: number): number => x.data[((n * x.shape[1] + c) * x.shape[2] + i) * x.shape[3] + j]

export const int64 = (vs: readonly number[]): Tensor => fromArray([vs.length], vs, 'int64')

/** A batch whose pixel values encode their own position (distinct, so a permutation is visible). */
export const indexImage = (n: number, c: number, h: number, w: number): Tensor =>
  make([n, c, h, w], Float64Array.from({ length: n * c * h * w }, (_, i) => i + 1))
