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
import { fail, showShape } from '../core/errors.ts'
import { defineOp } from '../core/op.ts'
import { make } from '../core/tensor.ts'
import * as Affine from './affine.ts'
import { channelOf, checkPerChannel, layoutOf } from './channels.ts'
import * as Standardize from './standardize.ts'

export interface Attrs { readonly eps: number }

export interface Cache {
  readonly partition: Standardize.Partition
  readonly standardized: Standardize.Standardized
  readonly affine: Affine.Affine
}

const NAME = 'instance_norm'

export const op = defineOp<Attrs, Cache>({
  name: NAME,
  inputs: [{ name: 'x' }, { name: 'weight', optional: true }, { name: 'bias', optional: true }],
  outputs: ['y'],
  attrs: schema<Attrs>({ eps: number(1e-5, { min: 0 }) }),
  forward: (attrs, inputs) => {
    const x = inputs.x!
    if (x.shape.length < 3) return fail(NAME, 'inputs.x', 'rank >= 3, [N, C, spatial...]', showShape(x.shape))
    const layout = layoutOf(x.shape)
    if (layout.spatial === 1) {
      return fail(NAME, 'inputs.x', 'more than one spatial element per (sample, channel)', showShape(x.shape),
        "PyTorch raises 'Expected more than 1 spatial element when training'")
    }
    for (const name of ['weight', 'bias']) {
      const r = checkPerChannel(NAME, name, inputs[name], layout.c)
      if (E.isLeft(r)) return r
    }
    const part = Standardize.partition(x.data.length, layout.n * layout.c, (i) => Math.floor(i / layout.spatial))
    const standardized = Standardize.standardize(x.data, part, Standardize.moments(x.data, part), attrs.eps) // (1), (2)
    const affine: Affine.Affine = { paramOf: Int32Array.from({ length: x.data.length }, (_, i) => channelOf(layout)(i)), weight: inputs.weight, bias: inputs.bias }
    const y = make(x.shape, Affine.forward(affine, standardized.xhat)) // (3)
    return E.right({ outputs: { y }, cache: { partition: part, standardized, affine } })
  },
  backward: (_attrs, { partition, standardized, affine }, { y: g }) => {
    const { dxhat, ...params } = Affine.backward(affine, standardized.xhat, g.data) // (4)
    return { x: make(g.shape, Standardize.backward(partition, standardized, dxhat)), ...params } // (5)
  },
})
