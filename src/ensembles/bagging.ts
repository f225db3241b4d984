/**
 * Bagging (Breiman 1996): each member trains on a bootstrap sample, n draws
 * WITH replacement from the n training points, from its own key:
 *   (1) index_i = floor(u_i n), u_i uniform in [0, 1) from the member's key
 * A given point is in a sample with probability
 *   (2) 1 - (1 - 1/n)^n  -> 1 - 1/e ~ 0.632
 * so each member sees about 63% of the distinct points; the rest ("out of
 * bag") are a free validation set for that member.
 */
import { type Key, split, uniformArray } from '../core/random.ts'

// #region bootstrap
export const bootstrap = (key: Key, n: number): Int32Array =>
  Int32Array.from(uniformArray(key, n), (u) => Math.min(n - 1, Math.floor(u * n))) // (1); min guards u = 1 - 2^-53 rounding up
// #endregion bootstrap

/** One bootstrap sample per member, each from its own key (split from `key`). */
export const bags = (key: Key, n: number, members: number): Int32Array[] =>
  split(key, members).map((k) => bootstrap(k, n))

/** (2) the probability that a given point is in a bootstrap sample of size n. */
export const inclusionProbability = (n: number): number => 1 - (1 - 1 / n) ** n

/** The points not drawn (out of bag), ascending. */
export const outOfBag = (sample: Int32Array, n: number): number[] => {
  const seen = new Uint8Array(n)
  for (const i of sample) seen[i] = 1
  const out: number[] = []
  for (let i = 0; i < n; i++) if (!seen[i]) out.push(i)
  return out
}
