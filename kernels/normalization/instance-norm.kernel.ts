/**
 * Float32 mirror of src/normalization/instance-norm.ts (PyTorch
 * F.instance_norm with use_input_stats, no running statistics), x [N, C, ...]
 * with at least one spatial dimension; each (sample, channel) plane of S
 * values is one group (./standardize.kernel.ts with nN = 1, nC = 1):
 *   (1) mu_nc, var_nc = mean and biased variance of the plane
 *   (2) xhat = (x - mu_nc) / sqrt(var_nc + eps)
 *   (3) y = gamma_c xhat + beta_c
 * Backward, g = dL/dy:
 *   (4) dxhat = g gamma_c, dgamma_c = sum over n and the plane of g xhat, dbeta_c = sum of g
 *   (5) dx = r_nc / S (S dxhat - sum_plane dxhat - xhat sum_plane(dxhat xhat))
 * Validation and messages are src's (a plane of one value is an error).
 */
import * as E from 'fp-ts/lib/Either.js'
import { fail, showShape } from '../../src/core/errors.ts'
import { checkInputs } from '../../src/core/op.ts'
import type { Tensor } from '../../src/core/tensor.ts'
import { checkPerChannel, layoutOf } from '../../src/normalization/channels.ts'
import * as InstanceNorm from '../../src/normalization/instance-norm.ts'
import { type KernelOp, upload } from '../op.ts'
import { ran } from '../runtime.ts'
import * as St from './standardize.kernel.ts'

export interface Cache { readonly st: St.Standardized }

const NAME = 'instance_norm'

export const op: KernelOp<InstanceNorm.Attrs, Cache> = {
  name: NAME,
  parseAttrs: InstanceNorm.op.parseAttrs,
  forward: async (dev, attrs, inputs) => {
    const checked = checkInputs(NAME, InstanceNorm.op.inputs, inputs)
    if (E.isLeft(checked)) return checked
    const xt = inputs.x!
    if (xt.shape.length < 3) return fail(NAME, 'inputs.x', 'rank >= 3, [N, C, spatial...]', showShape(xt.shape))
    const layout = layoutOf(xt.shape)
    if (layout.spatial === 1) {
      return fail(NAME, 'inputs.x', 'more than one spatial element per (sample, channel)', showShape(xt.shape),
        "PyTorch raises 'Expected more than 1 spatial element when training'")
    }
    for (const name of ['weight', 'bias']) {
      const r = checkPerChannel(NAME, name, inputs[name], layout.c)
      if (E.isLeft(r)) return r
    }
    const blocks: St.Blocks = { n: layout.n, c: layout.c, s: layout.spatial, nN: 1, nC: 1, groups: [layout.n, layout.c] }
    const x = upload(xt, [blocks.n, blocks.c, blocks.s])
    const stats = await St.moments(dev, blocks, x) // (1)
    if (E.isLeft(stats)) return stats
    const r = await St.inverseStd(dev, stats.right.variance, attrs.eps) // (2)
    if (E.isLeft(r)) return r
    const { weight, bias } = inputs
    const st: St.Standardized = {
      shape: xt.shape, blocks, x, mu: stats.right.mu, r: r.right, gamma: St.param(weight), hasWeight: weight !== undefined, hasBias: bias !== undefined,
    }
    const y = await St.forward(dev, st, St.param(bias)) // (2), (3)
    if (E.isLeft(y)) return y
    return E.right(ran(dev, { outputs: { y: y.right }, cache: { st } }))
  },
  backward: async (dev, _attrs, { st }, { y: g }) =>
    E.map((v: Record<string, Tensor>) => ran(dev, v))(await St.backward(dev, st, g, false)), // (4), (5)
}
