/**
 * The bias-free dense layer that LSUV calibrates and the activation-statistics
 * experiment stacks (src/experiments/activation-stats.ts):
 *   (1) z = x W^T               x [B, in], W [out, in] (PyTorch's layout)
 *   (2) h = f(z),  f = identity | relu | tanh
 * (1) is written as row-by-row dot products with four partial sums: both
 * operands are then read contiguously, about twice as fast in V8 as the saxpy
 * order of core/tensor.ts's matmul; results agree with it up to summation
 * order (spec/experiments/dense.spec.ts).
 */

export const ACTIVATIONS = ['linear', 'relu', 'tanh'] as const
export type Activation = (typeof ACTIVATIONS)[number]

/** (1) on raw row-major arrays; the result is a fresh [batch, outF] array. */
export const denseForward = (x: Float64Array, w: Float64Array, batch: number, inF: number, outF: number): Float64Array => {
  const out = new Float64Array(batch * outF)
  for (let s = 0; s < batch; s++) {
    const xo = s * inF
    for (let j = 0; j < outF; j++) {
      const wo = j * inF
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0
      let i = 0
      for (; i + 3 < inF; i += 4) {
        a0 += x[xo + i] * w[wo + i]
        a1 += x[xo + i + 1] * w[wo + i + 1]
        a2 += x[xo + i + 2] * w[wo + i + 2]
        a3 += x[xo + i + 3] * w[wo + i + 3]
      }
      for (; i < inF; i++) a0 += x[xo + i] * w[wo + i]
      out[s * outF + j] = (a0 + a1) + (a2 + a3) // (1)
    }
  }
  return out
}

/** (2), into a fresh array; relu is written so that NaN passes through, as PyTorch's. */
export const activate = (z: Float64Array, f: Activation): Float64Array => {
  if (f === 'linear') return Float64Array.from(z)
  const out = new Float64Array(z.length)
  if (f === 'relu') for (let i = 0; i < z.length; i++) out[i] = z[i] <= 0 ? 0 : z[i] // (2)
  else for (let i = 0; i < z.length; i++) out[i] = Math.tanh(z[i]) // (2)
  return out
}

/** Population (biased, divide by N) mean and variance of all entries, two-pass for accuracy. */
export const moments = (v: Float64Array): { mean: number; variance: number } => {
  const n = v.length
  if (n === 0) return { mean: Number.NaN, variance: Number.NaN }
  let s = 0
  for (let i = 0; i < n; i++) s += v[i]
  const mean = s / n
  let ss = 0, c = 0
  for (let i = 0; i < n; i++) { const d = v[i] - mean; ss += d * d; c += d }
  // the second pass's correction term (Chan, Golub & LeVeque 1983): sum(d) is 0
  // in exact arithmetic, and subtracting c^2/n removes the first pass's rounding
  return { mean, variance: Math.max(0, (ss - (c * c) / n) / n) }
}
