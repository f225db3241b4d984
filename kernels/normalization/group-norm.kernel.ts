/**
 * Float32 mirror of src/normalization/group-norm.ts (PyTorch F.group_norm),
 * x [N, C, ...], C divisible by G = num_groups; the C/G consecutive channels
 * of a group with all their spatial positions form one group of L = (C/G) S
 * values per sample (./standardize.kernel.ts with nN = 1, nC = C/G):
 *   (1) mu_ng, var_ng = mean and biased variance of the block
 *   (2) xhat = (x - mu_ng) / sqrt(var_ng + eps)
 *   (3) y = gamma_c xhat + beta_c, per CHANNEL, not per group
 * Backward, g = dL/dy:
 *   (4) dxhat = g gamma_c, dgamma_c = sum over n and space of g xhat, dbeta_c = sum of g
 *   (5) dx = r_ng / L (L dxhat - sum_block dxhat - xhat sum_block(dxhat xhat))
 * Validation and messages are src's.
 */
import * as E from 'fp-ts/lib/Either.js'
import { fail, showShape } from '../../src/core/errors.ts'
import { checkInputs } from '../../src/core/op.ts'
import type { Tensor } from '../../src/core/tensor.ts'
import { checkPerChannel, layoutOf } from '../../src/normalization/channels.ts'
import * as GroupNorm from '../../src/normalization/group-norm.ts'
import { type KernelOp, upload } from '../op.ts'
import { ran } from '../runtime.ts'
import * as St from './standardize.kernel.ts'

export interface Cache { readonly st: St.Standardized }

const NAME = 'group_norm'

export const op: KernelOp<GroupNorm.Attrs, Cache> = {
  name: NAME,
  parseAttrs: GroupNorm.op.parseAttrs,
  forward: async (dev, attrs, inputs) => {
    const checked = checkInputs(NAME, GroupNorm.op.inputs, inputs)
    if (E.isLeft(checked)) return checked
    const xt = inputs.x!
    if (xt.shape.length < 2) return fail(NAME, 'inputs.x', 'rank >= 2, [N, C, ...]', showShape(xt.shape))
    const layout = layoutOf(xt.shape)
    const groups = attrs.num_groups
    if (layout.c % groups !== 0) return fail(NAME, 'attrs.num_groups', `a divisor of the channel count ${layout.c}`, String(groups))
    const block = (layout.c / groups) * layout.spatial
    if (layout.n * block === 1) {
      return fail(NAME, 'inputs.x', 'more than one value per group over the batch (N * C/G * prod(spatial) > 1)', showShape(xt.shape),
        "PyTorch raises 'Expected more than 1 value per channel when training'")
    }
    for (const name of ['weight', 'bias']) {
      const r = checkPerChannel(NAME, name, inputs[name], layout.c)
      if (E.isLeft(r)) return r
    }
    const blocks: St.Blocks = { n: layout.n, c: layout.c, s: layout.spatial, nN: 1, nC: layout.c / groups, groups: [layout.n, groups] }
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
