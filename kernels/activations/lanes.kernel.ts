/**
 * Lane reductions for softmax, log-softmax and cross entropy, the float32
 * mirror of src/activations/lanes.ts: a tensor [...outer, n, ...inner] is
 * read as x[o][k][i] (an input of dims [outer, n, inner]), and each kernel
 * runs one thread per lane (o, i), looping over k < n (an Integer argument,
 * so LOOP_CAP applies, never the default 1000). Sums run sequentially in f32:
 * error <= (n - 1) u sum |terms| (Higham 3.5), what spec/kernels charges.
 *
 * Thread layout (`grid` below). In general lane (o, i) is thread (y, x) of an
 * output [outer, inner], and element (o, k, i) of the ops' elementwise kernels
 * is thread (z, y, x) of [outer, n, inner]. With inner = 1 (dim = -1, the
 * common case) thread.x would have extent 1 and keep 1 lane in 8 of each 8x8
 * workgroup busy (gpujs §7.4; measured 7x slower on lavapipe), so the `rows`
 * layout (rows = 1) launches lanes as [1, outer] (o = x) and elements as
 * [1, outer, n] (o = y, k = x), with i = z = 0. The memory order is the same
 * in both, so results come back without a permutation. The choice is a
 * ternary inside each subscript, never a declared local (gpujs §3: locals are
 * f32), and its dead branch reads thread.z (0) rather than a literal 0, which
 * gpu.js 2.24.1 would type as f32 and fail to compile.
 */
import type { KernelSpec, KernelThis } from '../runtime.ts'

export interface Grid {
  /** 1 for the rows layout (inner = 1), 0 for the general one */
  readonly rows: number
  /** launch dims of a per-lane output */
  readonly lanes: readonly number[]
  /** launch dims of a per-element output */
  readonly elements: readonly number[]
}

export const grid = (outer: number, n: number, inner: number): Grid =>
  inner === 1
    ? { rows: 1, lanes: [1, outer], elements: [1, outer, n] }
    : { rows: 0, lanes: [outer, inner], elements: [outer, n, inner] }

/** m = max_k x_k (src softmax (1)); two-argument Math.max only (gpujs §3). */
export const laneMax: KernelSpec = {
  name: 'lanes.max',
  args: { x: 'Input', n: 'Integer', rows: 'Integer' },
  fn: function (this: KernelThis, x: number[][][], n: number, rows: number): number {
    let m = x[rows === 1 ? this.thread.x : this.thread.y][0][rows === 1 ? this.thread.z : this.thread.x]
    for (let k = 1; k < n; k++) m = Math.max(m, x[rows === 1 ? this.thread.x : this.thread.y][k][rows === 1 ? this.thread.z : this.thread.x])
    return m
  },
}

/** s = sum_k exp(x_k - m) (src softmax (2)). */
export const laneSumExp: KernelSpec = {
  name: 'lanes.sumExp',
  args: { x: 'Input', m: 'Input', n: 'Integer', rows: 'Integer' },
  fn: function (this: KernelThis, x: number[][][], m: number[][], n: number, rows: number): number {
    let s = 0
    for (let k = 0; k < n; k++) {
      s += Math.exp(x[rows === 1 ? this.thread.x : this.thread.y][k][rows === 1 ? this.thread.z : this.thread.x] -
        m[rows === 1 ? this.thread.x : this.thread.y][rows === 1 ? this.thread.z : this.thread.x])
    }
    return s
  },
}

/** sum_k a_k b_k (softmax backward (4)). */
export const laneDot: KernelSpec = {
  name: 'lanes.dot',
  args: { a: 'Input', b: 'Input', n: 'Integer', rows: 'Integer' },
  fn: function (this: KernelThis, a: number[][][], b: number[][][], n: number, rows: number): number {
    let s = 0
    for (let k = 0; k < n; k++) {
      s += a[rows === 1 ? this.thread.x : this.thread.y][k][rows === 1 ? this.thread.z : this.thread.x] *
        b[rows === 1 ? this.thread.x : this.thread.y][k][rows === 1 ? this.thread.z : this.thread.x]
    }
    return s
  },
}

/** sum_k a_k (log-softmax backward (4)). */
export const laneSum: KernelSpec = {
  name: 'lanes.sum',
  args: { a: 'Input', n: 'Integer', rows: 'Integer' },
  fn: function (this: KernelThis, a: number[][][], n: number, rows: number): number {
    let s = 0
    for (let k = 0; k < n; k++) s += a[rows === 1 ? this.thread.x : this.thread.y][k][rows === 1 ? this.thread.z : this.thread.x]
    return s
  },
}

/**
 * m and s of src softmax (1)-(2) in one launch (issue 18): output [2, ...lanes]
 * (thread z = 0: m, z = 1: s), i.e. memory [2, outer, inner] in either layout.
 * An s thread computes its lane's maximum itself, with laneMax's instructions,
 * rather than wait for it (gpu.js has no barriers, gpujs §7.4). The lane (o, i)
 * is (x, y) in the rows layout (y = 0 there) and (y, x) in the general one.
 * Loop counters are distinct: gpu.js declares them at function scope in WGSL.
 */
export const laneStats: KernelSpec = {
  name: 'lanes.stats',
  args: { x: 'Input', n: 'Integer', rows: 'Integer' },
  fn: function (this: KernelThis, x: number[][][], n: number, rows: number): number {
    let m = x[rows === 1 ? this.thread.x : this.thread.y][0][rows === 1 ? this.thread.y : this.thread.x]
    for (let k = 1; k < n; k++) m = Math.max(m, x[rows === 1 ? this.thread.x : this.thread.y][k][rows === 1 ? this.thread.y : this.thread.x])
    if (this.thread.z === 0) return m
    let s = 0
    for (let j = 0; j < n; j++) s += Math.exp(x[rows === 1 ? this.thread.x : this.thread.y][j][rows === 1 ? this.thread.y : this.thread.x] - m)
    return s
  },
}
