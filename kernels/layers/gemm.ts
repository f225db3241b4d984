/**
 * The float32 matrix products under matmul, linear and conv2d: batched
 *   C[z] = A[z] B[z] (+ bias)        A [n, k] and B [k, m] in one of three layouts:
 *   NN  a[z][i][p] b[z][p][j]        (matmul (1), linear dx = g W)
 *   NT  a[t][i][p] b[t][j][p]        (linear y = x W^T, matmul dA = G B^T)
 *   TN  a[t][p][i] b[t][p][j]        (linear dW = g^T x, matmul dB = A^T G)
 * NT and TN also take the adjoint of a batch broadcast (matmul (2)-(3)):
 * output batch z sums the products of every t with sel[t] = z, so each
 * gradient element is owned by one thread (gpu.js has no atomics, gpujs §7.4).
 *
 * Why 2 x 2 blocks. gpu.js has no workgroup memory (gpujs §7.4), so there is
 * no tiling; what is left is the work of one thread. On lavapipe every
 * storage-buffer read that is not provably uniform becomes a loop over the 8
 * SIMD lanes with two branches per lane (Mesa's lp_bld_nir_soa.c,
 * emit_load_mem), about 14 ns per 8 lanes here, and each iteration of a
 * gpu.js loop (a counted loop with a break test, gpujs §3) about 7 ns; the
 * multiply-adds are nearly free. A thread returns at most 4 values
 * (Array(4), gpujs §2), and a 2 x 2 block of C reads 2 + 2 values per step
 * of p for 4 products: 1 read per product, against 2 for one output per
 * thread and 1.25 for a 1 x 4 strip. The p loop is unrolled by 4 to spread
 * the loop's own cost over 16 products (measured at 512^2 under load 8:
 * one output per thread 279 ms, 1 x 4 unrolled 209 ms, 2 x 2 unrolled 188 ms;
 * unrolling by 8 gained nothing more).
 *
 * Edges. Thread (x, y) owns rows i0 = 2y, i1 = min(2y + 1, n - 1) and columns
 * j0 = 2x, j1 = min(2x + 1, m - 1): with an odd n or m the last block computes
 * its last row or column twice, reading only inside the tensor, and `unpack`
 * keeps one copy. The result is the blocks in thread order,
 * [batch, ceil(n/2), ceil(m/2), 4] with components (i0 j0, i0 j1, i1 j0, i1 j1).
 *
 * Rounding. Each output is the sum of its k products (plus the bias), each
 * product rounded once, summed in groups of four and then into the
 * accumulator: a summation tree, so spec/kernels/bounds.ts's sum rule
 * |error| <= gamma(k - 1) sum |terms| (Higham 4.2, any order) covers it, as it
 * covered the sequential loop before. Declared locals are f32 on webgpu
 * (gpujs §3); they hold row and column indices, below 2^20 (the 2-D/3-D
 * dispatch limit, gpujs §7.3), which f32 represents exactly.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Shape } from '../../src/core/tensor.ts'
import { type DeviceTensor, bind, reshape, scoped } from '../device-tensor.ts'
import { type Device, type KernelError, type KernelSpec, type KernelThis, type ResidentArg, runResident } from '../runtime.ts'

/** C[z] = A[ia[z]] B[ib[z]], NN layout: a [*, n, k], b [*, k, m]; output [batch, ceil(n/2), ceil(m/2)] x 4. */
export const nn: KernelSpec = {
  name: 'gemm.nn',
  components: 4,
  args: { a: 'Input', b: 'Input', ia: 'Input', ib: 'Input', n: 'Integer', k: 'Integer', k4: 'Integer', m: 'Integer' },
  fn: function (this: KernelThis, a: number[][][], b: number[][][], ia: number[], ib: number[], n: number, k: number, k4: number, m: number): number[] {
    const sa = ia[this.thread.z], sb = ib[this.thread.z]
    const i0 = this.thread.y * 2, j0 = this.thread.x * 2
    const i1 = Math.min(i0 + 1, n - 1), j1 = Math.min(j0 + 1, m - 1)
    let s00 = 0, s01 = 0, s10 = 0, s11 = 0
    for (let p = 0; p < k4; p += 4) {
      const a00 = a[sa][i0][p], a01 = a[sa][i0][p + 1], a02 = a[sa][i0][p + 2], a03 = a[sa][i0][p + 3]
      const a10 = a[sa][i1][p], a11 = a[sa][i1][p + 1], a12 = a[sa][i1][p + 2], a13 = a[sa][i1][p + 3]
      const b00 = b[sb][p][j0], b10 = b[sb][p + 1][j0], b20 = b[sb][p + 2][j0], b30 = b[sb][p + 3][j0]
      const b01 = b[sb][p][j1], b11 = b[sb][p + 1][j1], b21 = b[sb][p + 2][j1], b31 = b[sb][p + 3][j1]
      s00 += a00 * b00 + a01 * b10 + a02 * b20 + a03 * b30 // (1)
      s01 += a00 * b01 + a01 * b11 + a02 * b21 + a03 * b31 // (1)
      s10 += a10 * b00 + a11 * b10 + a12 * b20 + a13 * b30 // (1)
      s11 += a10 * b01 + a11 * b11 + a12 * b21 + a13 * b31 // (1)
    }
    for (let q = 0; q < k - k4; q++) {
      const a0 = a[sa][i0][k4 + q], a1 = a[sa][i1][k4 + q], b0 = b[sb][k4 + q][j0], b1 = b[sb][k4 + q][j1]
      s00 += a0 * b0 // (1)
      s01 += a0 * b1 // (1)
      s10 += a1 * b0 // (1)
      s11 += a1 * b1 // (1)
    }
    return [s00, s01, s10, s11]
  },
}

