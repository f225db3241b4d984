/**
 * Float32 mirror of src/regularization/dropout.ts with a given keep mask m:
 *   (2) training, inverted:  k = m / (1 - p)      at p = 1, k = 0
 *   (3) training, vanilla:   k = m
 *   (4) evaluation:          k = 1 (inverted), 1 - p (vanilla); the mask is ignored
 *   (5) y = x * k
 * Backward, g = dL/dy:
 *   (6) dx = g * k
 * The scale of (2)-(4) is src's own trainScale/evalScale, computed in float64
 * and rounded once to f32; the kernel multiplies by the mask and the scale.
 */
import * as E from 'fp-ts/lib/Either.js'
import { fail, show, showShape } from '../../src/core/errors.ts'
import { checkInputs } from '../../src/core/op.ts'
import * as Dropout from '../../src/regularization/dropout.ts'
import { type Shape, sameShape } from '../../src/core/tensor.ts'
import { type KernelOp, download, upload } from '../op.ts'
import { type F32, type KernelSpec, type KernelThis, f32, ran, run } from '../runtime.ts'

export interface Cache { readonly shape: Shape; readonly mask: F32; readonly useMask: number; readonly scale: number }

/** x * mask * scale (training) or x * scale (evaluation): (5) forward, (6) backward with x = g. */
const scaled: KernelSpec = {
  name: 'dropout.scaled',
  args: { x: 'Input', mask: 'Input', useMask: 'Integer', scale: 'Float' },
  fn: function (this: KernelThis, x: number[], mask: number[], useMask: number, scale: number): number {
    if (useMask === 1) return x[this.thread.x] * (mask[this.thread.x] * scale) // (2), (3), (5)
    return x[this.thread.x] * scale // (4), (5)
  },
}

export const op: KernelOp<Dropout.Attrs, Cache> = {
  name: 'dropout',
  parseAttrs: Dropout.op.parseAttrs,
  forward: async (dev, a, inputs) => {
    const checked = checkInputs('dropout', Dropout.op.inputs, inputs)
    if (E.isLeft(checked)) return checked
    const xt = inputs.x!, mt = inputs.mask
    const n = xt.data.length
    let cache: Cache
    if (!a.training) {
      cache = { shape: xt.shape, mask: f32([0], [1]), useMask: 0, scale: Dropout.evalScale(a) } // (4)
    } else {
      if (mt === undefined) {
        return fail('dropout', 'inputs.mask', 'a keep mask when training is true', 'nothing', 'the float32 kernel takes its mask as an input; draw one with src/regularization/dropout.ts sampleMask')
      }
      if (!sameShape(mt.shape, xt.shape)) return fail('dropout', 'inputs.mask', `shape ${showShape(xt.shape)} (x's)`, showShape(mt.shape))
      const bad = mt.data.findIndex((v) => v !== 0 && v !== 1)
      if (bad >= 0) return fail('dropout', 'inputs.mask', 'values 0 or 1 (1 keeps a unit)', `${show(mt.data[bad])} at flat index ${bad}`, 'a bool, int64 or float 0/1 tensor')
      cache = { shape: xt.shape, mask: upload(mt, [n]), useMask: 1, scale: Dropout.trainScale(a) } // (2), (3)
    }
    const y = await run(dev, scaled, [n], [upload(xt, [n]), cache.mask, cache.useMask, cache.scale]) // (5)
    if (E.isLeft(y)) return y
    return E.right(ran(dev, { outputs: { y: download(xt.shape, y.right) }, cache }))
  },
  backward: async (dev, _a, { shape, mask, useMask, scale }, { y: g }) => {
    const dx = await run(dev, scaled, [g.data.length], [upload(g, [g.data.length]), mask, useMask, scale]) // (6)
    if (E.isLeft(dx)) return dx
    return E.right(ran(dev, { x: download(shape, dx.right) }))
  },
}
