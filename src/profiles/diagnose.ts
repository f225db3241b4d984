/**
 * Mismatch diagnosis: when a case fails under the active conventions, try the
 * others and say which explains it, e.g. "matches if running_var is updated
 * with the biased batch variance (keras, flax, tfjs, onnx)".
 *
 * Single conventions first (the most specific explanation); when none alone
 * explains the numbers, whole profiles (frameworks often differ in several
 * conventions at once, as Keras's batch norm does in three).
 */
import type { Case } from '../cases/case.ts'
import { evaluate } from '../cases/evaluate.ts'
import { type Convention, CONVENTIONS } from './conventions.ts'
import { PROFILES, profileConventions } from './profiles.ts'

export interface Explanation { readonly kind: 'convention' | 'profile'; readonly id: string; readonly text: string }

const passes = (c: Case, conventions: readonly Convention[]): boolean => {
  try { return evaluate(c, conventions).status === 'pass' } catch { return false }
}

export const diagnose = (c: Case, active: readonly Convention[] = []): Explanation[] => {
  const activeIds = new Set(active.map((k) => k.id))
  const singles = CONVENTIONS.filter((k) => k.op === c.op && !activeIds.has(k.id))
    .filter((k) => passes(c, [...active, k]))
    .map((k) => ({ kind: 'convention' as const, id: k.id, text: `matches if ${k.says} (${k.frameworks.join(', ')})` }))
  const withouts = active.filter((k) => k.op === c.op)
    .filter((k) => passes(c, active.filter((a) => a !== k)))
    .map((k) => ({ kind: 'convention' as const, id: k.id, text: `matches without the convention that ${k.says}` }))
  if (singles.length + withouts.length > 0) return [...singles, ...withouts]
  return Object.keys(PROFILES)
    .filter((p) => profileConventions(p)!.some((k) => k.op === c.op) || p === 'pytorch')
    .filter((p) => passes(c, profileConventions(p)!))
    .map((p) => {
      const ks = profileConventions(p)!.filter((k) => k.op === c.op)
      return { kind: 'profile' as const, id: p, text: `matches under the ${p} profile${ks.length ? ` (${ks.map((k) => k.says).join('; ')})` : ' (PyTorch conventions)'}` }
    })
}
