/**
 * The lectures' "Xavier" initialization (cs231n, neural-networks-2: `randn(n) /
 * sqrt(n)`), the fan-in simplification of Glorot & Bengio (2010):
 *   (1) w ~ N(0, gain^2 / fan_in)         gain defaults to 1
 * It keeps Var(sum_i w_i x_i) = fan_in Var(w) Var(x) = Var(x) for a linear
 * layer. Not PyTorch's `xavier_normal_`, which averages the fans (./glorot.ts);
 * this is LeCun normal without Keras's truncation.
 * One point of the variance-scaling family: scale gain^2, fan_in, normal.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { OpError } from '../core/errors.ts'
import type { Key } from '../core/random.ts'
import type { Shape, Tensor } from '../core/tensor.ts'
import { numberOption } from './shape.ts'
import { sample } from './variance-scaling.ts'

export interface Options { readonly gain?: number }

export const xavier = (key: Key, shape: Shape, options: Options = {}): E.Either<OpError, Tensor> => {
  const g = numberOption('init.xavier', 'gain', options.gain, 1, { min: 0 })
  if (E.isLeft(g)) return g
  return sample('init.xavier', key, shape, { scale: g.right * g.right, mode: 'fan_in', distribution: 'normal' }) // (1)
}
