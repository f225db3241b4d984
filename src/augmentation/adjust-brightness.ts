/**
 * Brightness, torchvision 0.14 `F.adjust_brightness(x, factor)` on float
 * tensors: a blend with black (colour.ts (2) with o = 0), x [N, 3, H, W]:
 *   (1) y = clamp(f x, 0, 1)
 * Backward, g = dL/dy: (2) dx = f g where 0 <= f x <= 1, else 0 (colour.ts (3)).
 */
import * as E from 'fp-ts/lib/Either.js'
import { number, schema } from '../core/attrs.ts'
import { defineOp } from '../core/op.ts'
import { make } from '../core/tensor.ts'
import { blend } from './colour.ts'
import { image } from './image.ts'

export interface Attrs { readonly factor: number }
export interface Cache { readonly pass: Float64Array }

export const op = defineOp<Attrs, Cache>({
  name: 'adjust_brightness',
  inputs: [{ name: 'x' }],
  outputs: ['y'],
  attrs: schema<Attrs>({ factor: number(undefined, { min: 0 }) }),
  forward: (a, { x }) => E.map(() => {
    const y = new Float64Array(x!.data.length), pass = new Float64Array(y.length)
    for (let i = 0; i < y.length; i++) [y[i], pass[i]] = blend(a.factor, x!.data[i], 0) // (1)
    return { outputs: { y: make(x!.shape, y) }, cache: { pass } }
  })(image('adjust_brightness', x!, true)),
  backward: (a, { pass }, { y: g }) => ({ x: make(g.shape, g.data.map((gi, i) => a.factor * gi * pass[i])) }), // (2)
})
