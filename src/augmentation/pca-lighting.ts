/**
 * PCA lighting noise (Krizhevsky, Sutskever & Hinton 2012, "AlexNet", section
 * 4.1): to every pixel of image n add one RGB offset along the principal
 * components of the training set's pixel colours, x [N, 3, H, W],
 * eigvec [3, 3] (columns are components), eigval [3], alpha [N, 3]:
 *   (1) o[n, c] = sum_k eigvec[c, k] alpha[n, k] eigval[k]
 *   (2) y[n, c, p] = x[n, c, p] + o[n, c]            no clamping
 * Backward: (3) dx = g. eigvec, eigval and alpha get no gradient (case format).
 */
import * as E from 'fp-ts/lib/Either.js'
import { noAttrs } from '../core/attrs.ts'
import { fail } from '../core/errors.ts'
import { defineOp } from '../core/op.ts'
import { type Tensor, make } from '../core/tensor.ts'
import { image } from './image.ts'

const OP = 'pca_lighting'

/** (1) */
export const offsets = (eigvec: Tensor, eigval: Tensor, alpha: Tensor): Float64Array => {
  const n = alpha.shape[0], o = new Float64Array(n * 3)
  for (let b = 0; b < n; b++) {
    for (let c = 0; c < 3; c++) {
      let s = 0
      for (let k = 0; k < 3; k++) s += eigvec.data[c * 3 + k] * (alpha.data[b * 3 + k] * eigval.data[k]) // (1)
      o[b * 3 + c] = s
    }
  }
  return o
}

const same = (t: Tensor, shape: number[]) => t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i])

export const op = defineOp<Record<string, never>, Record<string, never>>({
  name: OP,
  inputs: [{ name: 'x' }, { name: 'eigvec', grad: false }, { name: 'eigval', grad: false }, { name: 'alpha', grad: false }],
  outputs: ['y'],
  attrs: noAttrs,
  forward: (_a, { x, eigvec, eigval, alpha }) => E.chain(({ n, h, w }: { n: number; h: number; w: number }) => {
    if (!same(eigvec!, [3, 3])) return fail(OP, 'inputs.eigvec', 'shape [3, 3] (columns are components)', `[${eigvec!.shape}]`)
    if (!same(eigval!, [3])) return fail(OP, 'inputs.eigval', 'shape [3]', `[${eigval!.shape}]`)
    if (!same(alpha!, [n, 3])) return fail(OP, 'inputs.alpha', `shape [${n}, 3] (one draw per image)`, `[${alpha!.shape}]`)
    const o = offsets(eigvec!, eigval!, alpha!), P = h * w
    const y = new Float64Array(x!.data.length)
    for (let i = 0; i < y.length; i++) y[i] = x!.data[i] + o[Math.floor(i / P)] // (2): plane index = 3 n + c
    return E.right({ outputs: { y: make(x!.shape, y) }, cache: {} })
  })(image(OP, x!, true)),
  backward: (_a, _c, { y: g }) => ({ x: g }), // (3)
})
