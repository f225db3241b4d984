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
 * The products are ./gemm.ts's 2 x 2-blocked kernels (why blocks, and why
 * the sum rule still bounds them, is there): (1) is NN, (2) NT, (3) TN.
 * `resident` runs the same kernels on device tensors and unblocks on the
 * device (gemm.ts's `unblock`), where the host path unblocks on the host.
 */
import * as E from 'fp-ts/lib/Either.js'
import { fail, showShape } from '../../src/core/errors.ts'
import { checkInputs } from '../../src/core/op.ts'
import * as Matmul from '../../src/layers/matmul.ts'
import { type Shape, broadcastIndex, broadcastShapes, make, sizeOf } from '../../src/core/tensor.ts'
import { type DeviceTensor, bind, release } from '../device-tensor.ts'
import { type KernelOp, type ResidentOp, upload } from '../op.ts'
import { type F32, f32, ran, run } from '../runtime.ts'
import { blocks, nn, nt, residentProduct, tn, unpack } from './gemm.ts'

export interface Cache {
  readonly a: F32
  readonly b: F32
  readonly ia: F32
  readonly ib: F32
  readonly aShape: Shape
  readonly bShape: Shape
  readonly batch: number
}

/** k rounded down to the 4-step unrolled loop of ./gemm.ts */
const k4 = (k: number): number => k - (k % 4)

/** Resident cache: a and b are the caller's (kept alive until dispose); the gather tables are host arrays. */
export interface ResidentCache {
  readonly a: DeviceTensor
  readonly b: DeviceTensor
  readonly ia: F32
  readonly ib: F32
  readonly batch: number
}

/** The same kernels on device tensors (../device-tensor.ts): same arithmetic, so the same float32 numbers as `op`. */
const resident: ResidentOp<Record<string, never>, ResidentCache> = {
  forward: async (dev, _attrs, { a, b }) => {
    if (a === undefined || b === undefined) return fail('matmul', a === undefined ? 'inputs.a' : 'inputs.b', 'a tensor', 'nothing')
    if (a.shape.length < 2) return fail('matmul', 'inputs.a', 'rank >= 2, [..., n, k]', showShape(a.shape))
    if (b.shape.length < 2) return fail('matmul', 'inputs.b', 'rank >= 2, [..., k, m]', showShape(b.shape))
    const [n, k] = a.shape.slice(-2), [k2, m] = b.shape.slice(-2)
    if (k2 !== k) return fail('matmul', 'inputs.b', `[..., ${k}, m] to match a's last dimension`, showShape(b.shape), 'a [..., n, k] times b [..., k, m]')
    const batchShape = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2))
    if (batchShape === undefined) {
      return fail('matmul', 'inputs.b', `batch dimensions that broadcast with a's ${showShape(a.shape.slice(0, -2))}`, showShape(b.shape.slice(0, -2)))
    }
    const batch = sizeOf(batchShape)
    const ia = f32(broadcastIndex(a.shape.slice(0, -2), batchShape), [batch])
    const ib = f32(broadcastIndex(b.shape.slice(0, -2), batchShape), [batch])
    const args = [bind(a, [sizeOf(a.shape.slice(0, -2)), n, k]), bind(b, [sizeOf(b.shape.slice(0, -2)), k, m]), ia, ib, n, k, k4(k), m]
    const y = await residentProduct(dev, nn, batch, n, m, args, [...batchShape, n, m]) // (1)
    if (E.isLeft(y)) return y
    return E.right({ outputs: { y: y.right }, cache: { a, b, ia, ib, batch } })
  },
  backward: async (dev, _attrs, { a, b, ia, ib, batch }, { y: g }) => {
    const [n, k] = a.shape.slice(-2), m = b.shape[b.shape.length - 1]
    const na = sizeOf(a.shape.slice(0, -2)), nb = sizeOf(b.shape.slice(0, -2))
    if (g === undefined || sizeOf(g.shape) !== batch * n * m) return fail('matmul', 'cotangents.y', `${batch * n * m} values`, g === undefined ? 'nothing' : showShape(g.shape))
    const gb = bind(g, [batch, n, m])
    const da = await residentProduct(dev, nt, na, n, k, [gb, bind(b, [nb, k, m]), f32([0], [1]), ib, ia, batch, 0, n, m, k4(m), k], a.shape) // (2)
    if (E.isLeft(da)) return da
    const db = await residentProduct(dev, tn, nb, k, m, [bind(a, [na, n, k]), gb, ia, ib, batch, k, n, k4(n), m], b.shape) // (3)
    if (E.isLeft(db)) { release(da.right); return db }
    return E.right({ a: da.right, b: db.right })
  },
  dispose: () => undefined,
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
    const y = await run(dev, nn, blocks(batch, n, m), [a, b, ia, ib, n, k, k4(k), m]) // (1)
    if (E.isLeft(y)) return y
    const out = make([...batchShape, n, m], unpack(y.right, batch, n, m), 'float32')
    return E.right(ran(dev, { outputs: { y: out }, cache: { a, b, ia, ib, aShape: at.shape, bShape: bt.shape, batch } }))
  },
  backward: async (dev, _attrs, { a, b, ia, ib, aShape, bShape, batch }, { y: gt }) => {
    const [na, n, k] = a.dims, [nb, , m] = b.dims
    const g = upload(gt, [batch, n, m])
    const none = f32([0], [1])
    const da = await run(dev, nt, blocks(na, n, k), [g, b, none, ib, ia, batch, 0, n, m, k4(m), k]) // (2)
    if (E.isLeft(da)) return da
    const db = await run(dev, tn, blocks(nb, k, m), [a, g, ia, ib, batch, k, n, k4(n), m]) // (3)
    if (E.isLeft(db)) return db
    return E.right(ran(dev, { a: make(aShape, unpack(da.right, na, n, k), 'float32'), b: make(bShape, unpack(db.right, nb, k, m), 'float32') }))
  },
  resident,
}
