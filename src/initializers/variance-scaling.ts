/**
 * Variance scaling, the one core every fan-based initializer specialises
 * (Keras `VarianceScaling`, JAX `variance_scaling`). For a weight of `shape`
 * with fans from ./fans.ts (PyTorch's rule):
 *   (1) n = fan_in | fan_out | (fan_in + fan_out) / 2          by `mode`
 *   (2) sigma^2 = scale / n                                    the target Var(w)
 *   (3) normal:           w = sigma * z,  z ~ N(0, 1)
 *   (4) truncated_normal: w = (sigma / C) * z, z ~ N(0, 1) conditioned on |z| <= 2,
 *                         C = 0.87962566103423978 = std of that truncated z
 *                         (Keras/JAX's correction, so that Var(w) = sigma^2 still)
 *   (5) uniform:          w ~ U(-b, b), b = sqrt(3 sigma^2)    since Var U(-b, b) = b^2 / 3
 *
 * The named initializers are points of this family (g = gain):
 *   lecture "Xavier" (cs231n, = LeCun normal): scale 1,   fan_in,  normal
 *   Glorot/Xavier normal, uniform (PyTorch):  scale g^2, fan_avg, normal | uniform
 *     -> std g*sqrt(2/(fan_in+fan_out)), bound g*sqrt(6/(fan_in+fan_out))
 *   Kaiming/He normal, uniform (PyTorch):     scale g^2, fan_in|fan_out, normal | uniform
 *     -> std g/sqrt(fan), bound sqrt(3)*g/sqrt(fan)
 *
 * Randomness: normal and uniform use src/core/random.ts's streams on `key`
 * directly; truncated_normal rejects |z| > 2 from successive `split`s of the
 * key, so it is a pure function of the key too (acceptance 95.4%). The numbers
 * are ours, not PyTorch's: only their distribution is the contract.
 * Defaults are Keras's: scale 1, fan_in, truncated_normal.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { OpError } from '../core/errors.ts'
import { type Key, normal, normalArray, split, uniform } from '../core/random.ts'
import { type Shape, type Tensor, make, sizeOf, zeros } from '../core/tensor.ts'
import { fans } from './fans.ts'
import { choiceOption, numberOption } from './shape.ts'

export const MODES = ['fan_in', 'fan_out', 'fan_avg'] as const
export type Mode = (typeof MODES)[number]
export const DISTRIBUTIONS = ['normal', 'truncated_normal', 'uniform'] as const
export type Distribution = (typeof DISTRIBUTIONS)[number]

export interface Options {
  readonly scale?: number
  readonly mode?: Mode
  readonly distribution?: Distribution
}

/** Standard deviation of N(0, 1) truncated to [-2, 2]: sqrt(1 - 4 phi(2) / (2 Phi(2) - 1)). */
export const TRUNCATED_STD = 0.87962566103423978
/** Truncation point, in units of the untruncated standard deviation. */
export const TRUNCATION = 2

/** Standard normals conditioned on |z| <= 2, by rejection over split keys. */
const truncatedNormalArray = (key: Key, n: number): Float64Array => {
  const out = new Float64Array(n)
  let filled = 0
  let k = key
  while (filled < n) {
    const [next, sub] = split(k)
    k = next
    const need = n - filled
    const z = normalArray(sub, need + (need >> 4) + 16) // 6% over the expected 4.6% rejections
    for (let i = 0; i < z.length && filled < n; i++) if (Math.abs(z[i]) <= TRUNCATION) out[filled++] = z[i]
  }
  return out
}

/** The spread an option set implies for a shape: n of (1), sigma of (2). */
export const targetStd = (fanIn: number, fanOut: number, scale: number, mode: Mode): number => {
  const n = mode === 'fan_in' ? fanIn : mode === 'fan_out' ? fanOut : (fanIn + fanOut) / 2 // (1)
  return Math.sqrt(scale / n) // (2)
}

/** The same, with `op` naming the initializer that asked (for error messages). */
export const sample = (op: string, key: Key, shape: Shape, options: Options = {}): E.Either<OpError, Tensor> => {
  const f = fans(shape, op)
  if (E.isLeft(f)) return f
  const scale = numberOption(op, 'scale', options.scale, 1, { min: 0 })
  if (E.isLeft(scale)) return scale
  const mode = choiceOption(op, 'mode', options.mode, MODES, 'fan_in')
  if (E.isLeft(mode)) return mode
  const dist = choiceOption(op, 'distribution', options.distribution, DISTRIBUTIONS, 'truncated_normal')
  if (E.isLeft(dist)) return dist
  // a zero-element weight has a zero fan; PyTorch warns and leaves it alone
  if (sizeOf(shape) === 0) return E.right(zeros(shape))
  const sigma = targetStd(f.right.fanIn, f.right.fanOut, scale.right, mode.right)
  switch (dist.right) {
    case 'normal':
      return E.right(normal(key, shape, 0, sigma)) // (3)
    case 'truncated_normal': {
      const z = truncatedNormalArray(key, sizeOf(shape))
      const s = sigma / TRUNCATED_STD
      for (let i = 0; i < z.length; i++) z[i] *= s // (4)
      return E.right(make(shape, z))
    }
    case 'uniform': {
      const b = Math.sqrt(3) * sigma // (5), as PyTorch: bound = sqrt(3) * std
      return E.right(uniform(key, shape, -b, b)) // (5)
    }
  }
}

export const varianceScaling = (key: Key, shape: Shape, options: Options = {}): E.Either<OpError, Tensor> =>
  sample('init.variance_scaling', key, shape, options)
