/**
 * Parametric ReLU (He et al. 2015), PyTorch `F.prelu(x, weight)`: x [N, C, ...]
 * with one slope per channel (axis 1, weight [C]) or one shared slope (weight [1]);
 * c(p) below is the channel of element p, or 0 for a shared slope.
 *   (1) y_p = x_p for x_p > 0, w_c(p) x_p for x_p <= 0
 * Backward, g = dL/dy:
 *   (2) dx_p = g_p for x_p > 0, w_c(p) g_p for x_p <= 0     at 0 the weight's slope (case format)
 *   (3) dw_c = sum over p with c(p) = c and x_p <= 0 of g_p x_p
 * (3) sums over every non-channel position (batch and spatial), which is why
 * prelu is not a pointwise op. x = 0 adds nothing to (3) in either branch.
 * Rank < 2 inputs have no channel axis: only a shared slope fits them, as in
 * PyTorch. A rank-0 weight is read as a shared slope too (PyTorch accepts it).
 */
import * as E from 'fp-ts/lib/Either.js'
import { noAttrs } from '../core/attrs.ts'
import { fail, showShape } from '../core/errors.ts'
import { defineOp } from '../core/op.ts'
import { type Tensor, make, sizeOf } from '../core/tensor.ts'

export interface Cache {
  readonly x: Tensor
  readonly weight: Tensor
  /** channels of the weight (1 when shared) and elements per channel block (prod of x's dims after 1) */
  readonly channels: number
  readonly inner: number
}

/** c(p): the weight entry that element p of x uses. */
const channelOf = (p: number, channels: number, inner: number): number => (channels === 1 ? 0 : Math.floor(p / inner) % channels)

export const op = defineOp<Record<string, never>, Cache>({
  name: 'prelu',
  inputs: [{ name: 'x' }, { name: 'weight' }],
  outputs: ['y'],
  attrs: noAttrs,
  forward: (_a, { x, weight }) => {
    const w = weight!
    const rank = x!.shape.length
    const shared = sizeOf(w.shape) === 1 && w.shape.length <= 1
    const perChannel = rank >= 2 && w.shape.length === 1 && w.shape[0] === x!.shape[1]
    if (!shared && !perChannel) {
      return rank >= 2
        ? fail('prelu', 'inputs.weight', `[${x!.shape[1]}] (one slope per channel, x's axis 1) or [1] (one shared slope)`, showShape(w.shape))
        : fail('prelu', 'inputs.weight', `[1] (an input of rank ${rank} has no channel axis)`, showShape(w.shape), 'give x as [N, C, ...] for per-channel slopes')
    }
    const channels = shared ? 1 : w.shape[0]
    const inner = sizeOf(x!.shape.slice(2))
    const y = new Float64Array(x!.data.length)
    for (let p = 0; p < y.length; p++) {
      const v = x!.data[p]
      y[p] = v > 0 ? v : w.data[channelOf(p, channels, inner)] * v // (1); NaN takes the slope branch and stays NaN
    }
    return E.right({ outputs: { y: make(x!.shape, y) }, cache: { x: x!, weight: w, channels, inner } })
  },
  backward: (_a, { x, weight, channels, inner }, { y: g }) => {
    const dx = new Float64Array(x.data.length)
    const dw = new Float64Array(weight.data.length)
    for (let p = 0; p < dx.length; p++) {
      const c = channelOf(p, channels, inner)
      if (x.data[p] > 0) dx[p] = g.data[p] // (2)
      else {
        dx[p] = weight.data[c] * g.data[p] // (2)
        dw[c] += g.data[p] * x.data[p] // (3)
      }
    }
    return { x: make(x.shape, dx), weight: make(weight.shape, dw) }
  },
})
