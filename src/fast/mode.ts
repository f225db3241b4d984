/**
 * Which path the catalogue's ops take: the fast float64 kernels (the default)
 * or the readable reference they are checked against.
 *
 * NN_ORACLE_REFERENCE=1 in the environment (or `check --reference`, which
 * calls `setReference`) forces the reference everywhere; the choice is made
 * per call, so a test can flip it and compare the two on the same case.
 */
const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.NN_ORACLE_REFERENCE

let reference = env !== undefined && env !== '' && env !== '0'

/** true when the readable reference is forced. */
export const useReference = (): boolean => reference

/** Force the reference (true) or allow the fast path (false); returns the previous setting. */
export const setReference = (on: boolean): boolean => {
  const was = reference
  reference = on
  return was
}
