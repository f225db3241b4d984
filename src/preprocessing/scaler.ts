/**
 * Zero-centering and standardization as fit/transform values (cs231n, "Data
 * preprocessing"): `fit` reads the TRAINING split only and returns the
 * statistics as a value; `transform` applies them, unchanged, to any split
 * through the catalogue op `standardize` (./standardize.ts). Statistics per
 * feature (every position of x.shape[1:]) or per channel (axis 1, pooled over
 * samples and positions, torchvision's Normalize):
 *   (1) mean_k = (1/n_k) sum_{i in k} x_i
 *   (2) std_k  = sqrt((1/n_k) sum_{i in k} (x_i - mean_k)^2)   biased (population), as sklearn's
 *                StandardScaler: then the standardized training data has variance exactly 1
 *   (3) std_k  = 1 where (2) is 0: a constant feature (MNIST's border pixels) is only centred,
 *                sklearn's rule, instead of dividing by zero
 *   centering: std_k = 1 for every k
 * Two passes, the mean first: E[x^2] - E[x]^2 cancels when |mean| >> std.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail, showShape } from '../core/errors.ts'
import { type Tensor, make, sizeOf } from '../core/tensor.ts'
import * as Standardize from './standardize.ts'

export type Per = 'feature' | 'channel'

export interface Scaler {
  readonly kind: 'center' | 'standardize'
  readonly per: Per
  readonly mean: Tensor
  readonly std: Tensor
}

export const statShape = (xShape: readonly number[], per: Per): number[] => (per === 'channel' ? [xShape[1]] : xShape.slice(1))

export const fitScaler = (kind: 'center' | 'standardize', per: Per, x: Tensor): E.Either<OpError, Scaler> => {
  const op = `preprocessing.${kind}`
  if (x.shape.length < 2 || x.shape[0] < 1) return fail(op, 'x', 'training data [N, ...] with N >= 1 and rank >= 2', showShape(x.shape))
  if (per === 'channel' && x.shape.length < 3) return fail(op, 'per', 'per feature for data [N, D] (channels need [N, C, ...])', `per channel on ${showShape(x.shape)}`)
  const shape = statShape(x.shape, per)
  const statOf = Standardize.statIndex(x.shape, shape)!
  const m = sizeOf(shape)
  const count = new Float64Array(m), mean = new Float64Array(m), sq = new Float64Array(m)
  for (let i = 0; i < x.data.length; i++) { mean[statOf[i]] += x.data[i]; count[statOf[i]] += 1 }
  for (let k = 0; k < m; k++) mean[k] /= count[k] // (1)
  for (let i = 0; i < x.data.length; i++) { const c = x.data[i] - mean[statOf[i]]; sq[statOf[i]] += c * c }
  const std = new Float64Array(m)
  for (let k = 0; k < m; k++) {
    const s = Math.sqrt(sq[k] / count[k]) // (2)
    std[k] = kind === 'center' || s === 0 ? 1 : s // (3)
  }
  return E.right({ kind, per, mean: make(shape, mean), std: make(shape, std) })
}

export const transformScaler = (s: Scaler, x: Tensor): E.Either<OpError, Tensor> =>
  E.map((f: { outputs: Readonly<Record<string, Tensor>> }) => f.outputs.y)(
    Standardize.op.forward({ eps: 0 }, { x, mean: s.mean, std: s.std }))
