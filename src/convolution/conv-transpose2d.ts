/**
 * 2-D transposed convolution, PyTorch's `F.conv_transpose2d`: the adjoint of
 * conv2d in x. x [N, C, H, W], weight [C, K/G, kh, kw] (in-then-out, as PyTorch
 * stores it), bias [K], G = groups. It is the scatter of the trilinear form T of
 * ./correlation.ts with map = x and image = y, the same weight tensor read as a
 * conv2d weight from K to C channels:
 *   (1) y[n, gK/G + k', yh, yw] = b[.] + sum_{c in group g, h, w, i, j with
 *         yh = h s_h - p_t + i d_h, yw = w s_w - p_l + j d_w} x[n, c, h, w] weight[c, k', i, j]
 *   (2) H_out = (H - 1) s_h - p_t - p_b + d_h (kh - 1) + output_padding_h + 1, likewise W_out
 *       Padding crops: [top, left, bottom, right] rows and columns are removed
 *       from the full output (ONNX pads); an int or [ph, pw] crops both sides
 *       alike (PyTorch). output_padding adds rows/cols at the bottom/right that
 *       only the bias reaches unless a tap lands there; it must be smaller than
 *       the stride or the dilation in each dimension (PyTorch's rule).
 * Backward, g = dL/dy [N, K, H_out, W_out]:
 *   (3) dx = conv2d(g; weight) with the same stride, padding, dilation and groups,
 *       T's gather, cut to H x W: floor in conv2d's size formula gives
 *       H + floor(output_padding_h / s_h) rows, which is H unless an
 *       output_padding >= stride was allowed by a larger dilation
 *   (4) dweight[c, k', i, j] = sum_{n, h, w} g[n, gK/G + k', yh, yw] x[n, c, h, w],
 *       the correlation of g with x, T's weight contraction with the roles of (1)
 *   (5) db[k] = sum_{n, yh, yw} g[n, k, yh, yw]
 */
import * as E from 'fp-ts/lib/Either.js'
import { type Pad4, integer, pair, padding, schema } from '../core/attrs.ts'
import { type OpError, fail, showShape } from '../core/errors.ts'
import { defineOp } from '../core/op.ts'
import { type Shape, type Tensor, make } from '../core/tensor.ts'
import { type Geometry, addBias, biasGrad, convTransposeOut, correlate, gather, imageShape, mapShape, scatter } from './correlation.ts'

export interface Attrs {
  readonly stride: readonly [number, number]
  readonly padding: Pad4
  readonly output_padding: readonly [number, number]
  readonly dilation: readonly [number, number]
  readonly groups: number
}

export const attrs = schema<Attrs>({
  stride: pair(1, 1), padding: padding(0), output_padding: pair(0, 0), dilation: pair(1, 1), groups: integer(1, 1),
})

export interface Cache { readonly x: Tensor; readonly weight: Tensor; readonly geo: Geometry; readonly hasBias: boolean }

const OP = 'conv_transpose2d'

/**
 * The edge of conv_transpose2d: x, weight, bias and the attributes checked
 * (each error names its argument), and the geometry of (1)-(4) derived; the
 * fast path (src/fast/convolution.ts) validates through this same function.
 */
export const geometry = (a: Attrs, xs: Shape, ws: Shape, bs: Shape | undefined): E.Either<OpError, Geometry> => {
  if (xs.length !== 4) return fail(OP, 'inputs.x', 'rank 4, [N, C, H, W]', showShape(xs), 'no unbatched form in case format version 1')
  const [n, c, h, w] = xs
  if (c < 1 || h < 1 || w < 1) return fail(OP, 'inputs.x', '[N, C, H, W] with C, H, W >= 1', showShape(xs))
  const G = a.groups
  if (c % G !== 0) return fail(OP, 'attrs.groups', `a divisor of the input channels C = ${c}`, String(G))
  if (ws.length !== 4 || ws[0] !== c) {
    return fail(OP, 'inputs.weight', `rank 4, [${c}, K/groups, kh, kw] (dimension 0 = C = ${c})`, showShape(ws), 'PyTorch stores transposed-conv weights as [in_channels, out_channels/groups, kh, kw]')
  }
  const [, kg, kh, kw] = ws
  if (kg < 1 || kh < 1 || kw < 1) return fail(OP, 'inputs.weight', `[${c}, K/groups, kh, kw] with every dimension >= 1`, showShape(ws))
  const k = kg * G
  if (bs !== undefined && (bs.length !== 1 || bs[0] !== k)) {
    return fail(OP, 'inputs.bias', `[${k}] (K = groups * weight dimension 1 = ${G} * ${kg})`, showShape(bs))
  }
  const [oph, opw] = a.output_padding
  for (const [d, op] of [[0, oph], [1, opw]] as const) {
    if (!(op < a.stride[d] || op < a.dilation[d])) {
      return fail(OP, 'attrs.output_padding', `less than the stride (${a.stride[d]}) or the dilation (${a.dilation[d]}) in each dimension`, `[${oph}, ${opw}]`)
    }
  }
  const [pt, pl, pb, pr] = a.padding
  const ho = convTransposeOut(h, kh, a.stride[0], pt, pb, a.dilation[0], oph) // (2)
  const wo = convTransposeOut(w, kw, a.stride[1], pl, pr, a.dilation[1], opw) // (2)
  if (ho < 1 || wo < 1) {
    return fail(OP, 'attrs.padding', 'a cropping that leaves an output of at least 1 x 1', `[${a.padding.join(', ')}]`, `the output would be ${ho} x ${wo}`)
  }
  return E.right({ batch: n, groups: G, image: [k, ho, wo], map: [c, h, w], kernel: [kh, kw], stride: a.stride, dilation: a.dilation, offset: [pt, pl] })
}

export const op = defineOp<Attrs, Cache>({
  name: OP,
  inputs: [{ name: 'x' }, { name: 'weight' }, { name: 'bias', optional: true }],
  outputs: ['y'],
  attrs,
  forward: (a, { x, weight, bias }) => {
    const checked = geometry(a, x!.shape, weight!.shape, bias?.shape)
    if (E.isLeft(checked)) return checked
    const geo = checked.right
    const [k, ho, wo] = geo.image
    const y = scatter(geo, weight!.data, x!.data) // (1)
    if (bias !== undefined) addBias(y, bias.data, k, ho * wo) // (1)
    return E.right({ outputs: { y: make(imageShape(geo), y) }, cache: { x: x!, weight: weight!, geo, hasBias: bias !== undefined } })
  },
  backward: (_a, { x, weight, geo, hasBias }, { y: g }) => {
    const grads: Record<string, Tensor> = {
      x: make(mapShape(geo), gather(geo, g.data, weight.data)), // (3)
      weight: make(weight.shape, correlate(geo, g.data, x.data)), // (4)
    }
    if (hasBias) grads.bias = make([geo.image[0]], biasGrad(g.data, geo.image[0], geo.image[1] * geo.image[2])) // (5)
    return grads
  },
})
