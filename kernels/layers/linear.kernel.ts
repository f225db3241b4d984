/**
 * Float32 mirror of src/layers/linear.ts (weight stored [out, in]):
 *   (1) y = x W^T + b              x [..., in], W [out, in], b [out]
 * Backward, g = dL/dy; X = x as [M, in], G = g as [M, out]:
 *   (2) dx = g W
 *   (3) dW = G^T X
 *   (4) db = sum over rows of G
 * (1)-(3) are ./gemm.ts's 2 x 2-blocked products (why blocks, and why the
 * sum rule still bounds them, is there): (1) NT, (2) NN, (3) TN, each one
 * batch; (4) is one thread per column. The bias is a separate argument with a
 * flag rather than a zero vector, so y = x W^T exactly when there is none.
 * `resident` runs the same kernels on device tensors and unblocks on the
 * device (gemm.ts's `unblock`), where the host path unblocks on the host.
 */
import * as E from 'fp-ts/lib/Either.js'
import { fail, showShape } from '../../src/core/errors.ts'
import { checkInputs } from '../../src/core/op.ts'
import * as Linear from '../../src/layers/linear.ts'
import { type Shape, make, sizeOf } from '../../src/core/tensor.ts'
import { type DeviceTensor, bind, release } from '../device-tensor.ts'
import { type KernelOp, type ResidentOp, download, upload } from '../op.ts'
import { type Device, type F32, type KernelError, type KernelSpec, type KernelThis, type ResidentArg, f32, ran, run, runResident } from '../runtime.ts'
import { blocks, nn, nt, residentProduct, tn, unpack } from './gemm.ts'

export interface Cache { readonly x: F32; readonly weight: F32; readonly xShape: Shape; readonly hasBias: boolean }

/** one-batch gather tables of ./gemm.ts (batch 0 reads batch 0) */
const ZERO = f32([0], [1])

/** k rounded down to the 4-step unrolled loop of ./gemm.ts */
const k4 = (k: number): number => k - (k % 4)

const gradB: KernelSpec = {
  name: 'linear.db',
  args: { g: 'Input', rows: 'Integer' },
  fn: function (this: KernelThis, g: number[][], rows: number): number {
    let s = 0
    for (let r = 0; r < rows; r++) s += g[r][this.thread.x] // (4)
    return s
  },
}

/** Resident cache: x and weight are the caller's (kept alive until dispose). */
export interface ResidentCache { readonly x: DeviceTensor; readonly weight: DeviceTensor; readonly rows: number; readonly hasBias: boolean }

const product = (dev: Device, spec: KernelSpec, rows: number, cols: number, args: readonly ResidentArg[], shape: Shape): Promise<E.Either<KernelError, DeviceTensor>> =>
  residentProduct(dev, spec, 1, rows, cols, args, shape)

/** The same kernels on device tensors (../device-tensor.ts): same arithmetic, so the same float32 numbers as `op`. */
const resident: ResidentOp<Record<string, never>, ResidentCache> = {
  forward: async (dev, _attrs, { x, weight, bias }) => {
    if (x === undefined || weight === undefined) return fail('linear', x === undefined ? 'inputs.x' : 'inputs.weight', 'a tensor', 'nothing')
    if (x.shape.length < 1) return fail('linear', 'inputs.x', 'rank >= 1, [..., in]', showShape(x.shape))
    const inF = x.shape[x.shape.length - 1]
    if (weight.shape.length !== 2 || weight.shape[1] !== inF) {
      return fail('linear', 'inputs.weight', `[out, ${inF}] (x's last dimension is in)`, showShape(weight.shape), 'PyTorch stores linear weights as [out_features, in_features]')
    }
    const outF = weight.shape[0]
    if (bias !== undefined && (bias.shape.length !== 1 || bias.shape[0] !== outF)) return fail('linear', 'inputs.bias', `[${outF}]`, showShape(bias.shape))
    const rows = sizeOf(x.shape.slice(0, -1))
    const y = await product(dev, nt, rows, outF, [bind(x, [1, rows, inF]), bind(weight, [1, outF, inF]), bias ?? ZERO, ZERO, ZERO, 1, bias === undefined ? 0 : 1, rows, inF, k4(inF), outF], [...x.shape.slice(0, -1), outF]) // (1)
    if (E.isLeft(y)) return y
    return E.right({ outputs: { y: y.right }, cache: { x, weight, rows, hasBias: bias !== undefined } })
  },
  backward: async (dev, _attrs, { x, weight, rows, hasBias }, { y: g }) => {
    const [outF, inF] = weight.shape
    if (g === undefined || sizeOf(g.shape) !== rows * outF) return fail('linear', 'cotangents.y', `${rows * outF} values`, g === undefined ? 'nothing' : showShape(g.shape))
    // results are released here if a later launch fails (scoped's temps are for intermediates only)
    const dx = await product(dev, nn, rows, inF, [bind(g, [1, rows, outF]), bind(weight, [1, outF, inF]), ZERO, ZERO, rows, outF, k4(outF), inF], x.shape) // (2)
    if (E.isLeft(dx)) return dx
    const dw = await product(dev, tn, outF, inF, [bind(g, [1, rows, outF]), bind(x, [1, rows, inF]), ZERO, ZERO, 1, outF, rows, k4(rows), inF], [outF, inF]) // (3)
    if (E.isLeft(dw)) { release(dx.right); return dw }
    if (!hasBias) return E.right({ x: dx.right, weight: dw.right })
    const db = await runResident(dev, gradB, [outF], [bind(g, [rows, outF]), rows]) // (4)
    if (E.isLeft(db)) { release(dx.right, dw.right); return db }
    return E.right({ x: dx.right, weight: dw.right, bias: db.right })
  },
  dispose: () => undefined,
}

