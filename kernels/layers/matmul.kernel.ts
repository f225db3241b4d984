/**
 * Float32 mirror of src/layers/matmul.ts:
 *   (1) Y[b] = A[b] B[b]            A [..., n, k], B [..., k, m], batch dims broadcast
 * Backward, G = dL/dY:
 *   (2) dA = sumTo(G B^T, A.shape)  the batch broadcast's adjoint is a sum
 *   (3) dB = sumTo(A^T G, B.shape)
 * The broadcast batch t of Y reads batch ia[t] of A and ib[t] of B (gather
 * tables from src/core/tensor.ts's broadcastIndex, uploaded as f32: exact
 * below 2^24 batches). sumTo in (2)-(3) is a loop over the t that read a
 * given batch, inside the thread that owns the gradient element, since
 * gpu.js has no atomics to scatter with (gpujs §7.4).
 * No tiling: gpu.js exposes no workgroup memory (gpujs §7.4); one thread per
 * output element runs the full inner product sequentially.
 */
import * as E from 'fp-ts/lib/Either.js'
import { fail, showShape } from '../../src/core/errors.ts'
import { checkInputs } from '../../src/core/op.ts'
import * as Matmul from '../../src/layers/matmul.ts'
import { type Shape, broadcastIndex, broadcastShapes, sizeOf } from '../../src/core/tensor.ts'
import { type KernelOp, download, upload } from '../op.ts'
import { type F32, type KernelSpec, type KernelThis, f32, ran, run } from '../runtime.ts'

export interface Cache {
  readonly a: F32
  readonly b: F32
  readonly ia: F32
  readonly ib: F32
  readonly aShape: Shape
  readonly bShape: Shape
  readonly batch: number
}

const product: KernelSpec = {
  name: 'matmul.y',
  args: { a: 'Input', b: 'Input', ia: 'Input', ib: 'Input', k: 'Integer' },
  fn: function (this: KernelThis, a: number[][][], b: number[][][], ia: number[], ib: number[], k: number): number {
    let s = 0
    for (let p = 0; p < k; p++) s += a[ia[this.thread.z]][this.thread.y][p] * b[ib[this.thread.z]][p][this.thread.x] // (1)
    return s
  },
}

const gradA: KernelSpec = {
  name: 'matmul.da',
  args: { g: 'Input', b: 'Input', ia: 'Input', ib: 'Input', batch: 'Integer', m: 'Integer' },
  fn: function (this: KernelThis, g: number[][][], b: number[][][], ia: number[], ib: number[], batch: number, m: number): number {
    let s = 0
    for (let t = 0; t < batch; t++) {
      if (ia[t] === this.thread.z) {
        for (let j = 0; j < m; j++) s += g[t][this.thread.y][j] * b[ib[t]][this.thread.x][j] // (2)
      }
    }
    return s
  },
}

const gradB: KernelSpec = {
  name: 'matmul.db',
  args: { a: 'Input', g: 'Input', ia: 'Input', ib: 'Input', batch: 'Integer', n: 'Integer' },
  fn: function (this: KernelThis, a: number[][][], g: number[][][], ia: number[], ib: number[], batch: number, n: number): number {
    let s = 0
    for (let t = 0; t < batch; t++) {
      if (ib[t] === this.thread.z) {
        for (let i = 0; i < n; i++) s += a[ia[t]][i][this.thread.y] * g[t][i][this.thread.x] // (3)
      }
    }
    return s
  },
}

export const op: KernelOp<Record<string, never>, Cache> = {
  name: 'matmul',
  parseAttrs: Matmul.op.parseAttrs,
  forward: async (dev, _attrs, inputs) => {
    const checked = checkInputs('matmul', Matmul.op.inputs, inputs)
    if (E.isLeft(checked)) return checked
    const at = inputs.a!, bt = inputs.b!
    if (at.shape.length < 2) return fail('matmul', 'inputs.a', 'rank >= 2, [..., n, k]', showShape(at.shape))
    if (bt.shape.length < 2) return fail('matmul', 'inputs.b', 'rank >= 2, [..., k, m]', showShape(bt.shape))
    const [n, k] = at.shape.slice(-2), [k2, m] = bt.shape.slice(-2)
    if (k2 !== k) return fail('matmul', 'inputs.b', `[..., ${k}, m] to match a's last dimension`, showShape(bt.shape), 'a [..., n, k] times b [..., k, m]')
    const batchShape = broadcastShapes(at.shape.slice(0, -2), bt.shape.slice(0, -2))
    if (batchShape === undefined) {
      return fail('matmul', 'inputs.b', `batch dimensions that broadcast with a's ${showShape(at.shape.slice(0, -2))}`, showShape(bt.shape.slice(0, -2)))
    }
    const batch = sizeOf(batchShape)
    const a = upload(at, [sizeOf(at.shape.slice(0, -2)), n, k])
    const b = upload(bt, [sizeOf(bt.shape.slice(0, -2)), k, m])
    const ia = f32(broadcastIndex(at.shape.slice(0, -2), batchShape), [batch])
    const ib = f32(broadcastIndex(bt.shape.slice(0, -2), batchShape), [batch])
    const y = await run(dev, product, [batch, n, m], [a, b, ia, ib, k]) // (1)
    if (E.isLeft(y)) return y
    return E.right(ran(dev, { outputs: { y: download([...batchShape, n, m], y.right) }, cache: { a, b, ia, ib, aShape: at.shape, bShape: bt.shape, batch } }))
  },
  backward: async (dev, _attrs, { a, b, ia, ib, aShape, bShape, batch }, { y: gt }) => {
    const [, n, k] = a.dims, [, , m] = b.dims
    const g = upload(gt, [batch, n, m])
    const da = await run(dev, gradA, a.dims, [g, b, ia, ib, batch, m]) // (2)
    if (E.isLeft(da)) return da
    const db = await run(dev, gradB, b.dims, [a, g, ia, ib, batch, n]) // (3)
    if (E.isLeft(db)) return db
    return E.right(ran(dev, { a: download(aShape, da.right), b: download(bShape, db.right) }))
  },
}
