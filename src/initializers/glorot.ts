/**
 * Glorot & Bengio (2010) initialization, PyTorch's `xavier_normal_` and
 * `xavier_uniform_`: a compromise between keeping forward variances
 * (fan_in Var(w) = 1) and backward ones (fan_out Var(w) = 1):
 *   (1) Var(w) = gain^2 * 2 / (fan_in + fan_out)        gain defaults to 1
 *   (2) normal:  w ~ N(0, Var(w)),  std = gain * sqrt(2 / (fan_in + fan_out))
 *   (3) uniform: w ~ U(-b, b),      b = gain * sqrt(6 / (fan_in + fan_out))
 * Points of the variance-scaling family: scale gain^2, fan_avg.
 * (Keras's GlorotNormal truncates at 2 sigma; PyTorch's, followed here, does not.)
 */
import * as E from 'fp-ts/lib/Either.js'
import type { OpError } from '../core/errors.ts'
import type { Key } from '../core/random.ts'
import type { Shape, Tensor } from '../core/tensor.ts'
import { numberOption } from './shape.ts'
import { type Distribution, sample } from './variance-scaling.ts'

export interface Options { readonly gain?: number }

const glorot = (op: string, distribution: Distribution) => (key: Key, shape: Shape, options: Options = {}): E.Either<OpError, Tensor> => {
  const g = numberOption(op, 'gain', options.gain, 1, { min: 0 })
  if (E.isLeft(g)) return g
  return sample(op, key, shape, { scale: g.right * g.right, mode: 'fan_avg', distribution }) // (1)
}

export const glorotNormal = glorot('init.glorot_normal', 'normal') // (2)
export const glorotUniform = glorot('init.glorot_uniform', 'uniform') // (3)
