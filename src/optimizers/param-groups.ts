/**
 * PyTorch parameter groups and frozen parameters, over any `{init, update}`
 * optimizer (./optimizer.ts).
 *
 * `torch.optim` keeps state per parameter tensor, created lazily on the first
 * step that tensor has a gradient, and skips a parameter whose `.grad` is None.
 * Here the same, as values:
 *   (1) each group is an optimizer (its own lr, weight decay, ...) and a list
 *       of parameter names; a name in no group is frozen: never updated, no state
 *   (2) per parameter, state = group.init({p}) on its first gradient, then
 *       group.update({g}, state, {p}), exactly as that optimizer alone on p
 *   (3) a parameter with no gradient this step (the loss never reached it)
 *       keeps its value AND its state: no decay, no momentum (case format v2,
 *       "Update rules")
 * The per-parameter form is what makes (3) exact for stateful optimizers:
 * Adam's step count is per parameter in PyTorch, not per optimizer.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail, show } from '../core/errors.ts'
import type { Tensor } from '../core/tensor.ts'
import type { Optimizer, Params, Step } from './optimizer.ts'

export interface Group {
  readonly params: readonly string[]
  readonly optimizer: Optimizer<any>
}

/** Per-parameter optimizer state; a missing entry is a parameter not yet stepped. */
export interface State { readonly perParam: Readonly<Record<string, unknown>> }

/** The group each parameter belongs to, or an error when a name is in two groups. */
export const membership = (groups: readonly { readonly params: readonly string[] }[]): E.Either<OpError, ReadonlyMap<string, number>> => {
  const m = new Map<string, number>()
  for (let i = 0; i < groups.length; i++) {
    for (const k of groups[i].params) {
      if (m.has(k)) return fail('param_groups', `param_groups[${i}].params`, 'each parameter in one group only (PyTorch raises the same)', `${show(k)}, already in group ${m.get(k)}`)
      m.set(k, i)
    }
  }
  return E.right(m)
}

/**
 * One optimizer over all parameter groups. `update(grads, state, params)`:
 * `params` may hold every parameter (frozen ones included); `grads` holds the
 * gradients that exist this step.
 */
export const paramGroups = (groups: readonly Group[]): E.Either<OpError, Optimizer<State>> =>
  E.map((member: ReadonlyMap<string, number>): Optimizer<State> => ({
    init: () => ({ perParam: {} }),
    update: (grads, state, params): E.Either<OpError, Step<State>> => {
      for (const k of Object.keys(grads)) if (params[k] === undefined) return fail('param_groups', `grads.${k}`, 'a gradient for a parameter', `unknown parameter ${show(k)}`)
      const next: Record<string, Tensor> = { ...params }
      const perParam: Record<string, unknown> = { ...state.perParam }
      for (const [k, gi] of member) {
        const g = grads[k]
        if (g === undefined) continue // (3)
        const p = params[k]
        if (p === undefined) return fail('param_groups', `params.${k}`, 'a value for every grouped parameter', 'nothing')
        const opt = groups[gi].optimizer
        const one: Params = { [k]: p }
        const r = opt.update({ [k]: g }, perParam[k] ?? opt.init(one), one) // (2)
        if (E.isLeft(r)) return r
        next[k] = r.right.params[k]
        perParam[k] = r.right.state
      }
      return E.right({ params: next, state: { perParam } })
    },
  }))(membership(groups))
