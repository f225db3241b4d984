/**
 * Optimizers as values, in Optax's shape (docs/style.md, habit 7): a pair
 * of pure functions over parameter records,
 *   init   : params                  -> state
 *   update : (grads, state, params)  -> Either<OpError, { params, state }>
 * `update` returns the new parameters and a new state and never writes into its
 * arguments (PyTorch's `step()` mutates both in place: the same arithmetic,
 * without the mutation). Each optimizer's update math lives once, in a
 * tensor-level `step` function that the catalogue ops (sgd_step, adam_step)
 * reuse.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail, show, showShape } from '../core/errors.ts'
import { type Tensor, sameShape } from '../core/tensor.ts'

export type Params = Readonly<Record<string, Tensor>>

export interface Step<S> { readonly params: Params; readonly state: S }

export interface Optimizer<S> {
  readonly init: (params: Params) => S
  readonly update: (grads: Params, state: S, params: Params) => E.Either<OpError, Step<S>>
}

/** The edge of every update: the gradients name exactly the parameters, with their shapes. */
export const checkGrads = (op: string, grads: Params, params: Params): E.Either<OpError, Params> => {
  for (const k of Object.keys(grads)) if (params[k] === undefined) return fail(op, `grads.${k}`, 'a gradient for a parameter', `unknown parameter ${show(k)}`)
  for (const k of Object.keys(params)) {
    const g = grads[k]
    if (g === undefined) return fail(op, `grads.${k}`, `a gradient of shape ${showShape(params[k].shape)}`, 'nothing')
    if (!sameShape(g.shape, params[k].shape)) return fail(op, `grads.${k}`, `shape ${showShape(params[k].shape)} (the parameter's)`, showShape(g.shape))
  }
  return E.right(grads)
}

/** A state record (one tensor per parameter) matches the parameters. */
export const checkSlots = (op: string, slot: string, slots: Params, params: Params): E.Either<OpError, Params> => {
  for (const k of Object.keys(params)) {
    const s = slots[k]
    if (s === undefined || !sameShape(s.shape, params[k].shape)) {
      return fail(op, `state.${slot}.${k}`, `shape ${showShape(params[k].shape)} (the parameter's)`, s === undefined ? 'nothing' : showShape(s.shape), 'a state from this optimizer\'s init on the same parameters')
    }
  }
  return E.right(slots)
}

/** A finite number satisfying a range check, or an error naming the config field. */
export const checkNumber = (op: string, name: string, v: number, ok: (v: number) => boolean, expected: string): E.Either<OpError, number> =>
  Number.isFinite(v) && ok(v) ? E.right(v) : fail(op, `config.${name}`, expected, show(v))

/** The first error of a list of checks, or the value. */
export const firstError = <A>(value: A, checks: readonly E.Either<OpError, unknown>[]): E.Either<OpError, A> => {
  for (const c of checks) if (E.isLeft(c)) return c
  return E.right(value)
}
