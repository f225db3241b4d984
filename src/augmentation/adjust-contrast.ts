/**
 * Contrast, torchvision 0.14 `F.adjust_contrast(x, factor)` on float tensors:
 * a blend with the mean grey level m_n of each image (colour.ts (1), (2)),
 * x [N, 3, H, W], P = H W pixels:
 *   (1) m_n = (1/P) sum_p grey(x[n, :, p])
 *   (2) y[n, c, p] = clamp(f x[n, c, p] + (1 - f) m_n, 0, 1)
 * Backward, g = dL/dy, k = the clamp gate (colour.ts (3)); every output of the
 * image depends on every pixel through m_n:
 *   (3) s_n = sum_{c, p} g k
 *   (4) dx[n, c, p] = f g k + (1 - f) GREY[c] s_n / P
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
  name: 'adjust_contrast',
  inputs: [{ name: 'x' }],
  outputs: ['y'],
  attrs: schema<Attrs>({ factor: number(undefined, { min: 0 }) }),
  forward: (a, { x }) => E.map(({ n, h, w }: { n: number; h: number; w: number }) => {
    const P = h * w, y = new Float64Array(x!.data.length), pass = new Float64Array(y.length)
    for (let b = 0; b < n; b++) {
      let m = 0
      for (let p = 0; p < P; p++) m += grey(x!.data, b, P, p)
      m /= P // (1)
      for (let i = b * 3 * P; i < (b + 1) * 3 * P; i++) [y[i], pass[i]] = blend(a.factor, x!.data[i], m) // (2)
    }
    return { outputs: { y: make(x!.shape, y) }, cache: { pass, shape: x!.shape } }
  })(image('adjust_contrast', x!, true)),
  backward: (a, { pass, shape }, { y: g }) => {
    const [n, , h, w] = shape, P = h * w
    const dx = new Float64Array(g.data.length)
    for (let b = 0; b < n; b++) {
      let s = 0
      for (let i = b * 3 * P; i < (b + 1) * 3 * P; i++) s += g.data[i] * pass[i] // (3)
      for (let c = 0; c < 3; c++) {
        for (let p = 0; p < P; p++) {
          const i = (b * 3 + c) * P + p
          dx[i] = a.factor * g.data[i] * pass[i] + (1 - a.factor) * GREY[c] * s / P // (4)
        }
      }
    }
    return { x: make(shape, dx) }
  },
})
