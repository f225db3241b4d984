/**
 * Standardization over a partition of positions: the step batch, layer,
 * instance and group normalization share. Each op only says which flat
 * positions i of x form a group k = k(i) (a channel across the batch, a row, a
 * (sample, channel) plane, a (sample, group of channels) block); n_k = |group k|.
 *   (1) mu_k  = (1/n_k) sum_{i in k} x_i
 *   (2) var_k = (1/n_k) sum_{i in k} (x_i - mu_k)^2       biased: divide by n_k, in every framework
 *   (3) r_k   = 1 / sqrt(var_k + eps)                      eps inside the root
 *   (4) xhat_i = (x_i - mu_k) r_k
 * Backward, given dxhat = dL/dxhat (the affine map's output, ./affine.ts):
 *   (5) dx_i = r_k / n_k (n_k dxhat_i - sum_{j in k} dxhat_j - xhat_i sum_{j in k} dxhat_j xhat_j)
 * exact with eps > 0: from d xhat_i / d x_j = r (delta_ij - 1/n) - r xhat_i xhat_j / n, since
 * d r / d x_j = -r^3 (x_j - mu) / n. With statistics that are given rather than computed from
 * x (batch norm in evaluation, mu_k and var_k the running ones), (4) is affine in x and
 *   (6) dx_i = r_k dxhat_i
 */

/** A partition of the flat positions 0..size-1 into `groups` groups. */
export interface Partition {
  readonly groups: number
  /** k(i) for every flat position i */
  readonly groupOf: Int32Array
  /** n_k */
  readonly count: Float64Array
}

export const partition = (size: number, groups: number, groupOf: (i: number) => number): Partition => {
  const of = new Int32Array(size)
  const count = new Float64Array(groups)
  for (let i = 0; i < size; i++) {
    of[i] = groupOf(i)
    count[of[i]] += 1
  }
  return { groups, groupOf: of, count }
}

/** Per-group statistics: computed by (1)-(2), or given (running statistics). */
export interface Moments {
  readonly mean: Float64Array
  readonly variance: Float64Array
}

/**
 * (1)-(2) in two passes: the mean first, then squared deviations from it,
 * never E[x^2] - E[x]^2, which cancels catastrophically when |mu| >> sigma.
 * An empty group gets NaN statistics that no position reads.
 */
// #region moments
export const moments = (x: Float64Array, p: Partition): Moments => {
  const mean = new Float64Array(p.groups)
  const variance = new Float64Array(p.groups)
  for (let i = 0; i < x.length; i++) mean[p.groupOf[i]] += x[i]
  for (let k = 0; k < p.groups; k++) mean[k] /= p.count[k] // (1)
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - mean[p.groupOf[i]]
    variance[p.groupOf[i]] += d * d
  }
  for (let k = 0; k < p.groups; k++) variance[k] /= p.count[k] // (2)
  return { mean, variance }
}
// #endregion moments

/** What (5) and (6) need. */
export interface Standardized {
  readonly xhat: Float64Array
  readonly invStd: Float64Array
}

// #region standardize
export const standardize = (x: Float64Array, p: Partition, m: Moments, eps: number): Standardized => {
  const invStd = new Float64Array(p.groups)
  for (let k = 0; k < p.groups; k++) invStd[k] = 1 / Math.sqrt(m.variance[k] + eps) // (3)
  const xhat = new Float64Array(x.length)
  for (let i = 0; i < x.length; i++) xhat[i] = (x[i] - m.mean[p.groupOf[i]]) * invStd[p.groupOf[i]] // (4)
  return { xhat, invStd }
}
// #endregion standardize

/** (5): the gradient through statistics computed from x itself. */
// #region backward
export const backward = (p: Partition, s: Standardized, dxhat: Float64Array): Float64Array => {
  const sumD = new Float64Array(p.groups)
  const sumDX = new Float64Array(p.groups)
  for (let i = 0; i < dxhat.length; i++) {
    sumD[p.groupOf[i]] += dxhat[i]
    sumDX[p.groupOf[i]] += dxhat[i] * s.xhat[i]
  }
  const dx = new Float64Array(dxhat.length)
  for (let i = 0; i < dx.length; i++) {
    const k = p.groupOf[i], n = p.count[k]
    dx[i] = (s.invStd[k] / n) * (n * dxhat[i] - sumD[k] - s.xhat[i] * sumDX[k]) // (5)
  }
  return dx
}
// #endregion backward

/** (6): the gradient when the statistics are constants. */
export const backwardAtFixedMoments = (p: Partition, s: Standardized, dxhat: Float64Array): Float64Array => {
  const dx = new Float64Array(dxhat.length)
  for (let i = 0; i < dx.length; i++) dx[i] = s.invStd[p.groupOf[i]] * dxhat[i] // (6)
  return dx
}
