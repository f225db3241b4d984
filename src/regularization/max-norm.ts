/**
 * Max-norm constraint (Srebro & Shraibman 2005; Srivastava et al. 2014, with
 * dropout), as `torch.renorm(w, 2, 0, max_norm)`: every row w_r (a slice along
 * dim 0) whose L2 norm exceeds the bound is scaled back to it, c = max_norm:
 *   (1) n_r = ||w_r||_2
 *   (2) w'_r = w_r c / (n_r + 1e-7)   if n_r > c        (PyTorch's 1e-7, so n'_r < c strictly)
 *       w'_r = w_r                    otherwise (n_r = c included)
 * Backward, g = dL/dw' (PyTorch's renorm_backward), for a scaled row with f = c / (n + 1e-7):
 *   (3) dw_r = f g_r - f (w_r . g_r) w_r / (n_r (n_r + 1e-7))
 *       and dw_r = g_r for a row left alone.
 * Idempotent: a scaled row has norm n c / (n + 1e-7) < c, so a second pass leaves it.
 */
import * as E from 'fp-ts/lib/Either.js'
import { number, schema } from '../core/attrs.ts'
import { fail } from '../core/errors.ts'
import { defineOp } from '../core/op.ts'
import { type Shape, make } from '../core/tensor.ts'

export interface Attrs { readonly max_norm: number }
export interface Cache { readonly w: Float64Array; readonly norms: Float64Array; readonly shape: Shape }

const OP = 'max_norm'
export const EPS = 1e-7

export const op = defineOp<Attrs, Cache>({
  name: OP,
  inputs: [{ name: 'w' }],
  outputs: ['w'],
  attrs: schema<Attrs>({ max_norm: number(undefined, { min: 0 }) }),
  forward: ({ max_norm: c }, { w }) => {
    // torch.renorm refuses fewer than 2 dimensions; so does the oracle.
    if (w!.shape.length < 2) return fail(OP, 'inputs.w', 'a tensor [out, ...] of rank >= 2 with rows along dim 0', `shape [${w!.shape}]`, 'as torch.renorm; reshape a vector to [n, 1] or [1, n]')
    const rows = w!.shape[0], len = rows === 0 ? 0 : w!.data.length / rows
    const out = new Float64Array(w!.data.length), norms = new Float64Array(rows)
    // #region renorm
    for (let r = 0; r < rows; r++) {
      let s = 0
      for (let k = 0; k < len; k++) s += w!.data[r * len + k] ** 2
      const n = Math.sqrt(s) // (1)
      norms[r] = n
      const f = n > c ? c / (n + EPS) : 1 // (2)
      for (let k = 0; k < len; k++) out[r * len + k] = w!.data[r * len + k] * f // (2)
    }
    // #endregion renorm
    return E.right({ outputs: { w: make(w!.shape, out) }, cache: { w: w!.data, norms, shape: w!.shape } })
  },
  backward: ({ max_norm: c }, { w, norms, shape }, { w: g }) => {
    const rows = shape[0], len = rows === 0 ? 0 : w.length / rows
    const dw = new Float64Array(w.length)
    for (let r = 0; r < rows; r++) {
      const n = norms[r]
      if (!(n > c)) { for (let k = 0; k < len; k++) dw[r * len + k] = g.data[r * len + k]; continue } // (3) row left alone
      const f = c / (n + EPS)
      let wg = 0
      for (let k = 0; k < len; k++) wg += w[r * len + k] * g.data[r * len + k]
      for (let k = 0; k < len; k++) dw[r * len + k] = f * g.data[r * len + k] - f * wg * w[r * len + k] / (n * (n + EPS)) // (3)
    }
    return { w: make(shape, dw) }
  },
})
