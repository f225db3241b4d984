/**
 * A labelled data set as a value: inputs x [N, ...] (float64) and integer
 * class labels y [N] (int64), with the number of classes. Nothing here reads a
 * file or draws a random number; loaders (./digits.ts, ./synthetic.ts) build
 * these values and ./split.ts cuts them by key.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail, showShape } from '../core/errors.ts'
import { type Tensor, make, sizeOf } from '../core/tensor.ts'

export interface Dataset {
  readonly name: string
  /** [N, ...]: [N, 1, 28, 28] images for digits, [N, 2] points for spirals and blobs */
  readonly x: Tensor
  /** [N] int64 labels in 0..classes-1 */
  readonly y: Tensor
  readonly classes: number
}

export const sizeOfSet = (d: Dataset): number => d.y.shape[0]

/** The set's own invariants, checked once at the edge of every public entry. */
export const checkDataset = (op: string, d: Dataset): E.Either<OpError, Dataset> => {
  const n = d.x.shape[0]
  if (d.x.shape.length < 2) return fail(op, 'dataset.x', 'a tensor [N, ...] of rank >= 2', showShape(d.x.shape))
  if (d.y.shape.length !== 1 || d.y.shape[0] !== n) return fail(op, 'dataset.y', `labels of shape [${n}] (one per sample)`, showShape(d.y.shape))
  if (!Number.isInteger(d.classes) || d.classes < 1) return fail(op, 'dataset.classes', 'a positive integer', String(d.classes))
  for (let i = 0; i < n; i++) {
    const c = d.y.data[i]
    if (!Number.isInteger(c) || c < 0 || c >= d.classes) return fail(op, `dataset.y[${i}]`, `a class in 0..${d.classes - 1}`, String(c))
  }
  return E.right(d)
}

/** Rows `idx` of a tensor [N, ...], in that order (a gather on axis 0). */
export const takeRows = (t: Tensor, idx: ArrayLike<number>): Tensor => {
  const row = sizeOf(t.shape.slice(1))
  const out = new Float64Array(idx.length * row)
  for (let i = 0; i < idx.length; i++) out.set(t.data.subarray(idx[i] * row, (idx[i] + 1) * row), i * row)
  return make([idx.length, ...t.shape.slice(1)], out, t.dtype)
}

/** The samples at `idx`, in that order (indices are the caller's invariant: in 0..N-1). */
export const subset = (d: Dataset, idx: ArrayLike<number>): Dataset =>
  ({ name: d.name, x: takeRows(d.x, idx), y: takeRows(d.y, idx), classes: d.classes })
