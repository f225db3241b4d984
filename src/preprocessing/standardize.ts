/**
 * `standardize` (case format, "Data: preprocessing and augmentation ops"):
 * torchvision's `Normalize` generalized to per-feature statistics. For x of
 * shape [N, ...], mean and std either per channel (shape [x.shape[1]]) or per
 * feature (shape x.shape[1:]); k(i) is the channel or the feature of flat
 * position i:
 *   (1) u_k = std_k + eps                              eps outside the std, default 0 (torchvision)
 *   (2) y_i = (x_i - mean_k) / u_k
 * Backward, g = dL/dy:
 *   (3) dx_i    = g_i / u_k
 *   (4) dmean_k = -sum_{i in k} g_i / u_k
 *   (5) dstd_k  = -sum_{i in k} g_i (x_i - mean_k) / u_k^2
 * (5) from d y_i / d u_k = -(x_i - mean_k) / u_k^2. The statistics are inputs,
 * not computed from x: fitting them on the training split is ./scaler.ts's
 * job, and applying the same fitted values to every split is what keeps the
 * validation and test sets out of the fit.
 */
import * as E from 'fp-ts/lib/Either.js'
import { number, schema } from '../core/attrs.ts'
import { fail, showShape } from '../core/errors.ts'
import { defineOp } from '../core/op.ts'
import { make, sameShape, sizeOf } from '../core/tensor.ts'

export interface Attrs { readonly eps: number }

export interface Cache {
  /** k(i): the statistic each flat position of x uses */
  readonly statOf: Int32Array
  readonly shape: readonly number[]
  readonly statShape: readonly number[]
  readonly centred: Float64Array
  readonly u: Float64Array
}

const NAME = 'standardize'

/** Per channel ([C]) or per feature (x.shape[1:]): the map k(i), or undefined when the shape is neither. */
export const statIndex = (xShape: readonly number[], statShape: readonly number[]): Int32Array | undefined => {
  const n = sizeOf(xShape)
  const inner = sizeOf(xShape.slice(2))
  const feature = sizeOf(xShape.slice(1))
  if (sameShape(statShape, xShape.slice(1))) return Int32Array.from({ length: n }, (_, i) => (feature === 0 ? 0 : i % feature))
  if (statShape.length === 1 && statShape[0] === xShape[1]) return Int32Array.from({ length: n }, (_, i) => Math.floor(i / inner) % xShape[1])
  return undefined
}

export const op = defineOp<Attrs, Cache>({
  name: NAME,
  inputs: [{ name: 'x' }, { name: 'mean' }, { name: 'std' }],
  outputs: ['y'],
  attrs: schema<Attrs>({ eps: number(0, { min: 0 }) }),
  forward: ({ eps }, inputs) => {
    const x = inputs.x!, mean = inputs.mean!, std = inputs.std!
    if (x.shape.length < 2) return fail(NAME, 'inputs.x', 'a tensor [N, D] or [N, C, ...] (rank >= 2)', showShape(x.shape))
    const statOf = statIndex(x.shape, mean.shape)
    if (statOf === undefined) {
      return fail(NAME, 'inputs.mean', `per channel ${showShape([x.shape[1]])} or per feature ${showShape(x.shape.slice(1))}`, showShape(mean.shape))
    }
    if (!sameShape(std.shape, mean.shape)) return fail(NAME, 'inputs.std', `${showShape(mean.shape)} (mean's shape)`, showShape(std.shape))
    const u = new Float64Array(std.data.length)
    for (let k = 0; k < u.length; k++) {
      u[k] = std.data[k] + eps // (1)
      if (u[k] === 0) return fail(NAME, 'inputs.std', 'std + eps != 0 everywhere', `0 at ${k}`, 'a constant feature has std 0: fit with ./scaler.ts, which keeps it unscaled, or pass eps > 0')
    }
    const centred = new Float64Array(x.data.length)
    const y = new Float64Array(x.data.length)
    for (let i = 0; i < y.length; i++) {
      const k = statOf[i]
      centred[i] = x.data[i] - mean.data[k]
      y[i] = centred[i] / u[k] // (2)
    }
    return E.right({ outputs: { y: make(x.shape, y) }, cache: { statOf, shape: x.shape, statShape: mean.shape, centred, u } })
  },
  backward: (_attrs, { statOf, shape, statShape, centred, u }, { y: g }) => {
    const dx = new Float64Array(g.data.length)
    const dmean = new Float64Array(u.length)
    const dstd = new Float64Array(u.length)
    for (let i = 0; i < dx.length; i++) {
      const k = statOf[i]
      dx[i] = g.data[i] / u[k] // (3)
      dmean[k] -= g.data[i] / u[k] // (4)
      dstd[k] -= (g.data[i] * centred[i]) / (u[k] * u[k]) // (5)
    }
    return { x: make(shape, dx), mean: make(statShape, dmean), std: make(statShape, dstd) }
  },
})
