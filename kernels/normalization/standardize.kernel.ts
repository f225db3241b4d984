/**
 * Float32 mirror of src/normalization/standardize.ts and ./affine.ts's
 * equations as batch, instance and group norm use them (layer norm keeps its
 * own row kernels, ./layer-norm.kernel.ts). x [N, C, ...] travels as a 3-D
 * input [N, C, S], S = prod(spatial) (1 with none), and a group k of the
 * partition is a block of nN consecutive samples by nC consecutive channels,
 * all S positions each (src/normalization/channels.ts's layout):
 *   batch norm     nN = N, nC = 1      groups [1, C]   (a channel over the batch)
 *   instance norm  nN = 1, nC = 1      groups [N, C]   (a (sample, channel) plane)
 *   group norm     nN = 1, nC = C/G    groups [N, G]   (a (sample, group) block)
 * n_k = nN nC S. Element (n, c, s) is in group (floor(n / nN), floor(c / nC));
 * its affine parameters are channel c's. src's equations:
 *   (1) mu_k  = (1/n_k) sum_{i in k} x_i
 *   (2) var_k = (1/n_k) sum_{i in k} (x_i - mu_k)^2        two passes, never E[x^2] - E[x]^2
 *   (3) r_k   = 1 / sqrt(var_k + eps)
 *   (4) xhat_i = (x_i - mu_k) r_k
 *   affine (1): y_i = gamma_c xhat_i + beta_c
 * Backward, dxhat = g gamma_c (affine (2)):
 *   (5) dx_i = r_k / n_k (n_k dxhat_i - sum_{j in k} dxhat_j - xhat_i sum_{j in k} dxhat_j xhat_j)
 *   (6) dx_i = r_k dxhat_i        statistics given (batch norm in evaluation)
 *   affine (3), (4): dgamma_c = sum over channel c of g xhat, dbeta_c = sum of g
 * Every sum (the two of (1)-(2), the two of (5), the parameter gradients) runs
 * in two levels: one thread per (n, c) plane sums its S values of the
 * integrand (output [N, C]), then one thread per group (output [groups N,
 * groups C]) or per channel (output [1, C]) sums its block of plane sums.
 * Per-element kernels run one thread per element (output [N, C, S]: thread
 * z = n, y = c, x = s). The kernels keep mu and r per group and recompute xhat
 * where needed, which keeps the dx kernel of (5) at gpu.js's limit of 7 array
 * arguments (gpujs §7.1), as in layer norm. The group of an element comes from
 * floor((n + 0.5) / nN): n < 65536 (the 3-D dispatch limit, gpujs §7.3) keeps
 * that quotient's f32 rounding (2.5 ULP) far from the next integer.
 * Uploads: moments and the backward pin x (and g) on the device once
 * (../device-tensor.ts `pin`), so their several launches bind one copy
 * instead of uploading the input-sized arrays at every launch (issue 18).
 * Layout cost: with no spatial dims (batch norm on [N, C]), S = 1 leaves thread
 * x with extent 1 and 1 lane in 8 of each 8 x 8 workgroup busy (the trap
 * ../activations/lanes.kernel.ts works around); correct, not fast.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Shape, Tensor } from '../../src/core/tensor.ts'
import { pin, unpin } from '../device-tensor.ts'
import { download, keep, upload } from '../op.ts'
import { type Device, type F32, type KernelError, type KernelSpec, type KernelThis, f32, run } from '../runtime.ts'

/** The partition of x [N, C, S] into groups of nN samples by nC channels. */
export interface Blocks {
  readonly n: number
  readonly c: number
  readonly s: number
  readonly nN: number
  readonly nC: number
  /** the groups grid: [groups along N, groups along C] */
  readonly groups: readonly [number, number]
}

export const count = (b: Blocks): number => b.nN * b.nC * b.s

/**
 * Level one of every sum: one thread per (n, c) plane, the sum over its S
 * positions of one integrand (which = 0: x, 1: (x - mu)^2, 2: dxhat,
 * 3: dxhat xhat, 4: g xhat, 5: g). Output [N, C]. Each integrand reads only
 * its own arrays (the others are one-value placeholders, see `Operands`).
 */
