/**
 * Float32 mirror of src/normalization/batch-norm.ts (PyTorch F.batch_norm),
 * x [N, C, ...]; channel c is one group of m = N S values
 * (./standardize.kernel.ts with nN = N, nC = 1). Training, batch statistics:
 *   (1) mu_c = mean of the channel's m values, var_c = their BIASED variance
 *   (2) xhat = (x - mu_c) / sqrt(var_c + eps)
 *   (3) y = gamma_c xhat + beta_c
 *   (4) running_mean' = (1 - momentum) running_mean + momentum mu_c
 *   (5) running_var'  = (1 - momentum) running_var + momentum var_c m / (m - 1)
 * Evaluation, statistics given:
 *   (6) xhat = (x - running_mean_c) / sqrt(running_var_c + eps), y by (3); running outputs unchanged
 * Backward, g = dL/dy:
 *   (7) dxhat = g gamma_c, dgamma_c = sum g xhat, dbeta_c = sum g
 *   (8) training:   dx = r_c / m (m dxhat - sum dxhat - xhat sum(dxhat xhat)), r_c = 1 / sqrt(var_c + eps)
 *   (9) evaluation: dx = r_c dxhat
 * (4)-(5) run on the device per channel, with m and m - 1 as f32 scalars
 * (exact: m is at most 2^24, the loop cap); (5) as (var m) / (m - 1), in src's
 * order. An empty batch (m = 0) leaves the running statistics unchanged, as
 * in src, copied on the host (as float32, like every kernel output). Validation and messages are src's.
 */
import * as E from 'fp-ts/lib/Either.js'
import { fail, showShape } from '../../src/core/errors.ts'
import { checkInputs } from '../../src/core/op.ts'
import type { Tensor } from '../../src/core/tensor.ts'
import * as BatchNorm from '../../src/normalization/batch-norm.ts'
import { checkPerChannel, layoutOf } from '../../src/normalization/channels.ts'
import { type KernelOp, download, keep, upload } from '../op.ts'
import { type KernelSpec, type KernelThis, ran, run } from '../runtime.ts'
import * as St from './standardize.kernel.ts'

export interface Cache { readonly training: boolean; readonly st: St.Standardized }

/** (4) (unbias 0) and (5) (unbias 1) for one channel. */
const running: KernelSpec = {
  name: 'batch_norm.running',
  args: { old: 'Input', stat: 'Input', momentum: 'Float', m: 'Float', unbias: 'Integer' },
  fn: function (this: KernelThis, old: number[], stat: number[], momentum: number, m: number, unbias: number): number {
    let batch = stat[this.thread.x] // (4)
    if (unbias === 1) batch = (batch * m) / (m - 1) // (5)
    return (1 - momentum) * old[this.thread.x] + momentum * batch // (4), (5)
  },
}

const NAME = 'batch_norm'

export const op: KernelOp<BatchNorm.Attrs, Cache> = {
  name: NAME,
  parseAttrs: BatchNorm.op.parseAttrs,
  forward: async (dev, attrs, inputs) => {
    const checked = checkInputs(NAME, BatchNorm.op.inputs, inputs)
    if (E.isLeft(checked)) return checked
    const xt = inputs.x!
    if (xt.shape.length < 2) return fail(NAME, 'inputs.x', 'rank >= 2, [N, C, ...]', showShape(xt.shape))
    const layout = layoutOf(xt.shape)
    for (const name of ['running_mean', 'running_var', 'weight', 'bias']) {
      const r = checkPerChannel(NAME, name, inputs[name], layout.c)
      if (E.isLeft(r)) return r
    }
    const { running_mean: runningMean, running_var: runningVar, weight, bias } = inputs
    const m = layout.n * layout.spatial
    const blocks: St.Blocks = { n: layout.n, c: layout.c, s: layout.spatial, nN: layout.n, nC: 1, groups: [1, layout.c] }
    const x = upload(xt, [blocks.n, blocks.c, blocks.s])
    const outputs: Record<string, Tensor> = {}
    let stats: St.Stats
    if (attrs.training) {
      if (m === 1) {
        return fail(NAME, 'inputs.x', 'more than one value per channel in training (N * prod(spatial) > 1)', showShape(xt.shape),
          "PyTorch raises 'Expected more than 1 value per channel when training'; use a larger batch or training false")
      }
      const s = await St.moments(dev, blocks, x) // (1)
      if (E.isLeft(s)) return s
      stats = s.right
      for (const [name, old, stat, unbias] of [['running_mean', runningMean, stats.mu, 0], ['running_var', runningVar, stats.variance, 1]] as const) {
        if (old === undefined) continue
        if (m === 0) { outputs[name] = download(old.shape, Float32Array.from(old.data)); continue }
        const r = await run(dev, running, [layout.c], [upload(old), keep(stat.data, [layout.c]), attrs.momentum, m, unbias]) // (4), (5)
        if (E.isLeft(r)) return r
        outputs[name] = download(old.shape, r.right)
      }
    } else {
      if (runningMean === undefined || runningVar === undefined) {
        const missing = runningMean === undefined ? 'running_mean' : 'running_var'
        return fail(NAME, `inputs.${missing}`, `a [${layout.c}] tensor (evaluation normalizes by the running statistics)`, 'nothing',
          'training false needs both running_mean and running_var; set training true to use the batch statistics')
      }
      stats = { mu: upload(runningMean, [1, layout.c]), variance: upload(runningVar, [1, layout.c]) } // (6)
      outputs.running_mean = download(runningMean.shape, Float32Array.from(runningMean.data)) // unchanged, as float32
      outputs.running_var = download(runningVar.shape, Float32Array.from(runningVar.data))
    }
    const r = await St.inverseStd(dev, stats.variance, attrs.eps) // (2), (6)
    if (E.isLeft(r)) return r
    const st: St.Standardized = {
      shape: xt.shape, blocks, x, mu: stats.mu, r: r.right, gamma: St.param(weight), hasWeight: weight !== undefined, hasBias: bias !== undefined,
    }
    const y = await St.forward(dev, st, St.param(bias)) // (2), (3), (6)
    if (E.isLeft(y)) return y
    outputs.y = y.right
    return E.right(ran(dev, { outputs, cache: { training: attrs.training, st } }))
  },
  backward: async (dev, _attrs, { training, st }, { y: g }) => {
    const grads = await St.backward(dev, st, g, !training) // (7), (8) or (9)
    return E.map((v: Record<string, Tensor>) => ran(dev, v))(grads)
  },
}
