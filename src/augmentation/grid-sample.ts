/**
 * Sampling an image at real coordinates, as torchvision 0.14's
 * `_apply_grid_transform` does with `grid_sample(..., padding_mode "zeros",
 * align_corners False)` and a fill. For output pixel (i, j) the caller gives
 * the input column u and row v (pixel units, pixel centres at integers):
 *   bilinear (1) u0 = floor(u), v0 = floor(v), a = u - u0, b = v - v0;
 *                S(x) = (1-a)(1-b) x[v0,u0] + a(1-b) x[v0,u0+1] + (1-a)b x[v0+1,u0] + ab x[v0+1,u0+1],
 *                taps outside the image reading 0
 *            (2) m = S(ones), y = S(x) m + (1 - m) fill   torchvision's mask: the sample is
 *                multiplied by m, so a fill of 0 still darkens the border (not y = S(x))
 *   nearest  (3) y = x[round(v), round(u)], round half to even (nearbyint),
 *                and fill where that pixel lies outside the image
 */
import { type Tensor, make } from '../core/tensor.ts'
import type { Dims } from './image.ts'

export type Interpolation = 'nearest' | 'bilinear'

/** Round half to even, as C's nearbyint in the default rounding mode. */
export const roundHalfEven = (v: number): number => {
  const r = Math.round(v)
  return Math.abs(v - Math.trunc(v)) === 0.5 && r % 2 !== 0 ? r - 1 : r
}

// #region sample
export const sample = (x: Tensor, d: Dims, coord: (i: number, j: number) => readonly [number, number], mode: Interpolation, fill: number): Tensor => {
  const { n, c, h, w } = d, P = h * w
  const y = new Float64Array(x.data.length)
  const inside = (r: number, q: number) => r >= 0 && r < h && q >= 0 && q < w
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const [u, v] = coord(i, j)
      if (mode === 'nearest') {
        const q = roundHalfEven(u), r = roundHalfEven(v) // (3)
        const ok = inside(r, q)
        for (let p = 0; p < n * c; p++) y[p * P + i * w + j] = ok ? x.data[p * P + r * w + q] : fill // (3)
        continue
      }
      const u0 = Math.floor(u), v0 = Math.floor(v), a = u - u0, b = v - v0 // (1)
      const taps: [number, number, number][] = [[v0, u0, (1 - a) * (1 - b)], [v0, u0 + 1, a * (1 - b)], [v0 + 1, u0, (1 - a) * b], [v0 + 1, u0 + 1, a * b]]
      let m = 0
      for (const [r, q, wt] of taps) if (inside(r, q)) m += wt // (2) the sample of an all-ones image
      for (let p = 0; p < n * c; p++) {
        let s = 0
        for (const [r, q, wt] of taps) if (inside(r, q)) s += wt * x.data[p * P + r * w + q] // (1)
        y[p * P + i * w + j] = s * m + (1 - m) * fill // (2)
      }
    }
  }
  return make(x.shape, y)
}
// #endregion sample
