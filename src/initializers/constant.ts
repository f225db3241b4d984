/**
 * Constant initializers, `torch.nn.init.constant_` and `zeros_`:
 *   (1) w = value everywhere        (2) zeros: value = 0
 * They take a key like every initializer (and ignore it) so that all of them
 * share one signature. A constant weight matrix makes every unit of a layer
 * compute the same function and receive the same gradient: the symmetry that
 * random initialization exists to break (spec/initializers/symmetry.spec.ts).
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail } from '../core/errors.ts'
import type { Key } from '../core/random.ts'
import { type Shape, type Tensor, full } from '../core/tensor.ts'
import { checkShape, numberOption } from './shape.ts'

export interface Options { readonly value?: number }

export const constant = (_key: Key, shape: Shape, options: Options = {}): E.Either<OpError, Tensor> => {
  const s = checkShape('init.constant', shape)
  if (E.isLeft(s)) return s
  if (options.value === undefined) return fail('init.constant', 'options.value', 'a finite number (required)', 'nothing')
  const v = numberOption('init.constant', 'value', options.value, 0)
  if (E.isLeft(v)) return v
  return E.right(full(s.right, v.right)) // (1)
}

export const zeros = (_key: Key, shape: Shape): E.Either<OpError, Tensor> => {
  const s = checkShape('init.zeros', shape)
  return E.isLeft(s) ? s : E.right(full(s.right, 0)) // (2)
}