/**
 * C[z] = sum over t < batch with sel[t] = z of A[t] B[ib[t]]^T (+ bias[j] when hasBias = 1), NT layout:
 * a [batch, n, k] read a[t][i][p], b [*, m, k] read b[ib[t]][j][p]; output [zs, ceil(n/2), ceil(m/2)] x 4.
 */
export const nt: KernelSpec = {
  name: 'gemm.nt',
  components: 4,
  args: { a: 'Input', b: 'Input', bias: 'Input', ib: 'Input', sel: 'Input', batch: 'Integer', hasBias: 'Integer', n: 'Integer', k: 'Integer', k4: 'Integer', m: 'Integer' },
  fn: function (this: KernelThis, a: number[][][], b: number[][][], bias: number[], ib: number[], sel: number[], batch: number, hasBias: number, n: number, k: number, k4: number, m: number): number[] {
    const i0 = this.thread.y * 2, j0 = this.thread.x * 2
    const i1 = Math.min(i0 + 1, n - 1), j1 = Math.min(j0 + 1, m - 1)
    let s00 = 0, s01 = 0, s10 = 0, s11 = 0
    for (let t = 0; t < batch; t++) {
      if (sel[t] === this.thread.z) {
        const sb = ib[t]
        for (let p = 0; p < k4; p += 4) {
          const a00 = a[t][i0][p], a01 = a[t][i0][p + 1], a02 = a[t][i0][p + 2], a03 = a[t][i0][p + 3]
          const a10 = a[t][i1][p], a11 = a[t][i1][p + 1], a12 = a[t][i1][p + 2], a13 = a[t][i1][p + 3]
          const b00 = b[sb][j0][p], b10 = b[sb][j0][p + 1], b20 = b[sb][j0][p + 2], b30 = b[sb][j0][p + 3]
          const b01 = b[sb][j1][p], b11 = b[sb][j1][p + 1], b21 = b[sb][j1][p + 2], b31 = b[sb][j1][p + 3]
          s00 += a00 * b00 + a01 * b10 + a02 * b20 + a03 * b30
          s01 += a00 * b01 + a01 * b11 + a02 * b21 + a03 * b31
          s10 += a10 * b00 + a11 * b10 + a12 * b20 + a13 * b30
          s11 += a10 * b01 + a11 * b11 + a12 * b21 + a13 * b31
        }
        for (let q = 0; q < k - k4; q++) {
          const a0 = a[t][i0][k4 + q], a1 = a[t][i1][k4 + q], b0 = b[sb][j0][k4 + q], b1 = b[sb][j1][k4 + q]
          s00 += a0 * b0
          s01 += a0 * b1
          s10 += a1 * b0
          s11 += a1 * b1
        }
      }
    }
    if (hasBias === 1) {
      s00 += bias[j0]
      s01 += bias[j1]
      s10 += bias[j0]
      s11 += bias[j1]
    }
    return [s00, s01, s10, s11]
  },
}

/**
 * C[z] = sum over t < batch with sel[t] = z of A[ia[t]]^T B[t], TN layout:
 * a [*, k, n] read a[ia[t]][p][i], b [batch, k, m] read b[t][p][j]; output [zs, ceil(n/2), ceil(m/2)] x 4.
 */
