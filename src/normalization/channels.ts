/**
 * The channel layout x [N, C, ...] shared by batch, instance and group norm
 * (NCHW, case format "Conventions"): with S = prod(spatial dims) (1 when there
 * are none), flat position i = (n C + c) S + s lies in channel c = floor(i / S) mod C.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail, showShape } from '../core/errors.ts'
import { type Shape, type Tensor, sizeOf } from '../core/tensor.ts'

export interface Layout {
  readonly n: number
  readonly c: number
  /** S, the size of one (sample, channel) plane */
  readonly spatial: number
}

export const layoutOf = (shape: Shape): Layout => ({ n: shape[0], c: shape[1], spatial: sizeOf(shape.slice(2)) })

export const channelOf = (l: Layout) => (i: number): number => Math.floor(i / l.spatial) % l.c

/** An optional per-channel vector (weight, bias, running statistics) must be [C]. */
export const checkPerChannel = (op: string, name: string, t: Tensor | undefined, c: number): E.Either<OpError, Tensor | undefined> =>
  t === undefined || (t.shape.length === 1 && t.shape[0] === c)
    ? E.right(t)
    : fail(op, `inputs.${name}`, `[${c}] (one value per channel, x's dimension 1)`, showShape(t.shape))