const planeSums: KernelSpec = {
  name: 'standardize.planes',
  args: { x: 'Input', mu: 'Input', r: 'Input', g: 'Input', gamma: 'Input', nN: 'Integer', nC: 'Integer', s: 'Integer', hasWeight: 'Integer', which: 'Integer' },
  fn: function (this: KernelThis, x: number[][][], mu: number[][], r: number[][], g: number[][][], gamma: number[], nN: number, nC: number, s: number, hasWeight: number, which: number): number {
    const gy = Math.floor((this.thread.y + 0.5) / nN)
    const gx = Math.floor((this.thread.x + 0.5) / nC)
    let t = 0
    for (let j = 0; j < s; j++) {
      if (which === 0) t += x[this.thread.y][this.thread.x][j] // (1)
      if (which === 1) {
        const d = x[this.thread.y][this.thread.x][j] - mu[gy][gx]
        t += d * d // (2)
      }
      if (which === 2 || which === 3) {
        let dxhat = g[this.thread.y][this.thread.x][j] // affine (2)
        if (hasWeight === 1) dxhat = dxhat * gamma[this.thread.x] // affine (2)
        if (which === 2) t += dxhat // (5)
        if (which === 3) t += dxhat * ((x[this.thread.y][this.thread.x][j] - mu[gy][gx]) * r[gy][gx]) // (4), (5)
      }
      if (which === 4) t += g[this.thread.y][this.thread.x][j] * ((x[this.thread.y][this.thread.x][j] - mu[gy][gx]) * r[gy][gx]) // (4), affine (3)
      if (which === 5) t += g[this.thread.y][this.thread.x][j] // affine (4)
    }
    return t
  },
}

/**
 * Level two: the sum of the plane sums of a block of nN samples by nC
 * channels (a group, or with nN = N, nC = 1 a channel), divided by `count`
 * when count > 0 (the means of (1), (2)). Output [groups N, groups C].
 */
const blockSums: KernelSpec = {
  name: 'standardize.blocks',
  args: { p: 'Input', nN: 'Integer', nC: 'Integer', count: 'Integer' },
  fn: function (this: KernelThis, p: number[][], nN: number, nC: number, count: number): number {
    let t = 0
    for (let a = 0; a < nN; a++) {
      for (let b = 0; b < nC; b++) t += p[this.thread.y * nN + a][this.thread.x * nC + b]
    }
    if (count > 0) return t / count // (1), (2)
    return t
  },
}

const invStd: KernelSpec = {
  name: 'standardize.r',
  args: { v: 'Input', eps: 'Float' },
  fn: function (this: KernelThis, v: number[][], eps: number): number {
    return 1 / Math.sqrt(v[this.thread.y][this.thread.x] + eps) // (3)
  },
}

const normalize: KernelSpec = {
  name: 'standardize.y',
  args: { x: 'Input', mu: 'Input', r: 'Input', gamma: 'Input', beta: 'Input', nN: 'Integer', nC: 'Integer', hasWeight: 'Integer', hasBias: 'Integer' },
  fn: function (this: KernelThis, x: number[][][], mu: number[][], r: number[][], gamma: number[], beta: number[], nN: number, nC: number, hasWeight: number, hasBias: number): number {
    const gy = Math.floor((this.thread.z + 0.5) / nN)
    const gx = Math.floor((this.thread.y + 0.5) / nC)
    let y = (x[this.thread.z][this.thread.y][this.thread.x] - mu[gy][gx]) * r[gy][gx] // (4)
    if (hasWeight === 1) y = gamma[this.thread.y] * y // affine (1)
    if (hasBias === 1) y = y + beta[this.thread.y] // affine (1)
    return y
  },
}