export const tn: KernelSpec = {
  name: 'gemm.tn',
  components: 4,
  args: { a: 'Input', b: 'Input', ia: 'Input', sel: 'Input', batch: 'Integer', n: 'Integer', k: 'Integer', k4: 'Integer', m: 'Integer' },
  fn: function (this: KernelThis, a: number[][][], b: number[][][], ia: number[], sel: number[], batch: number, n: number, k: number, k4: number, m: number): number[] {
    const i0 = this.thread.y * 2, j0 = this.thread.x * 2
    const i1 = Math.min(i0 + 1, n - 1), j1 = Math.min(j0 + 1, m - 1)
    let s00 = 0, s01 = 0, s10 = 0, s11 = 0
    for (let t = 0; t < batch; t++) {
      if (sel[t] === this.thread.z) {
        const sa = ia[t]
        for (let p = 0; p < k4; p += 4) {
          const a00 = a[sa][p][i0], a01 = a[sa][p + 1][i0], a02 = a[sa][p + 2][i0], a03 = a[sa][p + 3][i0]
          const a10 = a[sa][p][i1], a11 = a[sa][p + 1][i1], a12 = a[sa][p + 2][i1], a13 = a[sa][p + 3][i1]
          const b00 = b[t][p][j0], b10 = b[t][p + 1][j0], b20 = b[t][p + 2][j0], b30 = b[t][p + 3][j0]
          const b01 = b[t][p][j1], b11 = b[t][p + 1][j1], b21 = b[t][p + 2][j1], b31 = b[t][p + 3][j1]
          s00 += a00 * b00 + a01 * b10 + a02 * b20 + a03 * b30
          s01 += a00 * b01 + a01 * b11 + a02 * b21 + a03 * b31
          s10 += a10 * b00 + a11 * b10 + a12 * b20 + a13 * b30
          s11 += a10 * b01 + a11 * b11 + a12 * b21 + a13 * b31
        }
        for (let q = 0; q < k - k4; q++) {
          const a0 = a[sa][k4 + q][i0], a1 = a[sa][k4 + q][i1], b0 = b[t][k4 + q][j0], b1 = b[t][k4 + q][j1]
          s00 += a0 * b0
          s01 += a0 * b1
          s10 += a1 * b0
          s11 += a1 * b1
        }
      }
    }
    return [s00, s01, s10, s11]
  },
}

/** Thread dims of a blocked product: [batch, ceil(n/2), ceil(m/2)]. */
export const blocks = (batch: number, n: number, m: number): number[] => [batch, Math.ceil(n / 2), Math.ceil(m / 2)]

/**
 * The blocked result (thread order, 4 components) as row-major float64 values
 * of [batch, n, m], the duplicate rows and columns of odd edges dropped. The
 * copy the float64 download makes anyway, in another order.
 */
export const unpack = (data: Float32Array, batch: number, n: number, m: number): Float64Array => {
  const out = new Float64Array(batch * n * m)
  const ty = Math.ceil(n / 2), tx = Math.ceil(m / 2)
  for (let z = 0; z < batch; z++) {
    for (let y = 0; y < ty; y++) {
      const i0 = 2 * y, row0 = (z * n + i0) * m, row1 = row0 + m, two = i0 + 1 < n
      let q = ((z * ty + y) * tx) * 4
      for (let x = 0; x < tx; x++, q += 4) {
        const j0 = 2 * x
        out[row0 + j0] = data[q]
        if (j0 + 1 < m) out[row0 + j0 + 1] = data[q + 1]
        if (two) {
          out[row1 + j0] = data[q + 2]
          if (j0 + 1 < m) out[row1 + j0 + 1] = data[q + 3]
        }
      }
    }
  }
  return out
}

/**
 * `unpack` on the device, for resident chains: out[z][i][j] of [batch, n, m]
 * from the blocked result read as [batch, ceil(n/2), 4 ceil(m/2)]. A copy.
 */
export const unblock: KernelSpec = {
  name: 'gemm.unblock',
  args: { blk: 'Input' },
  fn: function (this: KernelThis, blk: number[][][]): number {
    const y2 = Math.floor((this.thread.y + 0.5) / 2), x2 = Math.floor((this.thread.x + 0.5) / 2)
    return blk[this.thread.z][y2][x2 * 4 + (this.thread.y - y2 * 2) * 2 + (this.thread.x - x2 * 2)]
  },
}

/**
 * A blocked product on the device (`spec`, thread dims `blocks(batch, rows, cols)`),
 * then `unblock` into row-major [batch, rows, cols], viewed as `shape`: the
 * resident twin of running `spec` and `unpack`ing on the host.
 */
export const residentProduct = async (dev: Device, spec: KernelSpec, batch: number, rows: number, cols: number, args: readonly ResidentArg[], shape: Shape): Promise<E.Either<KernelError, DeviceTensor>> =>
  scoped(async (s) => {
    const blk = s.temp(s.ok(await runResident(dev, spec, blocks(batch, rows, cols), args)))
    const out = s.temp(s.ok(await runResident(dev, unblock, [batch, rows, cols], [bind(blk, [batch, Math.ceil(rows / 2), 4 * Math.ceil(cols / 2)])])))
    return s.ok(reshape(out, shape))
  })
