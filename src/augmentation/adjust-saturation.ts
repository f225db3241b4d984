/**
 * Saturation, torchvision 0.14 `F.adjust_saturation(x, factor)` on float
 * tensors: a blend of each pixel with its own grey level (colour.ts (1), (2)),
 * x [N, 3, H, W]:
 *   (1) y[n, c, p] = clamp(f x[n, c, p] + (1 - f) grey(x[n, :, p]), 0, 1)
 * Backward, g = dL/dy, k the clamp gate (colour.ts (3)):
 *   (2) s[n, p] = sum_c g[n, c, p] k[n, c, p]
 *   (3) dx[n, c, p] = f g k + (1 - f) GREY[c] s[n, p]
 */
import * as E from 'fp-ts/lib/Either.js'
import { number, schema } from '../core/attrs.ts'
import { defineOp } from '../core/op.ts'
import { type Shape, make } from '../core/tensor.ts'
import { GREY, blend, grey } from './colour.ts'
import { image } from './image.ts'

export interface Attrs { readonly factor: number }
export interface Cache { readonly pass: Float64Array; readonly shape: Shape }

export const op = defineOp<Attrs, Cache>({
  name: 'adjust_saturation',
  inputs: [{ name: 'x' }],
  outputs: ['y'],
  attrs: schema<Attrs>({ factor: number(undefined, { min: 0 }) }),
  forward: (a, { x }) => E.map(({ n, h, w }: { n: number; h: number; w: number }) => {
    const P = h * w, y = new Float64Array(x!.data.length), pass = new Float64Array(y.length)
    for (let b = 0; b < n; b++) {
      for (let p = 0; p < P; p++) {
        const gr = grey(x!.data, b, P, p)
        for (let c = 0; c < 3; c++) { const i = (b * 3 + c) * P + p; [y[i], pass[i]] = blend(a.factor, x!.data[i], gr) } // (1)
      }
    }
    return { outputs: { y: make(x!.shape, y) }, cache: { pass, shape: x!.shape } }
  })(image('adjust_saturation', x!, true)),
  backward: (a, { pass, shape }, { y: g }) => {
    const [n, , h, w] = shape, P = h * w
    const dx = new Float64Array(g.data.length)
    for (let b = 0; b < n; b++) {
      for (let p = 0; p < P; p++) {
        let s = 0
        for (let c = 0; c < 3; c++) { const i = (b * 3 + c) * P + p; s += g.data[i] * pass[i] } // (2)
        for (let c = 0; c < 3; c++) {
          const i = (b * 3 + c) * P + p
          dx[i] = a.factor * g.data[i] * pass[i] + (1 - a.factor) * GREY[c] * s // (3)
        }
      }
    }
    return { x: make(shape, dx) }
  },
})