const gradX: KernelSpec = {
  name: 'standardize.dx',
  args: { x: 'Input', mu: 'Input', r: 'Input', g: 'Input', gamma: 'Input', s1: 'Input', s2: 'Input', nN: 'Integer', nC: 'Integer', hasWeight: 'Integer', count: 'Integer' },
  fn: function (this: KernelThis, x: number[][][], mu: number[][], r: number[][], g: number[][][], gamma: number[], s1: number[][], s2: number[][],
    nN: number, nC: number, hasWeight: number, count: number): number {
    const gy = Math.floor((this.thread.z + 0.5) / nN)
    const gx = Math.floor((this.thread.y + 0.5) / nC)
    let dxhat = g[this.thread.z][this.thread.y][this.thread.x] // affine (2)
    if (hasWeight === 1) dxhat = dxhat * gamma[this.thread.y] // affine (2)
    const xhat = (x[this.thread.z][this.thread.y][this.thread.x] - mu[gy][gx]) * r[gy][gx] // (4)
    return (r[gy][gx] / count) * (count * dxhat - s1[gy][gx] - xhat * s2[gy][gx]) // (5)
  },
}

const gradXFixed: KernelSpec = {
  name: 'standardize.dxFixed',
  args: { r: 'Input', g: 'Input', gamma: 'Input', nN: 'Integer', nC: 'Integer', hasWeight: 'Integer' },
  fn: function (this: KernelThis, r: number[][], g: number[][][], gamma: number[], nN: number, nC: number, hasWeight: number): number {
    let dxhat = g[this.thread.z][this.thread.y][this.thread.x] // affine (2)
    if (hasWeight === 1) dxhat = dxhat * gamma[this.thread.y] // affine (2)
    return r[Math.floor((this.thread.z + 0.5) / nN)][Math.floor((this.thread.y + 0.5) / nC)] * dxhat // (6)
  },
}

type Result<T> = Promise<E.Either<KernelError, T>>

/**
 * The arrays an integrand of `planeSums` reads; the others go in as one-value
 * placeholders of the same rank (the rank is part of the kernel's cache key),
 * since every array argument is uploaded at every launch and x and g are the
 * size of the input (measured on the H100: the uploads, not the arithmetic,
 * dominate batch norm at [64, 256, 16, 16]). A gamma present means dxhat = g gamma.
 */
interface Operands { readonly x?: F32; readonly mu?: F32; readonly r?: F32; readonly g?: F32; readonly gamma?: F32 }
const NONE3 = f32([0], [1, 1, 1]), NONE2 = f32([0], [1, 1]), NONE1 = f32([0], [1])

/**
 * Two-level sums (plane sums, then block sums) of integrand `which` over every
 * group (output b.groups) or every channel (output [1, C]), divided by
 * `divisor` when it is > 0. Two levels give each level-one thread S terms
 * instead of n_k: N C threads in flight rather than C for batch norm (measured
 * on the H100: one level left it 4x slower than TF.js). Any summation order is
 * what spec/kernels charges, so the bound is the same.
 */
const sums = async (dev: Device, b: Blocks, o: Operands, which: number, over: 'group' | 'channel', divisor: number): Result<F32> => {
  const arrays = [o.x ?? NONE3, o.mu ?? NONE2, o.r ?? NONE2, o.g ?? NONE3, o.gamma ?? NONE1]
  const planes = await run(dev, planeSums, [b.n, b.c], [...arrays, b.nN, b.nC, b.s, o.gamma === undefined ? 0 : 1, which])
  if (E.isLeft(planes)) return planes
  const [out, nN, nC] = over === 'group' ? [b.groups, b.nN, b.nC] : [[1, b.c], b.n, 1]
  const total = await run(dev, blockSums, out, [keep(planes.right, [b.n, b.c]), nN, nC, divisor])
  return E.map((t: Float32Array) => keep(t, out))(total)
}

/** Per-group statistics on the device, [groups N, groups C] each. */
export interface Stats { readonly mu: F32; readonly variance: F32 }

/**
 * (1)-(2). An empty partition (n_k = 0, batch norm on an empty batch) gets NaN
 * statistics without a launch, as src's moments do; no element reads them.
 */
export const moments = async (dev: Device, b: Blocks, x0: F32): Result<Stats> => {
  const size = b.groups[0] * b.groups[1]
  if (count(b) === 0) return E.right({ mu: f32(new Float32Array(size).fill(NaN), b.groups), variance: f32(new Float32Array(size).fill(NaN), b.groups) })
  const pinned = pin(dev, x0) // x read by both passes, uploaded once (issue 18)
  if (E.isLeft(pinned)) return pinned
  const x = pinned.right
  try {
    const mu = await sums(dev, b, { x }, 0, 'group', count(b)) // (1)
    if (E.isLeft(mu)) return mu
    const variance = await sums(dev, b, { x, mu: mu.right }, 1, 'group', count(b)) // (2)
    if (E.isLeft(variance)) return variance
    return E.right({ mu: mu.right, variance: variance.right })
  } finally {
    unpin(x)
  }
}

