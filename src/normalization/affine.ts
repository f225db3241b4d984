/**
 * The learned affine map after standardization (./standardize.ts), with one
 * (gamma, beta) pair per parameter index j = p(i): the channel for batch,
 * instance and group norm, the position inside the normalized shape for layer
 * norm. An absent weight is gamma = 1, an absent bias beta = 0 (PyTorch's
 * `weight=None`, `bias=None`).
 *   (1) y_i = gamma_{p(i)} xhat_i + beta_{p(i)}
 * Backward, g = dL/dy:
 *   (2) dxhat_i  = g_i gamma_{p(i)}
 *   (3) dgamma_j = sum_{p(i) = j} g_i xhat_i
 *   (4) dbeta_j  = sum_{p(i) = j} g_i
 */
import { type Tensor, make } from '../core/tensor.ts'

export interface Affine {
  /** p(i) for every flat position i of x */
  readonly paramOf: Int32Array
  readonly weight?: Tensor
  readonly bias?: Tensor
}

export const forward = (a: Affine, xhat: Float64Array): Float64Array => {
  const y = new Float64Array(xhat.length)
  const w = a.weight?.data, b = a.bias?.data
  for (let i = 0; i < y.length; i++) {
    const j = a.paramOf[i]
    y[i] = (w === undefined ? xhat[i] : w[j] * xhat[i]) + (b === undefined ? 0 : b[j]) // (1)
  }
  return y
}

export interface AffineGradients {
  readonly dxhat: Float64Array
  readonly weight?: Tensor
  readonly bias?: Tensor
}

export const backward = (a: Affine, xhat: Float64Array, g: Float64Array): AffineGradients => {
  const w = a.weight?.data
  const dxhat = w === undefined ? g : new Float64Array(g.length)
  if (w !== undefined) for (let i = 0; i < g.length; i++) dxhat[i] = g[i] * w[a.paramOf[i]] // (2)
  const out: { dxhat: Float64Array; weight?: Tensor; bias?: Tensor } = { dxhat }
  if (a.weight !== undefined) {
    const dgamma = new Float64Array(a.weight.data.length)
    for (let i = 0; i < g.length; i++) dgamma[a.paramOf[i]] += g[i] * xhat[i] // (3)
    out.weight = make(a.weight.shape, dgamma)
  }
  if (a.bias !== undefined) {
    const dbeta = new Float64Array(a.bias.data.length)
    for (let i = 0; i < g.length; i++) dbeta[a.paramOf[i]] += g[i] // (4)
    out.bias = make(a.bias.shape, dbeta)
  }
  return out
}
