/**
 * The shape shared by every pointwise activation: y_i = f(x_i), so the
 * Jacobian is diagonal and the VJP is dx_i = g_i * f'(x_i).
 * Each activation supplies f and f' (given x and the already computed y, since
 * f' is often cheapest in terms of y: sigmoid' = y (1 - y), tanh' = 1 - y^2).
 */
import * as E from 'fp-ts/lib/Either.js'
import type { RawAttrs } from '../core/attrs.ts'
import type { OpError } from '../core/errors.ts'
import { type Op, defineOp } from '../core/op.ts'
import { type Tensor, map, zip } from '../core/tensor.ts'

export interface Cache { readonly x: Tensor; readonly y: Tensor }

export interface Pointwise<A> {
  readonly name: string
  readonly attrs: (op: string, raw: RawAttrs | undefined) => E.Either<OpError, A>
  /** f(x) */
  readonly f: (x: number, a: A) => number
  /** f'(x), given y = f(x); at a kink, the convention of docs/case-format.md */
  readonly df: (x: number, y: number, a: A) => number
}

// #region pointwise
export const pointwise = <A>(p: Pointwise<A>): Op<A, Cache> =>
  defineOp<A, Cache>({
    name: p.name,
    inputs: [{ name: 'x' }],
    outputs: ['y'],
    attrs: p.attrs,
    forward: (a, { x }) => {
      const y = map(x!, (v) => p.f(v, a))
      return E.right({ outputs: { y }, cache: { x: x!, y } })
    },
    backward: (a, { x, y }, { y: g }) => ({ x: zip(g, x, (gi, xi, i) => gi * p.df(xi, y.data[i], a)) }),
  })
// #endregion pointwise
