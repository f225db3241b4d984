/**
 * Softplus, PyTorch `F.softplus(x, beta = 1, threshold = 20)`:
 *   (1) y = x                            where beta x > threshold (strictly: at equality (2) applies)
 *   (2) y = log(1 + exp(beta x)) / beta  elsewhere, with z = beta x evaluated as
 *   (3) log(1 + e^z) = z + log1p(e^-z) for z > 0, log1p(e^z) otherwise   never overflows, no cancellation
 * Backward, g = dL/dy: dx = g y' with
 *   (4) y' = 1 where beta x > threshold, sigma(beta x) elsewhere   (PyTorch's softplus_backward)
 *
 * Where (2) applies it agrees with PyTorch's literal log1p(exp(z)) / beta to
 * rounding; PyTorch overflows to inf for z > 709 when a large threshold lets
 * such z reach (2), where (3) stays finite. Any non-zero beta is accepted, as
 * PyTorch accepts it; beta = 0 divides by zero and is refused.
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { type RawAttrs, number, schema } from '../core/attrs.ts'
import { type OpError, fail } from '../core/errors.ts'
import { pointwise } from './elementwise.ts'
import { sigmoid } from './sigmoid.ts'

export interface Attrs { readonly beta: number; readonly threshold: number }

/** log(1 + e^z) for any float64 z, NaN included. */
export const log1pExp = (z: number): number => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) // (3)

const attrs = (op: string, raw: RawAttrs | undefined): E.Either<OpError, Attrs> => pipe(
  schema<Attrs>({ beta: number(1), threshold: number(20) })(op, raw),
  E.chain((a) => (a.beta === 0 ? fail<Attrs>(op, 'attrs.beta', 'a non-zero number', '0', 'softplus divides by beta; beta 1 is the plain softplus') : E.right(a))),
)

export const op = pointwise<Attrs>({
  name: 'softplus',
  attrs,
  f: (x, { beta, threshold }) => (beta * x > threshold ? x : log1pExp(beta * x) / beta), // (1), (2)
  df: (x, _y, { beta, threshold }) => (beta * x > threshold ? 1 : sigmoid(beta * x)), // (4)
})
