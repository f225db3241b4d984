/**
 * Splittable, counter-based randomness in the style of JAX's `jax.random`.
 *
 * A key is two uint32 words. Every random number is a pure function of a key
 * and a counter through the Threefry-2x32 block cipher (Salmon et al., "Parallel
 * random numbers: as easy as 1, 2, 3", SC 2011; 20 rounds, the rotation
 * constants of the Random123 reference), so the same key gives the same numbers
 * on every machine: only 32-bit integer arithmetic (Math.imul is not even
 * needed, Threefry uses add, rotate and xor) and exactly rounded float64
 * conversions are involved.
 *
 * Rules of use, as in JAX: never use a key twice; `split` it and use the parts.
 * There is no global generator and no `Math.random` anywhere in `src/`.
 *
 * The bit streams are ours, not JAX's: the API matches, the numbers do not.
 */
import { type Shape, type Tensor, make, sizeOf } from './tensor.ts'
import { allocate } from '../fast/shared-array.ts' // large draws on shared memory, so the fast kernels can split them across threads

export type Key = readonly [number, number]

const ROT = [13, 15, 26, 6, 17, 29, 16, 24] as const
const PARITY = 0x1bd11bda

const rotl = (x: number, r: number): number => ((x << r) | (x >>> (32 - r))) >>> 0

/** Threefry-2x32, 20 rounds: encrypts the counter pair (c0, c1) under key (k0, k1). */
export const threefry2x32 = (key: Key, c0: number, c1: number): [number, number] => {
  const ks = [key[0] >>> 0, key[1] >>> 0, (PARITY ^ key[0] ^ key[1]) >>> 0]
  let x0 = (c0 + ks[0]) >>> 0
  let x1 = (c1 + ks[1]) >>> 0
  for (let block = 0; block < 5; block++) {
    for (let r = 0; r < 4; r++) {
      x0 = (x0 + x1) >>> 0
      x1 = rotl(x1, ROT[(block % 2) * 4 + r]) ^ x0
    }
    // key injection after every 4 rounds
    x0 = (x0 + ks[(block + 1) % 3]) >>> 0
    x1 = (x1 + ks[(block + 2) % 3] + block + 1) >>> 0
  }
  return [x0, x1]
}

/** A key from an integer seed (like `jax.random.PRNGKey`); seeds beyond 2^32 use their high word. */
export const keyFromSeed = (seed: number): Key => {
  const s = Math.trunc(Math.abs(seed))
  return [Math.floor(s / 2 ** 32) >>> 0, s >>> 0]
}

/** `n` new independent keys derived from `key`. */
export const split = (key: Key, n = 2): Key[] =>
  Array.from({ length: n }, (_, i) => threefry2x32(key, 0x6b657973 /* "keys" */, i) as Key)

/** A key derived from `key` and an integer, for naming sub-streams (`fold_in`). */
export const foldIn = (key: Key, data: number): Key => threefry2x32(key, 0x666f6c64 /* "fold" */, data >>> 0) as Key

/** `n` raw uint32 words from a key, as consecutive counter blocks. */
export const bits = (key: Key, n: number): Uint32Array => {
  const out = new Uint32Array(n)
  for (let i = 0; i < n; i += 2) {
    const [a, b] = threefry2x32(key, 0, i >>> 1)
    out[i] = a
    if (i + 1 < n) out[i + 1] = b
  }
  return out
}

/**
 * Uniform doubles in [0, 1) with 53 random bits each: two uint32 words give
 * 27 + 26 bits, combined exactly (all steps are exact in float64).
 */
export const uniformArray = (key: Key, n: number): Float64Array => {
  const w = bits(key, 2 * n)
  const out = allocate(n, { whole: true })
  for (let i = 0; i < n; i++) out[i] = ((w[2 * i] >>> 5) * 67108864 + (w[2 * i + 1] >>> 6)) / 9007199254740992
  return out
}

/** Standard normals by Box-Muller on pairs of uniforms; 1 - u keeps log away from 0. */
export const normalArray = (key: Key, n: number): Float64Array => {
  const u = uniformArray(key, n + (n % 2))
  const out = allocate(n, { whole: true })
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u[i]))
    const th = 2 * Math.PI * u[i + 1]
    out[i] = r * Math.cos(th)
    if (i + 1 < n) out[i + 1] = r * Math.sin(th)
  }
  return out
}

export const uniform = (key: Key, shape: Shape, lo = 0, hi = 1): Tensor => {
  const u = uniformArray(key, sizeOf(shape))
  for (let i = 0; i < u.length; i++) u[i] = lo + (hi - lo) * u[i]
  return make(shape, u)
}

export const normal = (key: Key, shape: Shape, mean = 0, std = 1): Tensor => {
  const z = normalArray(key, sizeOf(shape))
  for (let i = 0; i < z.length; i++) z[i] = mean + std * z[i]
  return make(shape, z)
}

/** 1 with probability p, else 0 (a float64 tensor, ready to be a mask). */
export const bernoulli = (key: Key, p: number, shape: Shape): Tensor => {
  const u = uniformArray(key, sizeOf(shape))
  for (let i = 0; i < u.length; i++) u[i] = u[i] < p ? 1 : 0
  return make(shape, u)
}

/** A uniformly random permutation of 0..n-1 (Fisher-Yates driven by the key). */
export const permutation = (key: Key, n: number): Int32Array => {
  const u = uniformArray(key, n)
  const p = Int32Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(u[i] * (i + 1))
    const t = p[i]; p[i] = p[j]; p[j] = t
  }
  return p
}
