/**
 * The recommended gain for a nonlinearity, `torch.nn.init.calculate_gain`
 * (PyTorch 1.13, torch/nn/init.py):
 *   (1) linear, conv1d/2d/3d, conv_transpose1d/2d/3d, sigmoid -> 1
 *   (2) tanh -> 5/3
 *   (3) relu -> sqrt(2)
 *   (4) leaky_relu -> sqrt(2 / (1 + a^2)), a = negative slope, 0.01 when not given
 *   (5) selu -> 3/4
 * Why these: with Var(w) = g^2 / fan and zero-mean independent weights, the
 * next pre-activation has Var(z') = fan * Var(w) * E[f(z)^2] = g^2 E[f(z)^2],
 * so g^2 = Var(z) / E[f(z)^2] keeps it fixed from layer to layer. For
 * symmetric z, E[relu(z)^2] = Var(z)/2 (He et al. 2015): g^2 = 2; leaky relu
 * gives (1 + a^2)/2: g^2 = 2/(1 + a^2); identity: 1. sigmoid's 1, tanh's 5/3
 * and selu's 3/4 are PyTorch's empirical choices (selu's from PR 50664, whose
 * doc advises 'linear' for self-normalizing networks).
 * The slope `a` is read only by leaky_relu, as in PyTorch.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail, show } from '../core/errors.ts'

export const NONLINEARITIES = [
  'linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d',
  'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu',
] as const
export type Nonlinearity = (typeof NONLINEARITIES)[number]

/** PyTorch's default slope when leaky_relu's param is None. */
export const DEFAULT_SLOPE = 0.01

// #region gain
export const calculateGain = (nonlinearity: string, param?: number, op = 'init.calculate_gain'): E.Either<OpError, number> => {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'conv3d':
    case 'conv_transpose1d': case 'conv_transpose2d': case 'conv_transpose3d':
    case 'sigmoid':
      return E.right(1) // (1)
    case 'tanh':
      return E.right(5 / 3) // (2)
    case 'relu':
      return E.right(Math.SQRT2) // (3)
    case 'leaky_relu': {
      if (param !== undefined && (typeof param !== 'number' || !Number.isFinite(param))) {
        return fail(op, 'options.a', 'a finite negative slope', show(param))
      }
      const a = param ?? DEFAULT_SLOPE
      return E.right(Math.sqrt(2 / (1 + a * a))) // (4)
    }
    case 'selu':
      return E.right(3 / 4) // (5)
    default:
      return fail(op, 'options.nonlinearity', `one of ${NONLINEARITIES.join(', ')}`, show(nonlinearity))
  }
}
// #endregion gain
