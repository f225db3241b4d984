/**
 * Fractional max pooling (Graham 2014), PyTorch 1.13's
 * `F.fractional_max_pool2d(x, kernel_size, output_size, return_indices=True,
 * _random_samples=samples)`, x [N, C, H, W], samples [N, C, 2] in [0, 1):
 * samples[n, c, 0] places the windows along W and samples[n, c, 1] along H.
 * Along an axis of length L, output O, kernel K, sample u:
 *   (1) a = (L - K) / (O - 1)
 *   (2) start_i = floor((i + u) a) - floor(u a)   for i < O - 1     (C++ truncation; all terms >= 0)
 *   (3) start_{O-1} = L - K                       the last window ends at the border
 *   (4) y[n, c, oh, ow] = max of x over rows [startH, startH + K) and columns [startW, startW + K);
 *       the first maximum in row-major window order wins, a NaN wins and propagates
 *   (5) indices = h W + w of the winner, a flat index into the H x W plane
 * Backward, g = dL/dy: (6) dx[n, c, indices[o]] += g[o]. samples get no gradient.
 */
import * as E from 'fp-ts/lib/Either.js'
import { pair, schema } from '../core/attrs.ts'
import { fail } from '../core/errors.ts'
import { defineOp } from '../core/op.ts'
import { type Shape, make } from '../core/tensor.ts'

export interface Attrs { readonly kernel_size: readonly [number, number]; readonly output_size: readonly [number, number] }
export interface Cache { readonly arg: Float64Array; readonly xShape: Shape; readonly plane: number }

const OP = 'fractional_max_pool2d'

// #region starts
/** (1)-(3) for one axis. */
export const starts = (u: number, L: number, O: number, K: number): number[] => {
  const s = new Array<number>(O)
  if (O > 1) {
    const a = (L - K) / (O - 1) // (1)
    for (let i = 0; i < O - 1; i++) s[i] = Math.trunc((i + u) * a) - Math.trunc(u * a) // (2)
  }
  if (O > 0) s[O - 1] = L - K // (3)
  return s
}
// #endregion starts

export const op = defineOp<Attrs, Cache>({
  name: OP,
  inputs: [{ name: 'x' }, { name: 'samples', grad: false }],
  outputs: ['y', { name: 'indices', grad: false }],
  attrs: schema<Attrs>({ kernel_size: pair(1), output_size: pair(1) }),
  forward: ({ kernel_size: [kh, kw], output_size: [oh, ow] }, { x, samples }) => {
    if (x!.shape.length !== 4) return fail(OP, 'inputs.x', 'an image batch [N, C, H, W]', `shape [${x!.shape}]`)
    const [n, c, h, w] = x!.shape
    if (oh + kh - 1 > h || ow + kw - 1 > w) {
      return fail(OP, 'attrs.output_size', `output_size + kernel_size - 1 <= input size [${h}, ${w}]`, `output [${oh}, ${ow}] with kernel [${kh}, ${kw}]`, 'PyTorch refuses windows that cannot all fit')
    }
    const ss = samples!.shape
    if (ss.length !== 3 || ss[0] !== n || ss[1] !== c || ss[2] !== 2) return fail(OP, 'inputs.samples', `shape [${n}, ${c}, 2] (PyTorch's _random_samples)`, `[${ss}]`)
    for (const u of samples!.data) if (!(u >= 0 && u < 1)) return fail(OP, 'inputs.samples', 'values in [0, 1)', String(u))
    const y = new Float64Array(n * c * oh * ow), arg = new Float64Array(y.length)
    for (let p = 0; p < n * c; p++) {
      const sw = starts(samples!.data[2 * p], w, ow, kw), sh = starts(samples!.data[2 * p + 1], h, oh, kh) // W first, then H
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          let best = -Infinity, at = sh[i] * w + sw[j]
          for (let r = sh[i]; r < sh[i] + kh; r++) {
            for (let q = sw[j]; q < sw[j] + kw; q++) {
              const v = x!.data[p * h * w + r * w + q]
              if (v > best || Number.isNaN(v)) { best = v; at = r * w + q } // (4), (5)
            }
          }
          y[(p * oh + i) * ow + j] = best; arg[(p * oh + i) * ow + j] = at
        }
      }
    }
    const shape = [n, c, oh, ow]
    return E.right({ outputs: { y: make(shape, y), indices: make(shape, arg, 'int64') }, cache: { arg, xShape: x!.shape, plane: oh * ow } })
  },
  backward: (_a, { arg, xShape, plane }, { y: g }) => {
    const hw = xShape[2] * xShape[3]
    const dx = new Float64Array(xShape.reduce((p, q) => p * q, 1))
    for (let o = 0; o < arg.length; o++) dx[Math.floor(o / plane) * hw + arg[o]] += g.data[o] // (6)
    return { x: make(xShape, dx) }
  },
})
