/**
 * Global average pooling (ONNX `GlobalAveragePool`, PyTorch
 * `adaptive_avg_pool2d(x, 1)`), x [N, C, H, W] -> y [N, C, 1, 1]:
 *   (1) y[n, c] = (1 / HW) sum_{h, w} x[n, c, h, w]
 * Backward, g = dL/dy [N, C, 1, 1]:
 *   (2) dx[n, c, h, w] = g[n, c] / HW
 */
import * as E from 'fp-ts/lib/Either.js'
import { noAttrs } from '../core/attrs.ts'
import { fail, showShape } from '../core/errors.ts'
import { defineOp } from '../core/op.ts'
import { type Shape, make } from '../core/tensor.ts'

export interface Cache { readonly xShape: Shape }

const OP = 'global_avg_pool2d'

export const op = defineOp<Record<string, never>, Cache>({
  name: OP,
  inputs: [{ name: 'x' }],
  outputs: ['y'],
  attrs: noAttrs,
  forward: (_a, { x }) => {
    const xs = x!.shape
    if (xs.length !== 4) return fail(OP, 'inputs.x', 'rank 4, [N, C, H, W]', showShape(xs), 'no unbatched form in case format version 1')
    const [n, c, h, w] = xs
    if (h < 1 || w < 1) return fail(OP, 'inputs.x', '[N, C, H, W] with H, W >= 1', showShape(xs))
    const hw = h * w
    const y = new Float64Array(n * c)
    for (let nc = 0; nc < n * c; nc++) {
      let s = 0
      for (let p = 0; p < hw; p++) s += x!.data[nc * hw + p]
      y[nc] = s / hw // (1)
    }
    return E.right({ outputs: { y: make([n, c, 1, 1], y) }, cache: { xShape: xs } })
  },
  backward: (_a, { xShape }, { y: g }) => {
    const hw = xShape[2] * xShape[3]
    const dx = new Float64Array(g.data.length * hw)
    for (let f = 0; f < dx.length; f++) dx[f] = g.data[Math.floor(f / hw)] / hw // (2)
    return { x: make(xShape, dx) }
  },
})
