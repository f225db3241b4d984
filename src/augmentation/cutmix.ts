/**
 * CutMix (Yun et al. 2019): paste a box of the partner image perm[n] into
 * image n, and mix the labels by the area kept, x [N, C, H, W],
 * target [N, K], perm int64 [N]; the box is clipped to the image:
 *   (1) B = [max(top, 0), min(top + height, H)) x [max(left, 0), min(left + width, W))
 *   (2) x'[n] = x[perm[n]] on B, x[n] elsewhere
 *   (3) lam = 1 - |B| / (H W)
 *   (4) t'[n] = lam t[n] + (1 - lam) t[perm[n]]
 * No gradient (case format, "Data").
 */
import * as E from 'fp-ts/lib/Either.js'
import { integer, schema } from '../core/attrs.ts'
import { fail } from '../core/errors.ts'
import { defineOp } from '../core/op.ts'
import { type Tensor, make } from '../core/tensor.ts'
import { type Box } from './crop.ts'
import { image } from './image.ts'
import { checkPerm, mix } from './mixup.ts'

const OP = 'cutmix'

/** (1): [r0, r1, c0, c1], possibly empty. */
export const clipBox = (b: Box, h: number, w: number): [number, number, number, number] => {
  const r0 = Math.min(Math.max(b.top, 0), h), r1 = Math.max(Math.min(b.top + b.height, h), r0)
  const c0 = Math.min(Math.max(b.left, 0), w), c1 = Math.max(Math.min(b.left + b.width, w), c0)
  return [r0, r1, c0, c1]
}

// #region cutmix
export const cutmix = (x: Tensor, target: Tensor, perm: Int32Array, b: Box): { x: Tensor; target: Tensor; lam: number } => {
  const [n, c, h, w] = x.shape
  const [r0, r1, c0, c1] = clipBox(b, h, w) // (1)
  const y = Float64Array.from(x.data), P = h * w
  for (let k = 0; k < n; k++) {
    for (let ch = 0; ch < c; ch++) {
      for (let i = r0; i < r1; i++) for (let j = c0; j < c1; j++) y[(k * c + ch) * P + i * w + j] = x.data[(perm[k] * c + ch) * P + i * w + j] // (2)
    }
  }
  const lam = 1 - ((r1 - r0) * (c1 - c0)) / P // (3)
  return { x: make(x.shape, y), target: mix(target, perm, lam), lam } // (4)
}
// #endregion cutmix

export const op = defineOp<Box, Record<string, never>>({
  name: OP,
  inputs: [{ name: 'x', grad: false }, { name: 'target', grad: false }, { name: 'perm', kind: 'int', grad: false }],
  outputs: [{ name: 'x', grad: false }, { name: 'target', grad: false }],
  attrs: schema<Box>({ top: integer(), left: integer(), height: integer(undefined, 0), width: integer(undefined, 0) }),
  forward: (a, { x, target, perm }) => E.chain(({ n }: { n: number }) => {
    if (target!.shape.length !== 2 || target!.shape[0] !== n) return fail(OP, 'inputs.target', `shape [${n}, K] (probabilities per example)`, `[${target!.shape}]`)
    return E.map((p: Int32Array) => {
      const r = cutmix(x!, target!, p, a)
      return { outputs: { x: r.x, target: r.target }, cache: {} }
    })(checkPerm(OP, perm!, n))
  })(image(OP, x!)),
  backward: () => ({}),
})
