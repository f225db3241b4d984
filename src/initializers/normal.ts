/**
 * Small random numbers (cs231n's `0.01 * randn`), `torch.nn.init.normal_`:
 *   (1) w = mean + std * z,  z ~ N(0, 1)          defaults mean 0, std 0.01
 * PyTorch's `normal_` defaults to std 1; the default here is the lectures'
 * "small random numbers", the init whose activations collapse in a deep tanh
 * net (spec/initializers/stacks.spec.ts). std = 0 is allowed (a constant).
 */
import * as E from 'fp-ts/lib/Either.js'
import type { OpError } from '../core/errors.ts'
import { type Key, normal as draw } from '../core/random.ts'
import type { Shape, Tensor } from '../core/tensor.ts'
import { checkShape, numberOption } from './shape.ts'

export interface Options { readonly mean?: number; readonly std?: number }

export const DEFAULT_STD = 0.01

export const normal = (key: Key, shape: Shape, options: Options = {}): E.Either<OpError, Tensor> => {
  const s = checkShape('init.normal', shape)
  if (E.isLeft(s)) return s
  const mean = numberOption('init.normal', 'mean', options.mean, 0)
  if (E.isLeft(mean)) return mean
  const std = numberOption('init.normal', 'std', options.std, DEFAULT_STD, { min: 0 })
  if (E.isLeft(std)) return std
  return E.right(draw(key, s.right, mean.right, std.right)) // (1)
}
