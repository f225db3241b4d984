/**
 * Float32 mirror of src/layers/linear.ts (weight stored [out, in]):
 *   (1) y = x W^T + b              x [..., in], W [out, in], b [out]
 * Backward, g = dL/dy; X = x as [M, in], G = g as [M, out]:
 *   (2) dx = g W
 *   (3) dW = G^T X
 *   (4) db = sum over rows of G
 * One thread per output element, sequential f32 sums (no workgroup memory in
 * gpu.js, gpujs §7.4). The bias is a separate argument with a flag rather
 * than a zero vector, so y = x W^T exactly when there is none.
 */
import * as E from 'fp-ts/lib/Either.js'
import { fail, showShape } from '../../src/core/errors.ts'
import { checkInputs } from '../../src/core/op.ts'
import * as Linear from '../../src/layers/linear.ts'
import { type Shape, sizeOf } from '../../src/core/tensor.ts'
import { type KernelOp, download, upload } from '../op.ts'
import { type F32, type KernelSpec, type KernelThis, f32, ran, run } from '../runtime.ts'

export interface Cache { readonly x: F32; readonly weight: F32; readonly xShape: Shape; readonly hasBias: boolean }

const affine: KernelSpec = {
  name: 'linear.y',
  args: { x: 'Input', w: 'Input', b: 'Input', hasBias: 'Integer', k: 'Integer' },
  fn: function (this: KernelThis, x: number[][], w: number[][], b: number[], hasBias: number, k: number): number {
    let s = 0
    for (let p = 0; p < k; p++) s += x[this.thread.y][p] * w[this.thread.x][p] // (1)
    if (hasBias === 1) s += b[this.thread.x] // (1)
    return s
  },
}

const gradX: KernelSpec = {
  name: 'linear.dx',
  args: { g: 'Input', w: 'Input', outF: 'Integer' },
  fn: function (this: KernelThis, g: number[][], w: number[][], outF: number): number {
    let s = 0
    for (let o = 0; o < outF; o++) s += g[this.thread.y][o] * w[o][this.thread.x] // (2)
    return s
  },
}

const gradW: KernelSpec = {
  name: 'linear.dw',
  args: { g: 'Input', x: 'Input', rows: 'Integer' },
  fn: function (this: KernelThis, g: number[][], x: number[][], rows: number): number {
    let s = 0
    for (let r = 0; r < rows; r++) s += g[r][this.thread.y] * x[r][this.thread.x] // (3)
    return s
  },
}

const gradB: KernelSpec = {
  name: 'linear.db',
  args: { g: 'Input', rows: 'Integer' },
  fn: function (this: KernelThis, g: number[][], rows: number): number {
    let s = 0
    for (let r = 0; r < rows; r++) s += g[r][this.thread.x] // (4)
    return s
  },
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
    const x = upload(xt, [rows, inF])
    const weight = upload(wt)
    const b = bt === undefined ? f32([0], [1]) : upload(bt)
    const y = await run(dev, affine, [rows, outF], [x, weight, b, bt === undefined ? 0 : 1, inF]) // (1)
    if (E.isLeft(y)) return y
    return E.right(ran(dev, { outputs: { y: download([...xt.shape.slice(0, -1), outF], y.right) }, cache: { x, weight, xShape: xt.shape, hasBias: bt !== undefined } }))
  },
  backward: async (dev, _attrs, { x, weight, xShape, hasBias }, { y: gt }) => {
    const [rows, inF] = x.dims, [outF] = weight.dims
    const g = upload(gt, [rows, outF])
    const dx = await run(dev, gradX, [rows, inF], [g, weight, outF]) // (2)
    if (E.isLeft(dx)) return dx
    const dw = await run(dev, gradW, [outF, inF], [g, x, rows]) // (3)
    if (E.isLeft(dw)) return dw
    const grads = { x: download(xShape, dx.right), weight: download([outF, inF], dw.right) }
    if (!hasBias) return E.right(ran(dev, grads))
    const db = await run(dev, gradB, [outF], [g, rows]) // (4)
    if (E.isLeft(db)) return db
    return E.right(ran(dev, { ...grads, bias: download([outF], db.right) }))
  },
}
