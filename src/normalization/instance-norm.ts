/**
 * Instance normalization (Ulyanov, Vedaldi & Lempitsky 2016), PyTorch
 * `F.instance_norm` with `use_input_stats=True` and no running statistics,
 * x [N, C, ...] with at least one spatial dimension. Each (sample, channel)
 * plane of S = prod(spatial) values is one group (./standardize.ts):
 *   (1) mu_nc, var_nc = mean and biased variance of the plane
 *   (2) xhat = (x - mu_nc) / sqrt(var_nc + eps)
 *   (3) y = gamma_c xhat + beta_c                                      (./affine.ts)
 * Backward, g = dL/dy:
 *   (4) dxhat = g gamma_c, dgamma_c = sum over n and the plane of g xhat, dbeta_c = sum of g
 *   (5) dx = r_nc / S (S dxhat - sum_plane dxhat - xhat sum_plane(dxhat xhat))
 *
 * As in PyTorch, a plane of one value (S = 1, e.g. [N, C, 1]) is an error:
 * its variance is 0 and y would be beta whatever x. There is no training mode.
 */
import * as E from 'fp-ts/lib/Either.js'
import { number, schema } from '../core/attrs.ts'
import { type OpError, fail, showShape } from '../core/errors.ts'
import { defineOp } from '../core/op.ts'
import type { Tensor } from '../core/tensor.ts'
import { type Layout, layoutOf } from './channels.ts'
import * as PerChannel from './per-channel.ts'
import * as Standardize from './standardize.ts'

export interface Attrs { readonly eps: number }

export type Cache = PerChannel.Cache

const NAME = 'instance_norm'

/** The edge on x (the per-channel parameters are checked by ./per-channel.ts); the fast path shares it. */
export const validate = (x: Tensor): E.Either<OpError, Layout> => {
  if (x.shape.length < 3) return fail(NAME, 'inputs.x', 'rank >= 3, [N, C, spatial...]', showShape(x.shape))
  const layout = layoutOf(x.shape)
  if (layout.spatial === 1) {
    return fail(NAME, 'inputs.x', 'more than one spatial element per (sample, channel)', showShape(x.shape),
      "PyTorch raises 'Expected more than 1 spatial element when training'")
  }
  return E.right(layout)
}

export const op = defineOp<Attrs, Cache>({
  name: NAME,
  inputs: [{ name: 'x' }, { name: 'weight', optional: true }, { name: 'bias', optional: true }],
  outputs: ['y'],
  attrs: schema<Attrs>({ eps: number(1e-5, { min: 0 }) }),
  forward: (attrs, inputs) => {
    const x = inputs.x!
    const checked = validate(x)
    if (E.isLeft(checked)) return checked
    const layout = checked.right
    const part = Standardize.partition(x.data.length, layout.n * layout.c, (i) => Math.floor(i / layout.spatial))
    return PerChannel.forward(NAME, x, inputs, layout, part, attrs.eps) // (1)-(3)
  },
  backward: (_attrs, cache, { y: g }) => PerChannel.backward(cache, g), // (4), (5)
})
