/**
 * Fast conv2d and conv_transpose2d (im2col + blocked GEMM, src/fast/convolution.ts)
 * against the reference's one loop nest (src/convolution/correlation.ts),
 * forward and backward, within the derived bound of ./bound.ts. Each output
 * is a sum of terms of the trilinear form T; M = |x| + |w| + |y| + 1 bounds
 * the terms of any one sum (a pixel of y has Cg kh kw, one of x at most
 * K kh kw, one of dW N H_out W_out, and the bias one more). S is the
 * reference on |inputs| and |cotangent|.
 *
 * Geometries: the convolution family's arbitraries (groups, dilation,
 * stride, the three padding forms, odd sizes, batch 1 and 2, 1 x 1 kernels),
 * wider cases whose products take the packed GEMM path, and 1 x 1 unit-stride
 * unpadded cases, which read the image in place instead of through im2col.
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import * as E from 'fp-ts/lib/Either.js'
import type { Tensor } from '../../src/core/tensor.ts'
import { all, failed } from '../laws/result.ts'
import { property } from '../support/property.ts'
import { type Geometry, conv2dCase, convTransposeCase, geometry } from '../convolution/arbitraries.ts'
import { withinReorder } from './bound.ts'
import { SEED, abs, absAll, both, drawer, dualOf, runOp } from './support.ts'

const test = suite('fast: conv2d and conv_transpose2d')

const Conv2d = dualOf('conv2d'), ConvT = dualOf('conv_transpose2d')

type D = ReturnType<typeof dualOf>

/** Both paths, forward and backward with a drawn cotangent, within the bound. */
const agree = (op: D, attrs: Record<string, unknown>, inputs: Record<string, Tensor>, seed: number) => {
  const y = runOp(op.reference, attrs, inputs)
  if (E.isLeft(y)) return failed(`reference rejected a drawn case: ${y.left}`)
  const g = drawer(seed).normal([...y.right.outputs.y.shape])
  const M = Object.values(inputs).reduce((s, t) => s + t.data.length, 0) + g.data.length + 1
  return both(op, attrs, inputs, { y: g }, (f, r) => {
    const s = runOp(op.reference, attrs, absAll(inputs), { y: abs(g) })
    if (E.isLeft(s)) return failed(s.left)
    return all(
      withinReorder('y', f.outputs.y, r.outputs.y, s.right.outputs.y, M),
      ...Object.keys(r.gradients).map((k) => withinReorder(`d${k}`, f.gradients[k], r.gradients[k], s.right.gradients[k], M)),
    )
  })
}

/**
 * Wider cases whose products take the packed GEMM path (more than 32^3
 * multiply-adds, at least 4 rows and columns): values from a drawn key.
 */
const packed = fc.record({
  groups: fc.integer({ min: 1, max: 2 }), cg: fc.integer({ min: 4, max: 8 }), kg: fc.integer({ min: 4, max: 8 }),
  k: fc.integer({ min: 1, max: 3 }), stride: fc.integer({ min: 1, max: 2 }), dilation: fc.integer({ min: 1, max: 2 }),
  pad: fc.integer({ min: 0, max: 2 }), h: fc.integer({ min: 9, max: 14 }), w: fc.integer({ min: 9, max: 14 }), bias: fc.boolean(), seed: fc.integer(SEED),
})

const oneByOne: fc.Arbitrary<Geometry> = geometry().map((g) => ({ ...g, kernel: [1, 1] as [number, number], stride: [1, 1] as [number, number], pad: [0, 0, 0, 0] as [number, number, number, number] }))

property(test, 'conv2d: fast equals the reference within the derived bound (groups, dilation, stride, padding, batch 1-2)',
  fc.tuple(conv2dCase(), fc.integer(SEED)), ([c, seed]) => agree(Conv2d, c.attrs, c.inputs, seed), 120)