export const op: KernelOp<Record<string, never>, Cache> = {
  name: 'linear',
  parseAttrs: Linear.op.parseAttrs,
  forward: async (dev, _attrs, inputs) => {
    const checked = checkInputs('linear', Linear.op.inputs, inputs)
    if (E.isLeft(checked)) return checked
    const xt = inputs.x!, wt = inputs.weight!, bt = inputs.bias
    if (xt.shape.length < 1) return fail('linear', 'inputs.x', 'rank >= 1, [..., in]', showShape(xt.shape))
    const inF = xt.shape[xt.shape.length - 1]
    if (wt.shape.length !== 2 || wt.shape[1] !== inF) {
      return fail('linear', 'inputs.weight', `[out, ${inF}] (x's last dimension is in)`, showShape(wt.shape), 'PyTorch stores linear weights as [out_features, in_features]')
    }
    const outF = wt.shape[0]
    if (bt !== undefined && (bt.shape.length !== 1 || bt.shape[0] !== outF)) return fail('linear', 'inputs.bias', `[${outF}]`, showShape(bt.shape))
    const rows = sizeOf(xt.shape.slice(0, -1))
    const x = upload(xt, [1, rows, inF])
    const weight = upload(wt, [1, outF, inF])
    const b = bt === undefined ? ZERO : upload(bt)
    const y = await run(dev, nt, blocks(1, rows, outF), [x, weight, b, ZERO, ZERO, 1, bt === undefined ? 0 : 1, rows, inF, k4(inF), outF]) // (1)
    if (E.isLeft(y)) return y
    const out = make([...xt.shape.slice(0, -1), outF], unpack(y.right, 1, rows, outF), 'float32')
    return E.right(ran(dev, { outputs: { y: out }, cache: { x, weight, xShape: xt.shape, hasBias: bt !== undefined } }))
  },
  backward: async (dev, _attrs, { x, weight, xShape, hasBias }, { y: gt }) => {
    const [, rows, inF] = x.dims, [, outF] = weight.dims
    const g = upload(gt, [1, rows, outF])
    const dx = await run(dev, nn, blocks(1, rows, inF), [g, weight, ZERO, ZERO, rows, outF, k4(outF), inF]) // (2)
    if (E.isLeft(dx)) return dx
    const dw = await run(dev, tn, blocks(1, outF, inF), [g, x, ZERO, ZERO, 1, outF, rows, k4(rows), inF]) // (3)
    if (E.isLeft(dw)) return dw
    const grads = { x: make(xShape, unpack(dx.right, 1, rows, inF), 'float32'), weight: make([outF, inF], unpack(dw.right, 1, outF, inF), 'float32') }
    if (!hasBias) return E.right(ran(dev, grads))
    const db = await run(dev, gradB, [outF], [f32(g.data, [rows, outF]), rows]) // (4)
    if (E.isLeft(db)) return db
    return E.right(ran(dev, { ...grads, bias: download([outF], db.right) }))
  },
  resident,
}
