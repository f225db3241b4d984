/**
 * `pca_whiten` (case format, "Data: preprocessing and augmentation ops"):
 * the PCA rotation of cs231n's "Data preprocessing", with optional whitening.
 * x [N, D], mean [D], components [D, D] whose rows are the principal
 * directions, variances [D] the variance along each:
 *   (1) xc = x - mean
 *   (2) z  = xc components^T              z_nk = sum_j xc_nj P_kj
 *   (3) y  = z                            without whitening
 *       y_nk = z_nk / sqrt(var_k + eps)   with whiten (eps inside the root, default 1e-5)
 * Backward, g = dL/dy; gradients only for x (the fitted statistics are
 * constants, case format):
 *   (4) dz_nk = g_nk / sqrt(var_k + eps)  (or g_nk)
 *   (5) dx = dz components                dx_nj = sum_k dz_nk P_kj
 * Fitting mean, components and variances on the training split: ./pca.ts.
 */
import * as E from 'fp-ts/lib/Either.js'
import { boolean, number, schema } from '../core/attrs.ts'
import { fail, showShape } from '../core/errors.ts'
import { defineOp } from '../core/op.ts'
import { make } from '../core/tensor.ts'

export interface Attrs { readonly whiten: boolean; readonly eps: number }

export interface Cache {
  readonly n: number
  readonly d: number
  readonly components: Float64Array
  /** sqrt(var_k + eps), or all ones without whitening: what (4) needs */
  readonly root: Float64Array
}

const NAME = 'pca_whiten'

export const op = defineOp<Attrs, Cache>({
  name: NAME,
  inputs: [{ name: 'x' }, { name: 'mean', grad: false }, { name: 'components', grad: false }, { name: 'variances', grad: false }],
  outputs: ['y'],
  attrs: schema<Attrs>({ whiten: boolean(false), eps: number(1e-5, { min: 0 }) }),
  forward: ({ whiten, eps }, inputs) => {
    const x = inputs.x!, mean = inputs.mean!, comp = inputs.components!, vars = inputs.variances!
    if (x.shape.length !== 2) return fail(NAME, 'inputs.x', 'a matrix [N, D] (flatten images first)', showShape(x.shape))
    const [n, d] = x.shape
    if (mean.shape.length !== 1 || mean.shape[0] !== d) return fail(NAME, 'inputs.mean', `[${d}] (one mean per feature of x)`, showShape(mean.shape))
    if (comp.shape.length !== 2 || comp.shape[0] !== d || comp.shape[1] !== d) return fail(NAME, 'inputs.components', `[${d}, ${d}] (rows are the principal directions)`, showShape(comp.shape))
    if (vars.shape.length !== 1 || vars.shape[0] !== d) return fail(NAME, 'inputs.variances', `[${d}] (one variance per component)`, showShape(vars.shape))
    const root = new Float64Array(d).fill(1)
    if (whiten) {
      for (let k = 0; k < d; k++) {
        const v = vars.data[k] + eps
        if (!(v > 0)) return fail(NAME, 'inputs.variances', 'variances + eps > 0 when whitening', `${vars.data[k]} + ${eps} at ${k}`, 'a direction of zero variance cannot be whitened; use eps > 0')
        root[k] = Math.sqrt(v) // (3)
      }
    }
    const xc = new Float64Array(d)
    const y = new Float64Array(n * d)
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) xc[j] = x.data[i * d + j] - mean.data[j] // (1)
      for (let k = 0; k < d; k++) {
        let z = 0
        for (let j = 0; j < d; j++) z += xc[j] * comp.data[k * d + j] // (2)
        y[i * d + k] = whiten ? z / root[k] : z // (3)
      }
    }
    return E.right({ outputs: { y: make([n, d], y) }, cache: { n, d, components: comp.data, root } })
  },
  // No skipping of zero cotangents: 0 * Inf in a component must stay NaN, as in any framework.
  backward: (_attrs, { n, d, components, root }, { y: g }) => {
    const dx = new Float64Array(n * d)
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < d; k++) {
        const dz = g.data[i * d + k] / root[k] // (4)
        for (let j = 0; j < d; j++) dx[i * d + j] += dz * components[k * d + j] // (5)
      }
    }
    return { x: make([n, d], dx) }
  },
})
