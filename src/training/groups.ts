/**
 * From the case format's description of groups (an optimizer with attributes,
 * `param_groups` overriding them for some parameters, `params` naming what is
 * trained) to `paramGroups` (src/optimizers/param-groups.ts):
 *   - a group's attrs override the optimizer's for its parameters
 *   - parameters in `params` and in no group form one more group with the
 *     optimizer's own attrs
 *   - anything else is frozen
 * `lrs` gives, per group (case groups first, then the default group), the
 * learning rate to use instead of the attrs' (a schedule's value this step).
 */
import * as E from 'fp-ts/lib/Either.js'
import type { RawAttrs } from '../core/attrs.ts'
import { type OpError, fail, show } from '../core/errors.ts'
import { type State, paramGroups } from '../optimizers/param-groups.ts'
import type { Optimizer } from '../optimizers/optimizer.ts'
import { fromAttrs } from './optimizers.ts'

export interface GroupSpec { readonly params: readonly string[]; readonly attrs?: RawAttrs }

/** The groups in PyTorch order (the case's groups, then the default one) with merged attrs. */
export const mergedGroups = (trained: readonly string[], base: RawAttrs | undefined, groups: readonly GroupSpec[]): E.Either<OpError, { params: string[]; attrs: RawAttrs }[]> => {
  const inGroup = new Set<string>()
  for (let i = 0; i < groups.length; i++) {
    for (const k of groups[i].params) {
      if (!trained.includes(k)) return fail('train', `param_groups[${i}].params`, 'names that are also in params', show(k))
      if (inGroup.has(k)) return fail('train', `param_groups[${i}].params`, 'each parameter in one group only', `${show(k)} twice`)
      inGroup.add(k)
    }
  }
  const out = groups.map((g) => ({ params: [...g.params], attrs: { ...(base ?? {}), ...(g.attrs ?? {}) } }))
  const rest = trained.filter((k) => !inGroup.has(k))
  if (rest.length > 0) out.push({ params: rest, attrs: { ...(base ?? {}) } })
  return E.right(out)
}

export const groupsFor = (name: string, trained: readonly string[], base: RawAttrs | undefined, groups: readonly GroupSpec[], lrs?: readonly number[]): E.Either<OpError, Optimizer<State>> => {
  const merged = mergedGroups(trained, base, groups)
  if (E.isLeft(merged)) return merged
  const built = []
  for (let i = 0; i < merged.right.length; i++) {
    const o = fromAttrs(name, merged.right[i].attrs, lrs?.[i])
    if (E.isLeft(o)) return o
    built.push({ params: merged.right[i].params, optimizer: o.right })
  }
  return paramGroups(built)
}