/** (3), from computed or given variances. */
export const inverseStd = async (dev: Device, variance: F32, eps: number): Result<F32> =>
  E.map((r: Float32Array) => keep(r, variance.dims))(await run(dev, invStd, variance.dims, [variance, eps]))

/** An optional per-channel parameter as a kernel argument (a placeholder zero when absent). */
export const param = (t: Tensor | undefined): F32 => (t === undefined ? f32([0], [1]) : upload(t, [t.data.length]))

/** Everything (5), (6) and the parameter gradients need. */
export interface Standardized {
  readonly shape: Shape
  readonly blocks: Blocks
  readonly x: F32
  readonly mu: F32
  readonly r: F32
  readonly gamma: F32
  readonly hasWeight: boolean
  readonly hasBias: boolean
}

/** (4) and the affine map: y as a tensor of x's shape. */
export const forward = async (dev: Device, st: Standardized, beta: F32): Result<Tensor> => {
  const { blocks: b } = st
  const y = await run(dev, normalize, [b.n, b.c, b.s], [st.x, st.mu, st.r, st.gamma, beta, b.nN, b.nC, st.hasWeight ? 1 : 0, st.hasBias ? 1 : 0]) // (4), affine (1)
  return E.map((v: Float32Array) => download(st.shape, v))(y)
}

/** dx by (5) (statistics of x) or (6) (`fixed`: given statistics), and dgamma, dbeta when there are parameters. */
export const backward = async (dev: Device, st0: Standardized, gt: Tensor, fixed: boolean): Result<Record<string, Tensor>> => {
  // x and g are read by up to five launches each: uploaded once (issue 18)
  const g = pin(dev, upload(gt, [st0.blocks.n, st0.blocks.c, st0.blocks.s]))
  if (E.isLeft(g)) return g
  const x = pin(dev, st0.x)
  if (E.isLeft(x)) { unpin(g.right); return x }
  try {
    return await backwardPinned(dev, { ...st0, x: x.right }, g.right, fixed)
  } finally {
    unpin(g.right, x.right)
  }
}

const backwardPinned = async (dev: Device, st: Standardized, g: F32, fixed: boolean): Result<Record<string, Tensor>> => {
  const { blocks: b } = st
  const w = st.hasWeight ? 1 : 0
  const gamma = st.hasWeight ? st.gamma : undefined
  let dx: E.Either<KernelError, Float32Array>
  if (fixed) {
    dx = await run(dev, gradXFixed, [b.n, b.c, b.s], [st.r, g, st.gamma, b.nN, b.nC, w]) // (6)
  } else {
    const s1 = await sums(dev, b, { g, gamma }, 2, 'group', 0) // (5)
    if (E.isLeft(s1)) return s1
    const s2 = await sums(dev, b, { x: st.x, mu: st.mu, r: st.r, g, gamma }, 3, 'group', 0) // (5)
    if (E.isLeft(s2)) return s2
    dx = await run(dev, gradX, [b.n, b.c, b.s], [st.x, st.mu, st.r, g, st.gamma, s1.right, s2.right, b.nN, b.nC, w, count(b)]) // (5)
  }
  if (E.isLeft(dx)) return dx
  const grads: Record<string, Tensor> = { x: download(st.shape, dx.right) }
  if (st.hasWeight) {
    const dgamma = await sums(dev, b, { x: st.x, mu: st.mu, r: st.r, g }, 4, 'channel', 0) // affine (3)
    if (E.isLeft(dgamma)) return dgamma
    grads.weight = download([b.c], dgamma.right.data)
  }
  if (st.hasBias) {
    const dbeta = await sums(dev, b, { g }, 5, 'channel', 0) // affine (4)
    if (E.isLeft(dbeta)) return dbeta
    grads.bias = download([b.c], dbeta.right.data)
  }
  return E.right(grads)
}
