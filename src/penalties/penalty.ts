/**
 * The shape shared by every weight penalty: a sum of one function of each
 * weight, so the gradient is elementwise.
 *   (1) loss = sum_i f(w_i)          a scalar, shape [], for w of any shape
 *   (2) dw_i = g f'(w_i)             g = dL/dloss
 * Each penalty supplies f and f' (at a kink, the subgradient PyTorch's
 * autograd gives: |w|' = sign(w) with sign(0) = 0).
 */
import * as E from 'fp-ts/lib/Either.js'
import type { RawAttrs } from '../core/attrs.ts'
import type { OpError } from '../core/errors.ts'
import { type Op, defineOp } from '../core/op.ts'
import { type Tensor, make } from '../core/tensor.ts'

export interface Cache { readonly w: Tensor }

export interface Penalty<A> {
  readonly name: string
  readonly attrs: (op: string, raw: RawAttrs | undefined) => E.Either<OpError, A>
  readonly f: (w: number, a: A) => number
  readonly df: (w: number, a: A) => number
}

/**
 * sign(0) = 0 and sign(NaN) = 0, as torch.sign and autograd's abs' have it
 * (torch 1.13 and 2.11 alike): the loss is NaN there, its gradient is not.
 */
export const sign = (v: number): number => (v > 0 ? 1 : v < 0 ? -1 : 0)

export const penalty = <A>(p: Penalty<A>): Op<A, Cache> =>
  defineOp<A, Cache>({
    name: p.name,
    inputs: [{ name: 'w' }],
    outputs: ['loss'],
    attrs: p.attrs,
    forward: (a, { w }) => {
      let s = 0
      for (let i = 0; i < w!.data.length; i++) s += p.f(w!.data[i], a) // (1)
      return E.right({ outputs: { loss: make([], Float64Array.of(s)) }, cache: { w: w! } })
    },
    backward: (a, { w }, { loss: g }) =>
      ({ w: make(w.shape, Float64Array.from(w.data, (v) => g.data[0] * p.df(v, a))) }), // (2)
  })
