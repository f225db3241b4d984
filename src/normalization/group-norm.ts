/**
 * Group normalization (Wu & He 2018), PyTorch `F.group_norm`, x [N, C, ...],
 * C divisible by G = num_groups. The C/G consecutive channels of a group,
 * with all their spatial positions, form one group of L = (C/G) S values per
 * sample (./standardize.ts):
 *   (1) mu_ng, var_ng = mean and biased variance of the block
 *   (2) xhat = (x - mu_ng) / sqrt(var_ng + eps)
 *   (3) y = gamma_c xhat + beta_c, per CHANNEL, not per group       (./affine.ts)
 * Backward, g = dL/dy:
 *   (4) dxhat = g gamma_c, dgamma_c = sum over n and space of g xhat, dbeta_c = sum of g
 *   (5) dx = r_ng / L (L dxhat - sum_block dxhat - xhat sum_block(dxhat xhat))
 *
 * G = 1 is layer norm over (C, spatial...) with per-channel parameters and
 * G = C is instance norm. As in PyTorch (its batch-size check, applied to
 * [N C/G, G, spatial...]), N (C/G) S = 1 is an error; other blocks of a single
 * value are accepted and give y = beta. There is no training mode.
 */
import * as E from 'fp-ts/lib/Either.js'
import { integer, number, schema } from '../core/attrs.ts'
import { type OpError, fail, showShape } from '../core/errors.ts'
import { defineOp } from '../core/op.ts'
import type { Tensor } from '../core/tensor.ts'
import { type Layout, layoutOf } from './channels.ts'
import * as PerChannel from './per-channel.ts'
import * as Standardize from './standardize.ts'

export interface Attrs { readonly num_groups: number; readonly eps: number }

export type Cache = PerChannel.Cache

const NAME = 'group_norm'

/** The edge on x and num_groups (the per-channel parameters are checked by ./per-channel.ts); the fast path shares it. */
export const validate = (attrs: Attrs, x: Tensor): E.Either<OpError, Layout> => {
  if (x.shape.length < 2) return fail(NAME, 'inputs.x', 'rank >= 2, [N, C, ...]', showShape(x.shape))
  const layout = layoutOf(x.shape)
  const groups = attrs.num_groups
  if (layout.c % groups !== 0) {
    return fail(NAME, 'attrs.num_groups', `a divisor of the channel count ${layout.c}`, String(groups))
  }
  const block = (layout.c / groups) * layout.spatial
  if (layout.n * block === 1) {
    return fail(NAME, 'inputs.x', 'more than one value per group over the batch (N * C/G * prod(spatial) > 1)', showShape(x.shape),
      "PyTorch raises 'Expected more than 1 value per channel when training'")
  }
  return E.right(layout)
}

export const op = defineOp<Attrs, Cache>({
  name: NAME,
  inputs: [{ name: 'x' }, { name: 'weight', optional: true }, { name: 'bias', optional: true }],
  outputs: ['y'],
  attrs: schema<Attrs>({ num_groups: integer(undefined, 1), eps: number(1e-5, { min: 0 }) }),
  forward: (attrs, inputs) => {
    const x = inputs.x!
    const checked = validate(attrs, x)
    if (E.isLeft(checked)) return checked
    const layout = checked.right, groups = attrs.num_groups
    const block = (layout.c / groups) * layout.spatial
    const part = Standardize.partition(x.data.length, layout.n * groups, (i) => Math.floor(i / block))
    return PerChannel.forward(NAME, x, inputs, layout, part, attrs.eps) // (1)-(3)
  },
  backward: (_attrs, cache, { y: g }) => PerChannel.backward(cache, g), // (4), (5)
})
