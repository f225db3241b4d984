/**
 * Exact expectations over Bernoulli keep masks, for the laws that compare an
 * evaluation-mode output with the mean training output (dropout, DropConnect,
 * stochastic depth). With n independent bits, each kept with probability q,
 * the 2^n masks are enumerated and weighted q^kept (1 - q)^dropped.
 *
 * Rounding of the result (used by the laws' tolerances): each weight is a
 * product of n factors (relative error <= n u, u = EPS64 / 2), each sampled
 * output carries its own relative error, and the weighted sum of N = 2^n terms
 * adds at most (N - 1) u sum_k w_k |y_k| (Higham, eq. 3.5). `absMean` returns
 * that sum_k w_k |y_k| per element, the scale the tolerance multiplies.
 */
export interface Expectation { readonly mean: Float64Array; readonly absMean: Float64Array; readonly masks: number }

export const expectOverMasks = (n: number, keep: number, f: (mask: Float64Array) => Float64Array): Expectation => {
  const N = 2 ** n
  let mean: Float64Array | undefined, absMean: Float64Array | undefined
  for (let code = 0; code < N; code++) {
    const mask = new Float64Array(n)
    let w = 1
    for (let j = 0; j < n; j++) {
      mask[j] = (code >> j) & 1
      w *= mask[j] === 1 ? keep : 1 - keep
    }
    const y = f(mask)
    mean ??= new Float64Array(y.length)
    absMean ??= new Float64Array(y.length)
    for (let i = 0; i < y.length; i++) {
      mean[i] += w * y[i]
      absMean[i] += w * Math.abs(y[i])
    }
  }
  return { mean: mean ?? new Float64Array(0), absMean: absMean ?? new Float64Array(0), masks: N }
}

/**
 * Hoeffding (1963), Theorem 2: for independent X_i in [a_i, b_i] and
 * S = sum X_i, P(|S - E S| >= t) <= 2 exp(-2 t^2 / sum (b_i - a_i)^2).
 * The deviation t at which that bound equals delta.
 */
export const hoeffdingDeviation = (sumSquaredRanges: number, delta: number): number =>
  Math.sqrt((Math.log(2 / delta) / 2) * sumSquaredRanges)
