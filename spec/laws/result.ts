/**
 * A law is a pure predicate: it returns a verdict and never throws. Runners
 * (uvu here, anything in a user's project) turn a failed verdict into a test
 * failure with `assertLaw`.
 */
export type Verdict = { readonly ok: true } | { readonly ok: false; readonly message: string }

export const ok: Verdict = { ok: true }
export const failed = (message: string): Verdict => ({ ok: false, message })

export const all = (...vs: readonly Verdict[]): Verdict => vs.find((v) => !v.ok) ?? ok

/** For fast-check properties and plain tests: throw on failure so the runner reports it. */
export const assertLaw = (v: Verdict): true => {
  if (!v.ok) throw new Error(v.message)
  return true
}
