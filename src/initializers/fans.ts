/**
 * Fan-in and fan-out of a weight tensor, exactly as PyTorch 1.13's
 * `torch.nn.init._calculate_fan_in_and_fan_out`:
 *   (1) receptive = prod(shape[2:])          1 for a linear weight
 *   (2) fan_in    = shape[1] * receptive
 *   (3) fan_out   = shape[0] * receptive
 *
 * What that gives for each layout PyTorch stores:
 *   - linear [out, in]:                     fan_in = in,              fan_out = out
 *   - conv [K, C/groups, kh, kw]:           fan_in = C/groups*kh*kw,  fan_out = K*kh*kw
 *     (fan_out is NOT divided by groups: Conv2d(8, 16, 3, groups=4) -> (18, 144))
 *   - transposed conv [C_in, C_out/groups, kh, kw]: the same formula reads dim 1,
 *     so PyTorch's "fan_in" is C_out/groups*kh*kw and its "fan_out" C_in*kh*kw
 *     (ConvTranspose2d(8, 4, 3) -> weight [8, 4, 3, 3] -> (36, 72)). That
 *     "fan_in" is the number of outputs one input element feeds, the fan-in of
 *     the adjoint (gradient) convolution, not of the transposed conv's forward:
 *     kaiming(mode='fan_in') on a ConvTranspose weight preserves the backward
 *     variance. We reproduce it, because the contract is PyTorch's numbers.
 * Fewer than 2 dimensions is an error, as PyTorch's ValueError.
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type { OpError } from '../core/errors.ts'
import type { Shape } from '../core/tensor.ts'
import { checkShape } from './shape.ts'

export interface Fans { readonly fanIn: number; readonly fanOut: number }

// #region fans
export const fans = (shape: Shape, op = 'init.fans'): E.Either<OpError, Fans> =>
  pipe(checkShape(op, shape, 2), E.map((s) => {
    const receptive = s.slice(2).reduce((a, b) => a * b, 1) // (1)
    return { fanIn: s[1] * receptive, fanOut: s[0] * receptive } // (2), (3)
  }))
// #endregion fans
