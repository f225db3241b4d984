/**
 * Sum of all elements of a float32 vector, in two passes (gpujs §5.2: Kahan
 * compensation is optimised away on webgpu, blocking is what helps):
 *   (1) partial_b = sum of v[b B .. b B + B - 1],  B = ceil(sqrt(n)), nb = ceil(n / B) blocks
 *   (2) total = sum_b partial_b
 * Error <= (B - 1 + nb - 1) u sum |v_i| <= 2 sqrt(n) u sum |v_i| (Higham 4.2:
 * a sum of sums of B and of nb terms), against (n - 1) u for one loop.
 * The element index b B + j is computed inline, in i32 (never through a
 * declared local, which would be f32 on webgpu, gpujs §3).
 */
import * as E from 'fp-ts/lib/Either.js'
import { type Device, type F32, type KernelError, type KernelSpec, type KernelThis, f32, run } from './runtime.ts'

const blockSum: KernelSpec = {
  name: 'reduce.blockSum',
  args: { v: 'Input', n: 'Integer', block: 'Integer' },
  fn: function (this: KernelThis, v: number[], n: number, block: number): number {
    let s = 0
    for (let j = 0; j < block; j++) {
      if (this.thread.x * block + j < n) s += v[this.thread.x * block + j] // (1)
    }
    return s
  },
}

/** The two-pass sum of `v` (a flat vector) as an f32 number; 0 for an empty vector. */
export const sumAll = async (dev: Device, v: F32): Promise<E.Either<KernelError, number>> => {
  const n = v.data.length
  if (n === 0) return E.right(0)
  const block = Math.ceil(Math.sqrt(n))
  const blocks = Math.ceil(n / block)
  const partial = await run(dev, blockSum, [blocks], [f32(v.data, [n]), n, block]) // (1)
  if (E.isLeft(partial)) return partial
  const total = await run(dev, blockSum, [1], [f32(partial.right, [blocks]), blocks, blocks]) // (2)
  return E.map((t: Float32Array) => t[0])(total)
}
