/**
 * He et al. (2015) initialization, PyTorch's `kaiming_normal_` and
 * `kaiming_uniform_`:
 *   (1) g = calculate_gain(nonlinearity, a)                  ./gain.ts
 *   (2) fan = fan_in | fan_out                              by `mode`
 *   (3) normal:  w ~ N(0, g^2 / fan),  std = g / sqrt(fan)
 *   (4) uniform: w ~ U(-b, b),         b = sqrt(3) * g / sqrt(fan)
 * Defaults are PyTorch's: a = 0, mode 'fan_in', nonlinearity 'leaky_relu', so
 * g = sqrt(2 / (1 + 0^2)) = sqrt(2), the ReLU gain (a is passed to the gain,
 * unlike calculate_gain's own default slope 0.01). With fan_in the forward
 * second moments of a ReLU stack are preserved; with fan_out the backward ones.
 * PyTorch's Linear/Conv default is kaiming_uniform with a = sqrt(5), i.e.
 * U(+-1/sqrt(fan_in)).
 * Points of the variance-scaling family: scale g^2, mode, normal | uniform.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { OpError } from '../core/errors.ts'
import type { Key } from '../core/random.ts'
import type { Shape, Tensor } from '../core/tensor.ts'
import { calculateGain } from './gain.ts'
import { choiceOption, numberOption } from './shape.ts'
import { type Distribution, sample } from './variance-scaling.ts'

export interface Options {
  readonly a?: number
  readonly mode?: 'fan_in' | 'fan_out'
  readonly nonlinearity?: string
}

// #region kaiming
const kaiming = (op: string, distribution: Distribution) => (key: Key, shape: Shape, options: Options = {}): E.Either<OpError, Tensor> => {
  const mode = choiceOption(op, 'mode', options.mode, ['fan_in', 'fan_out'] as const, 'fan_in') // (2)
  if (E.isLeft(mode)) return mode
  const a = numberOption(op, 'a', options.a, 0)
  if (E.isLeft(a)) return a
  const g = calculateGain(options.nonlinearity ?? 'leaky_relu', a.right, op) // (1)
  if (E.isLeft(g)) return g
  return sample(op, key, shape, { scale: g.right * g.right, mode: mode.right, distribution })
}
// #endregion kaiming

export const kaimingNormal = kaiming('init.kaiming_normal', 'normal') // (3)
export const kaimingUniform = kaiming('init.kaiming_uniform', 'uniform') // (4)
