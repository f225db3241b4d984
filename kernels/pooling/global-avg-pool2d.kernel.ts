/**
 * Float32 mirror of src/pooling/global-avg-pool2d.ts (ONNX GlobalAveragePool,
 * PyTorch adaptive_avg_pool2d(x, 1)), x [N, C, H, W] -> y [N, C, 1, 1]:
 *   (1) y[n, c] = (1 / HW) sum_{h, w} x[n, c, h, w]
 * Backward, g = dL/dy [N, C, 1, 1]:
 *   (2) dx[n, c, h, w] = g[n, c] / HW
 * x travels as [N C, H W]; one thread per (n, c) sums its plane sequentially
 * and divides once, as src does; (2) is one division per element.
 */
import * as E from 'fp-ts/lib/Either.js'
import { fail, showShape, unsupported } from '../../src/core/errors.ts'
import { checkInputs } from '../../src/core/op.ts'
import type { Shape } from '../../src/core/tensor.ts'
import * as GlobalAvgPool2d from '../../src/pooling/global-avg-pool2d.ts'
import { type KernelOp, download, upload } from '../op.ts'
import { type KernelSpec, type KernelThis, LOOP_CAP, ran, run } from '../runtime.ts'

export interface Cache { readonly xShape: Shape }

const mean: KernelSpec = {
  name: 'global_avg_pool2d.y',
  args: { x: 'Input', hw: 'Integer' },
  fn: function (this: KernelThis, x: number[][], hw: number): number {
    let s = 0
    for (let p = 0; p < hw; p++) s += x[this.thread.x][p]
    return s / hw // (1)
  },
}

const gradX: KernelSpec = {
  name: 'global_avg_pool2d.dx',
  args: { g: 'Input', hw: 'Integer' },
  fn: function (this: KernelThis, g: number[], hw: number): number {
    return g[this.thread.y] / hw // (2)
  },
}

const OP = 'global_avg_pool2d'

export const op: KernelOp<Record<string, never>, Cache> = {
  name: OP,
  parseAttrs: GlobalAvgPool2d.op.parseAttrs,
  forward: async (dev, _a, inputs) => {
    const checked = checkInputs(OP, GlobalAvgPool2d.op.inputs, inputs)
    if (E.isLeft(checked)) return checked
    const xt = inputs.x!
    const xs = xt.shape
    if (xs.length !== 4) return fail(OP, 'inputs.x', 'rank 4, [N, C, H, W]', showShape(xs), 'no unbatched form in case format version 1')
    const [n, c, h, w] = xs
    if (h < 1 || w < 1) return fail(OP, 'inputs.x', '[N, C, H, W] with H, W >= 1', showShape(xs))
    // HW is the loop bound and the divisor; past 2^24 neither is an exact f32 integer
    if (h * w > LOOP_CAP) return E.left(unsupported(OP, 'inputs.x', `an H x W plane of at most ${LOOP_CAP} cells`, `${h} x ${w}`))
    const y = await run(dev, mean, [n * c], [upload(xt, [n * c, h * w]), h * w]) // (1)
    if (E.isLeft(y)) return y
    return E.right(ran(dev, { outputs: { y: download([n, c, 1, 1], y.right) }, cache: { xShape: xs } }))
  },
  backward: async (dev, _a, { xShape }, { y: gt }) => {
    const [n, c, h, w] = xShape
    const dx = await run(dev, gradX, [n * c, h * w], [upload(gt, [n * c]), h * w]) // (2)
    if (E.isLeft(dx)) return dx
    return E.right(ran(dev, { x: download(xShape, dx.right) }))
  },
}
