/**
 * Random translations of a batch of images, the cheapest augmentation that
 * helps on digits: each image moves by (dy, dx), both drawn uniformly from
 * -max..max by the key, with zero fill (the background of the digits). A pure
 * function of (batch, key): the same key moves the same images the same way.
 */
import { type Key, uniformArray } from '../core/random.ts'
import { type Tensor, make } from '../core/tensor.ts'

export const shiftImages = (x: Tensor, key: Key, max: number): Tensor => {
  const [n, c, h, w] = x.shape
  const u = uniformArray(key, 2 * n)
  const out = new Float64Array(x.data.length)
  for (let s = 0; s < n; s++) {
    const dy = Math.floor(u[2 * s] * (2 * max + 1)) - max, dx = Math.floor(u[2 * s + 1] * (2 * max + 1)) - max
    for (let ch = 0; ch < c; ch++) {
      const base = (s * c + ch) * h * w
      for (let i = 0; i < h; i++) {
        const si = i - dy
        if (si < 0 || si >= h) continue
        for (let j = 0; j < w; j++) {
          const sj = j - dx
          if (sj >= 0 && sj < w) out[base + i * w + j] = x.data[base + si * w + sj]
        }
      }
    }
  }
  return make(x.shape, out, x.dtype)
}
