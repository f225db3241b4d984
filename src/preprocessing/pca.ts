/**
 * PCA and whitening as fit/transform values (cs231n, "Data preprocessing"):
 * `fit` reads the TRAINING split only,
 *   (1) mean = (1/N) sum_n x_n
 *   (2) C = (1/N) Xc^T Xc                  biased covariance, Xc = X - mean (cs231n's X.T @ X / N)
 *   (3) C = P^T diag(variances) P           ./eigen.ts: rows of P are the components, variances descending
 *   (4) variances clamped at 0              rounding can leave -1e-17 where C is singular
 * and `transform` applies the catalogue op `pca_whiten` (./pca-whiten.ts) with
 * those values, unchanged, to any split; images are flattened to [N, D]
 * first. With `keep` < D only the first `keep` columns (the top components:
 * dimensionality reduction) are returned.
 * What follows (spec/preprocessing/pca.spec.ts): the rotated training data has
 * the diagonal covariance diag(variances); whitened with eps = 0, the identity.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail, showShape } from '../core/errors.ts'
import { type Tensor, make, sizeOf } from '../core/tensor.ts'
import { symmetricEigen } from './eigen.ts'
import * as PcaWhiten from './pca-whiten.ts'

export interface Pca {
  readonly mean: Tensor
  readonly components: Tensor
  readonly variances: Tensor
  readonly whiten: boolean
  readonly eps: number
  readonly keep: number
}

/** The most features PCA accepts: Jacobi's O(D^3) sweeps take seconds at 784. */
export const PCA_MAX_FEATURES = 1024

export const flat = (x: Tensor): Tensor => make([x.shape[0], sizeOf(x.shape.slice(1))], x.data, x.dtype)

export const fitPca = (x0: Tensor, o: { readonly whiten: boolean; readonly eps?: number; readonly keep?: number }): E.Either<OpError, Pca> => {
  const op = 'preprocessing.pca'
  if (x0.shape.length < 2 || x0.shape[0] < 1) return fail(op, 'x', 'training data [N, ...] with N >= 1 and rank >= 2', showShape(x0.shape))
  const x = flat(x0)
  const [n, d] = x.shape
  if (d > PCA_MAX_FEATURES) return fail(op, 'x', `at most ${PCA_MAX_FEATURES} features`, String(d))
  const eps = o.eps ?? 1e-5
  if (!(eps >= 0) || !Number.isFinite(eps)) return fail(op, 'eps', 'a finite number >= 0', String(eps))
  const keep = o.keep ?? d
  if (!Number.isSafeInteger(keep) || keep < 1 || keep > d) return fail(op, 'keep', `an integer in 1..${d}`, String(keep))
  const mean = new Float64Array(d)
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x.data[i * d + j]
  for (let j = 0; j < d; j++) mean[j] /= n // (1)
  const cov = new Float64Array(d * d)
  const xc = new Float64Array(d)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) xc[j] = x.data[i * d + j] - mean[j]
    for (let a = 0; a < d; a++) {
      const va = xc[a]
      for (let b = a; b < d; b++) cov[a * d + b] += va * xc[b]
    }
  }
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) { cov[a * d + b] /= n; cov[b * d + a] = cov[a * d + b] } // (2)
  const eig = symmetricEigen(cov, d) // (3)
  const variances = eig.values.map((v) => Math.max(0, v)) // (4)
  return E.right({ mean: make([d], mean), components: make([d, d], eig.vectors), variances: make([d], variances), whiten: o.whiten, eps, keep })
}

export const transformPca = (p: Pca, x0: Tensor): E.Either<OpError, Tensor> => {
  const x = flat(x0)
  const r = PcaWhiten.op.forward({ whiten: p.whiten, eps: p.eps }, { x, mean: p.mean, components: p.components, variances: p.variances })
  if (E.isLeft(r)) return r
  const y = r.right.outputs.y
  const d = y.shape[1]
  if (p.keep === d) return E.right(y)
  const out = new Float64Array(y.shape[0] * p.keep)
  for (let i = 0; i < y.shape[0]; i++) out.set(y.data.subarray(i * d, i * d + p.keep), i * p.keep)
  return E.right(make([y.shape[0], p.keep], out))
}
