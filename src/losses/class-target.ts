/**
 * Class-index targets with class weights and an ignored index, read as
 * PyTorch's nll_loss reads them (shared by nll_loss and cross_entropy).
 *
 * Layout: input [N, C, d1, ..., dk] has P = N * K positions, K = d1 * ... * dk;
 * position i = (n, j) holds class c at flat index (n * C + c) * K + j, and the
 * target [N, d1, ..., dk] holds its class y_i at flat index i = n * K + j.
 *   (1) w_i = weight[y_i] (1 with no weight); w_i = 0 where y_i = ignore_index
 *   (2) D = sum_i w_i, the divisor of a "mean" (./reduction.ts): a mean is a
 *       weighted average over the non-ignored positions, and 0/0 = NaN when
 *       every position is ignored (or every target class weighs 0).
 * An ignore_index inside [0, C) ignores that class wherever it is the target.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail, showShape } from '../core/errors.ts'
import { type Shape, type Tensor, sizeOf } from '../core/tensor.ts'

export interface Layout {
  readonly n: number
  readonly c: number
  /** d1 * ... * dk, 1 for a rank-2 input */
  readonly k: number
  /** N * K */
  readonly positions: number
  /** [N, d1, ..., dk], the shape of a "none" loss */
  readonly positionShape: Shape
}

export const layoutOf = (shape: Shape): Layout => {
  const k = sizeOf(shape.slice(2))
  return { n: shape[0], c: shape[1], k, positions: shape[0] * k, positionShape: [shape[0], ...shape.slice(2)] }
}

/** input [N, C, ...]: no unbatched form in version 1 of the case format. */
export const checkBatched = (op: string, input: Tensor): E.Either<OpError, Layout> =>
  input.shape.length < 2
    ? fail(op, 'inputs.input', 'rank >= 2, [N, C, d1, ..., dk]', showShape(input.shape), 'the case format has no unbatched form; add a batch dimension of 1')
    : E.right(layoutOf(input.shape))

export const checkWeight = (op: string, weight: Tensor | undefined, c: number): E.Either<OpError, Tensor | undefined> =>
  weight !== undefined && (weight.shape.length !== 1 || weight.shape[0] !== c)
    ? fail(op, 'inputs.weight', `[${c}], one weight per class`, showShape(weight.shape))
    : E.right(weight)

/**
 * The class of each position, -1 where it is ignored. Errors name inputs.target
 * for a wrong shape or a class outside [0, C) that is not ignore_index.
 */
export const classesOf = (op: string, lay: Layout, target: Tensor, ignoreIndex: number): E.Either<OpError, Int32Array> => {
  const want = lay.positionShape
  if (target.shape.length !== want.length || target.shape.some((d, i) => d !== want[i])) {
    return fail(op, 'inputs.target', `${showShape(want)}, the input's shape without its class dimension`, showShape(target.shape))
  }
  const cls = new Int32Array(lay.positions)
  for (let i = 0; i < cls.length; i++) {
    const y = target.data[i]
    if (y === ignoreIndex) { cls[i] = -1; continue }
    if (!Number.isInteger(y) || y < 0 || y >= lay.c) {
      return fail(op, 'inputs.target', `class indices in [0, ${lay.c}) or ignore_index ${ignoreIndex}`, `${y} at flat position ${i}`)
    }
    cls[i] = y
  }
  return E.right(cls)
}

/** w_i per position (1) and the mean's divisor D (2). */
export const positionWeights = (cls: Int32Array, weight: Tensor | undefined): { readonly w: Float64Array; readonly divisor: number } => {
  const w = new Float64Array(cls.length)
  let divisor = 0
  for (let i = 0; i < cls.length; i++) {
    if (cls[i] < 0) continue
    w[i] = weight === undefined ? 1 : weight.data[cls[i]] // (1)
    divisor += w[i] // (2)
  }
  return { w, divisor }
}
