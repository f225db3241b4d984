/**
 * Batch normalization (Ioffe & Szegedy 2015), PyTorch `F.batch_norm`, x [N, C, ...]
 * ([N, D] too). Each channel c is one group of the m = N * S values it takes
 * over the batch and the spatial positions (./standardize.ts, ./channels.ts).
 * Training (`training true`), statistics of the batch:
 *   (1) mu_c = mean over the channel's m values, var_c = their BIASED variance (divide by m)
 *   (2) xhat = (x - mu_c) / sqrt(var_c + eps)                          eps inside the root
 *   (3) y = gamma_c xhat + beta_c                                      (./affine.ts)
 *   (4) running_mean' = (1 - momentum) running_mean + momentum mu_c      momentum weighs the NEW value
 *   (5) running_var'  = (1 - momentum) running_var + momentum var_c m / (m - 1)   the UNBIASED batch variance
 * Evaluation (`training false`), statistics given:
 *   (6) xhat = (x - running_mean_c) / sqrt(running_var_c + eps), y by (3); running outputs unchanged
 * Backward, g = dL/dy (running statistics are buffers: no gradient in or out):
 *   (7) dxhat = g gamma_c, dgamma_c = sum g xhat, dbeta_c = sum g       (./affine.ts (2)-(4))
 *   (8) training:   dx = r_c / m (m dxhat - sum dxhat - xhat sum(dxhat xhat)), r_c = 1 / sqrt(var_c + eps)
 *   (9) evaluation: dx = r_c dxhat, the map being affine in x
 *
 * Conventions (spec/profiles/conventions-notes.md, 1.1): (4)-(5) are PyTorch's,
 * whose momentum 0.1 is Keras's, Flax's and ONNX's 0.9, and whose running
 * variance takes the unbiased batch variance while the forward (1) uses the
 * biased one. As in PyTorch: training with a single value per channel (m = 1)
 * is an error, since var_c = 0 would make y = beta with zero gradient and (5)
 * would divide by zero; a running statistic absent in training has no output;
 * an empty batch (m = 0) leaves the running statistics unchanged.
 */
import * as E from 'fp-ts/lib/Either.js'
import { boolean, number, schema } from '../core/attrs.ts'
import { type OpError, fail, showShape } from '../core/errors.ts'
import { type Inputs, defineOp } from '../core/op.ts'
import { type Tensor, make } from '../core/tensor.ts'
import * as Affine from './affine.ts'
import { type Layout, channelOf, checkPerChannel, layoutOf } from './channels.ts'
import * as Standardize from './standardize.ts'

export interface Attrs { readonly training: boolean; readonly momentum: number; readonly eps: number }

export interface Cache {
  readonly training: boolean
  readonly partition: Standardize.Partition
  readonly standardized: Standardize.Standardized
  readonly affine: Affine.Affine
}

const NAME = 'batch_norm'

// #region running
const updated = (old: Tensor, batch: Float64Array, momentum: number, m: number): Tensor => {
  const out = new Float64Array(old.data.length)
  for (let c = 0; c < out.length; c++) out[c] = m === 0 ? old.data[c] : (1 - momentum) * old.data[c] + momentum * batch[c] // (4), (5)
  return make(old.shape, out)
}
// #endregion running

/**
 * The edge: x [N, C, ...], per-channel vectors [C], more than one value per
 * channel in training, both running statistics in evaluation; gives the
 * layout (the fast path, src/fast/normalization.ts, validates through it).
 */
export const validate = (attrs: Attrs, inputs: Inputs): E.Either<OpError, Layout> => {
  const x = inputs.x!
  if (x.shape.length < 2) return fail(NAME, 'inputs.x', 'rank >= 2, [N, C, ...]', showShape(x.shape))
  const layout = layoutOf(x.shape)
  for (const name of ['running_mean', 'running_var', 'weight', 'bias']) {
    const r = checkPerChannel(NAME, name, inputs[name], layout.c)
    if (E.isLeft(r)) return r
  }
  const m = layout.n * layout.spatial
  if (attrs.training) {
    if (m === 1) {
      return fail(NAME, 'inputs.x', 'more than one value per channel in training (N * prod(spatial) > 1)', showShape(x.shape),
        "PyTorch raises 'Expected more than 1 value per channel when training'; use a larger batch or training false")
    }
  } else if (inputs.running_mean === undefined || inputs.running_var === undefined) {
    const missing = inputs.running_mean === undefined ? 'running_mean' : 'running_var'
    return fail(NAME, `inputs.${missing}`, `a [${layout.c}] tensor (evaluation normalizes by the running statistics)`, 'nothing',
      'training false needs both running_mean and running_var; set training true to use the batch statistics')
  }
  return E.right(layout)
}

export const op = defineOp<Attrs, Cache>({
  name: NAME,
  inputs: [
    { name: 'x' },
    { name: 'running_mean', optional: true, grad: false },
    { name: 'running_var', optional: true, grad: false },
    { name: 'weight', optional: true },
    { name: 'bias', optional: true },
  ],
  outputs: ['y', { name: 'running_mean', grad: false }, { name: 'running_var', grad: false }],
  attrs: schema<Attrs>({ training: boolean(false), momentum: number(0.1), eps: number(1e-5, { min: 0 }) }),
  // #region forward
  forward: (attrs, inputs) => {
    const x = inputs.x!
    const checked = validate(attrs, inputs)
    if (E.isLeft(checked)) return checked
    const layout = checked.right
    const { running_mean: runningMean, running_var: runningVar, weight, bias } = inputs
    const m = layout.n * layout.spatial
    const part = Standardize.partition(x.data.length, layout.c, channelOf(layout))
    const affine: Affine.Affine = { paramOf: part.groupOf, weight, bias }
    const outputs: Record<string, Tensor> = {}
    let standardized: Standardize.Standardized
    if (attrs.training) {
      const stats = Standardize.moments(x.data, part) // (1)
      standardized = Standardize.standardize(x.data, part, stats, attrs.eps) // (2)
      if (runningMean !== undefined) outputs.running_mean = updated(runningMean, stats.mean, attrs.momentum, m) // (4)
      if (runningVar !== undefined) {
        const unbiased = stats.variance.map((v) => (v * m) / (m - 1)) // (5)
        outputs.running_var = updated(runningVar, unbiased, attrs.momentum, m) // (5)
      }
    } else {
      const [runningMean, runningVar] = [inputs.running_mean!, inputs.running_var!] // validate: both present in evaluation
      standardized = Standardize.standardize(x.data, part, { mean: runningMean.data, variance: runningVar.data }, attrs.eps) // (6)
      outputs.running_mean = make(runningMean.shape, Float64Array.from(runningMean.data))
      outputs.running_var = make(runningVar.shape, Float64Array.from(runningVar.data))
    }
    outputs.y = make(x.shape, Affine.forward(affine, standardized.xhat)) // (3)
    return E.right({ outputs, cache: { training: attrs.training, partition: part, standardized, affine } })
  },
  // #endregion forward
  // #region backward
  backward: (_attrs, { training, partition, standardized, affine }, { y: g }) => {
    const { dxhat, ...params } = Affine.backward(affine, standardized.xhat, g.data) // (7)
    const dx = training
      ? Standardize.backward(partition, standardized, dxhat) // (8)
      : Standardize.backwardAtFixedMoments(partition, standardized, dxhat) // (9)
    return { x: make(g.shape, dx), ...params }
  },
  // #endregion backward
})
