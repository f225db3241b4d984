/**
 * Uniform numbers, `torch.nn.init.uniform_`:
 *   (1) w ~ U(a, b)          defaults a = 0, b = 1 (PyTorch's); mean (a+b)/2, Var (b-a)^2/12
 * Drawn as a + (b - a) u with u in [0, 1) from src/core/random.ts.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail } from '../core/errors.ts'
import { type Key, uniform as draw } from '../core/random.ts'
import type { Shape, Tensor } from '../core/tensor.ts'
import { checkShape, numberOption } from './shape.ts'

export interface Options { readonly a?: number; readonly b?: number }

export const uniform = (key: Key, shape: Shape, options: Options = {}): E.Either<OpError, Tensor> => {
  const s = checkShape('init.uniform', shape)
  if (E.isLeft(s)) return s
  const a = numberOption('init.uniform', 'a', options.a, 0)
  if (E.isLeft(a)) return a
  const b = numberOption('init.uniform', 'b', options.b, 1)
  if (E.isLeft(b)) return b
  if (!(a.right <= b.right)) return fail('init.uniform', 'options.b', `a number >= a = ${a.right}`, String(b.right))
  return E.right(draw(key, s.right, a.right, b.right)) // (1)
}
