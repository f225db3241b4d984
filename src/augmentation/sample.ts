/**
 * Scalar draws from an explicit key (src/core/random.ts), the vocabulary of
 * the random augmentations. Each draw consumes its own key; callers derive
 * one key per parameter with `foldIn`, so adding a parameter never shifts the
 * others.
 *   (1) uniform(lo, hi) = lo + (hi - lo) u,  u ~ U[0, 1) with 53 bits
 *   (2) randint(lo, hi) = lo + floor((hi - lo) u), uniform on {lo, ..., hi - 1}
 *   (3) Gamma(a) (Marsaglia & Tsang 2000): d = a - 1/3, c = 1 / sqrt(9 d);
 *       repeat z ~ N(0, 1), v = (1 + c z)^3 until v > 0 and
 *       log u < z^2 / 2 + d - d v + d log v; return d v.
 *       For a < 1: Gamma(a) = Gamma(a + 1) u^(1/a)
 *   (4) Beta(a, b) = X / (X + Y), X ~ Gamma(a), Y ~ Gamma(b)
 */
import { type Key, foldIn, normalArray, uniformArray } from '../core/random.ts'

export const u01 = (key: Key): number => uniformArray(key, 1)[0]

export const uniform = (key: Key, lo: number, hi: number): number => lo + (hi - lo) * u01(key) // (1)

export const randint = (key: Key, lo: number, hi: number): number => lo + Math.min(Math.floor((hi - lo) * u01(key)), hi - lo - 1) // (2)

export const bernoulli = (key: Key, p: number): boolean => u01(key) < p

// #region beta
/** (3); attempt k of the rejection loop uses foldIn(key, k), so the draw is a pure function of the key. */
export const gamma = (key: Key, a: number): number => {
  if (a < 1) return gamma(foldIn(key, 0x7fffffff), a + 1) * Math.pow(u01(foldIn(key, 0x7ffffffe)), 1 / a) // (3)
  const d = a - 1 / 3, c = 1 / Math.sqrt(9 * d)
  for (let k = 0; ; k++) {
    const kk = foldIn(key, k)
    const z = normalArray(kk, 1)[0], u = u01(foldIn(kk, 1))
    const t = 1 + c * z
    if (t <= 0) continue
    const v = t * t * t
    if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v // (3); accepts with probability > 0.95
  }
}

export const beta = (key: Key, a: number, b: number): number => {
  const x = gamma(foldIn(key, 1), a), y = gamma(foldIn(key, 2), b)
  return x + y > 0 ? x / (x + y) : u01(foldIn(key, 3)) < a / (a + b) ? 1 : 0 // (4); both underflow only for tiny a, b
}
// #endregion beta

/** Python's round: half to even (torchvision's int(round(...)) for crop boxes). */
export const roundHalfEven = (v: number): number => {
  const r = Math.round(v)
  return Math.abs(v - Math.trunc(v)) === 0.5 && r % 2 !== 0 ? r - 1 : r
}