property(test, 'conv2d: the packed GEMM path (wider channels and images) within the derived bound', packed, (p) => {
  const d = drawer(p.seed)
  const inputs = { x: d.normal([2, p.groups * p.cg, p.h, p.w]), weight: d.normal([p.groups * p.kg, p.cg, p.k, p.k]), ...(p.bias ? { bias: d.normal([p.groups * p.kg]) } : {}) }
  return agree(Conv2d, { groups: p.groups, stride: p.stride, dilation: p.dilation, padding: p.pad }, inputs, p.seed + 1)
}, 12)

property(test, 'conv2d: 1 x 1 unit-stride unpadded kernels, read in place, within the derived bound',
  fc.tuple(conv2dCase(oneByOne), fc.integer(SEED)), ([c, seed]) => agree(Conv2d, c.attrs, c.inputs, seed), 40)

property(test, 'conv_transpose2d: fast equals the reference within the derived bound (groups, dilation, stride, cropping, output_padding)',
  fc.tuple(convTransposeCase(), fc.integer(SEED)), ([c, seed]) => agree(ConvT, c.attrs, c.inputs, seed), 120)

property(test, 'conv_transpose2d: the packed GEMM path (wider channels and images) within the derived bound', packed, (p) => {
  const d = drawer(p.seed)
  const inputs = { x: d.normal([2, p.groups * p.kg, p.h - 4, p.w - 4]), weight: d.normal([p.groups * p.kg, p.cg, p.k, p.k]), ...(p.bias ? { bias: d.normal([p.groups * p.cg]) } : {}) }
  return agree(ConvT, { groups: p.groups, stride: p.stride, dilation: p.dilation, padding: Math.min(p.pad, p.k - 1) }, inputs, p.seed + 1)
}, 12)

property(test, 'conv_transpose2d: 1 x 1 unit-stride uncropped kernels, read in place, within the derived bound',
  fc.tuple(convTransposeCase(oneByOne), fc.integer(SEED)), ([c, seed]) => agree(ConvT, c.attrs, c.inputs, seed), 40)

property(test, 'conv_transpose2d: 1 x 1 kernels whose cropping output_padding gives back (same size, shifted: not read in place)',
  fc.record({ c: fc.integer({ min: 1, max: 3 }), k: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 2, max: 5 }), w: fc.integer({ min: 2, max: 5 }),
    top: fc.boolean(), left: fc.boolean(), seed: fc.integer(SEED) }),
  ({ c, k, h, w, top, left, seed }) => {
    // H_out = H - p_t - p_b + output_padding: one row cropped at the top (or bottom) and one added back at the bottom
    const d = drawer(seed)
    const pad = [1, 1, 0, 0].map((p, i) => (i === 0 ? (top ? 1 : 0) : i === 1 ? (left ? 1 : 0) : i === 2 ? (top ? 0 : 1) : (left ? 0 : 1)))
    const attrs = { stride: [1, 1], dilation: [2, 2], padding: pad, output_padding: [1, 1] }
    return agree(ConvT, attrs, { x: d.normal([1, c, h, w]), weight: d.normal([c, k, 1, 1]) }, seed + 1)
  }, 20)

property(test, 'conv2d and conv_transpose2d: the fast path rejects what the reference rejects, with the same error',
  fc.record({ c: fc.integer({ min: 1, max: 4 }), wc: fc.integer({ min: 1, max: 4 }), groups: fc.integer({ min: 1, max: 3 }), k: fc.integer({ min: 1, max: 5 }), h: fc.integer({ min: 1, max: 4 }), seed: fc.integer(SEED) }),
  ({ c, wc, groups, k, h, seed }) => {
    const d = drawer(seed)
    const x = d.normal([1, c, h, h]), w = d.normal([groups * 2, wc, k, k])
    return all(
      both(Conv2d, { groups }, { x, weight: w }, undefined, () => ({ ok: true })),
      both(ConvT, { groups }, { x, weight: d.normal([c, wc, k, k]) }, undefined, () => ({ ok: true })),
    )
  }, 40)

test.run()
