/**
 * What instance norm and group norm share, on x [N, C, ...]: standardize over
 * a partition of the positions (./standardize.ts), then an affine map with
 * one gamma and beta per channel (./affine.ts). The ops differ only in their
 * validation and their partition (one group per (sample, channel) plane, or
 * per (sample, group of channels)), which they pass in.
 *   (1), (2) xhat from the moments of each group        (3) y = gamma_c xhat + beta_c
 *   (4) dxhat = g gamma_c, dgamma_c, dbeta_c             (5) the compact dx of each group
 */
import * as E from 'fp-ts/lib/Either.js'
import type { OpError } from '../core/errors.ts'
import type { Forward, Inputs, Tensors } from '../core/op.ts'
import { type Tensor, make } from '../core/tensor.ts'
import * as Affine from './affine.ts'
import { type Layout, channelOf, checkPerChannel } from './channels.ts'
import * as Standardize from './standardize.ts'

export interface Cache {
  readonly partition: Standardize.Partition
  readonly standardized: Standardize.Standardized
  readonly affine: Affine.Affine
}

export const forward = (op: string, x: Tensor, inputs: Inputs, layout: Layout, part: Standardize.Partition, eps: number): E.Either<OpError, Forward<Cache>> => {
  for (const name of ['weight', 'bias']) {
    const r = checkPerChannel(op, name, inputs[name], layout.c)
    if (E.isLeft(r)) return r
  }
  const standardized = Standardize.standardize(x.data, part, Standardize.moments(x.data, part), eps) // (1), (2)
  const affine: Affine.Affine = { paramOf: Int32Array.from({ length: x.data.length }, (_, i) => channelOf(layout)(i)), weight: inputs.weight, bias: inputs.bias }
  const y = make(x.shape, Affine.forward(affine, standardized.xhat)) // (3)
  return E.right({ outputs: { y }, cache: { partition: part, standardized, affine } })
}

export const backward = ({ partition, standardized, affine }: Cache, g: Tensor): Tensors => {
  const { dxhat, ...params } = Affine.backward(affine, standardized.xhat, g.data) // (4)
  return { x: make(g.shape, Standardize.backward(partition, standardized, dxhat)), ...params } // (5)
}
