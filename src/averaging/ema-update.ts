/**
 * `ema_update`, the catalogue op (docs/case-format.md, "Averaging"): one step
 * of an exponential moving average, as `AveragedModel` with
 * `avg_fn = lambda a, p, n: decay * a + (1 - decay) * p` computes it:
 *   (1) a' = decay * a + (1 - decay) * p
 * Backward, g = dL/da' (the update is linear in both inputs):
 *   (2) da = decay * g      dp = (1 - decay) * g
 */
import * as E from 'fp-ts/lib/Either.js'
import { number, schema } from '../core/attrs.ts'
import { fail, showShape } from '../core/errors.ts'
import { defineOp } from '../core/op.ts'
import { type Tensor, make, sameShape } from '../core/tensor.ts'

export interface Attrs { readonly decay: number }

// #region step
/** (1) elementwise, in PyTorch's order: `decay * a` and `(1 - decay) * p`, then their sum. */
export const step = (decay: number, average: Tensor, param: Tensor): Tensor => {
  const a = average.data, p = param.data
  const out = new Float64Array(a.length)
  const w = 1 - decay
  for (let i = 0; i < a.length; i++) out[i] = decay * a[i] + w * p[i] // (1)
  return make(average.shape, out)
}
// #endregion step

export const op = defineOp<Attrs, { readonly shape: readonly number[] }>({
  name: 'ema_update',
  inputs: [{ name: 'average' }, { name: 'param' }],
  outputs: ['average'],
  // PyTorch does not restrict decay; outside [0, 1] the update is still defined (extrapolation).
  attrs: schema<Attrs>({ decay: number(0.999) }),
  forward: (a, { average, param }) => {
    if (!sameShape(average!.shape, param!.shape)) return fail('ema_update', 'inputs.param', `shape ${showShape(average!.shape)} (average's)`, showShape(param!.shape))
    return E.right({ outputs: { average: step(a.decay, average!, param!) }, cache: { shape: average!.shape } })
  },
  backward: (a, { shape }, cot) => {
    const g = cot.average.data
    return {
      average: make(shape, g.map((v) => a.decay * v)), // (2)
      param: make(shape, g.map((v) => (1 - a.decay) * v)), // (2)
    }
  },
})
