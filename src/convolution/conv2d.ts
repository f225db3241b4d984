/**
 * 2-D convolution, PyTorch's `F.conv2d` (a cross-correlation: the kernel is not
 * flipped). x [N, C, H, W], weight [K, C/G, kh, kw], bias [K], G = groups;
 * channel c belongs to group floor(c / (C/G)), output channel k to floor(k / (K/G)).
 * It is the gather of the trilinear form T of ./correlation.ts with image = x, map = y:
 *   (1) y[n, k, oh, ow] = b[k] + sum_{c' < C/G, i, j} x[n, gC/G + c', ih, iw] w[k, c', i, j]
 *       ih = oh s_h - p_t + i d_h, iw = ow s_w - p_l + j d_w, out-of-image taps read 0
 *   (2) H_out = floor((H + p_t + p_b - d_h (kh - 1) - 1) / s_h) + 1, likewise W_out
 * Backward, g = dL/dy [N, K, H_out, W_out]:
 *   (3) dx = conv_transpose2d(g; w) with the same stride, padding, dilation and
 *       groups and output_padding r_h = (H + p_t + p_b - d_h (kh - 1) - 1) mod s_h
 *       (likewise r_w), the rows that floor in (2) dropped; it is T's scatter
 *   (4) dW[k, c', i, j] = sum_{n, oh, ow} x[n, gC/G + c', ih, iw] g[n, k, oh, ow],
 *       the correlation of x with g: a conv2d of x^T [C, N, H, W] by g^T as the
 *       weight, with stride and dilation exchanged, cut to kh x kw
 *   (5) db[k] = sum_{n, oh, ow} g[n, k, oh, ow]
 */
import * as E from 'fp-ts/lib/Either.js'
import { type Pad4, integer, pair, padding, schema } from '../core/attrs.ts'
import { type OpError, fail, showShape } from '../core/errors.ts'
import { defineOp } from '../core/op.ts'
import { type Shape, type Tensor, make } from '../core/tensor.ts'
import { type Geometry, addBias, biasGrad, convOut, correlate, gather, imageShape, mapShape, scatter } from './correlation.ts'

export interface Attrs {
  readonly stride: readonly [number, number]
  readonly padding: Pad4
  readonly dilation: readonly [number, number]
  readonly groups: number
}

export const attrs = schema<Attrs>({ stride: pair(1, 1), padding: padding(0), dilation: pair(1, 1), groups: integer(1, 1) })

export interface Cache { readonly x: Tensor; readonly weight: Tensor; readonly geo: Geometry; readonly hasBias: boolean }

const OP = 'conv2d'

/**
 * The edge of conv2d: x, weight, bias and the attributes checked (each error
 * names its argument), and the geometry of (1)-(4) derived. The gpu.js kernel
 * (kernels/convolution/conv2d.kernel.ts) validates through this same function.
 */
export const geometry = (a: Attrs, xs: Shape, ws: Shape, bs: Shape | undefined): E.Either<OpError, Geometry> => {
  if (xs.length !== 4) return fail(OP, 'inputs.x', 'rank 4, [N, C, H, W]', showShape(xs), 'no unbatched form in case format version 1')
  const [n, c, h, w] = xs
  if (c < 1 || h < 1 || w < 1) return fail(OP, 'inputs.x', '[N, C, H, W] with C, H, W >= 1', showShape(xs))
  const G = a.groups
  if (c % G !== 0) return fail(OP, 'attrs.groups', `a divisor of the input channels C = ${c}`, String(G))
  if (ws.length !== 4) return fail(OP, 'inputs.weight', `rank 4, [K, C/groups = ${c / G}, kh, kw]`, showShape(ws))
  const [k, cg, kh, kw] = ws
  if (k < 1 || k % G !== 0) return fail(OP, 'inputs.weight', `[K, ${c / G}, kh, kw] with K >= 1 a multiple of groups = ${G}`, showShape(ws))
  if (cg !== c / G) {
    return fail(OP, 'inputs.weight', `[K, ${c / G}, kh, kw] (dimension 1 = C/groups = ${c}/${G})`, showShape(ws), 'PyTorch stores conv weights as [out_channels, in_channels/groups, kh, kw]')
  }
  if (kh < 1 || kw < 1) return fail(OP, 'inputs.weight', 'a kernel of at least 1 x 1', showShape(ws))
  if (bs !== undefined && (bs.length !== 1 || bs[0] !== k)) return fail(OP, 'inputs.bias', `[${k}]`, showShape(bs))
  const [pt, pl, pb, pr] = a.padding
  const ho = convOut(h, kh, a.stride[0], pt, pb, a.dilation[0]) // (2)
  const wo = convOut(w, kw, a.stride[1], pl, pr, a.dilation[1]) // (2)
  if (ho < 1 || wo < 1) {
    return fail(OP, 'inputs.x', `a padded input of at least the dilated kernel, ${a.dilation[0] * (kh - 1) + 1} x ${a.dilation[1] * (kw - 1) + 1}`,
      `${h} x ${w} padded to ${h + pt + pb} x ${w + pl + pr}`, `the output would be ${ho} x ${wo}`)
  }
  return E.right({ batch: n, groups: G, image: [c, h, w], map: [k, ho, wo], kernel: [kh, kw], stride: a.stride, dilation: a.dilation, offset: [pt, pl] })
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
    const [k, ho, wo] = geo.map
    const y = gather(geo, x!.data, weight!.data) // (1)
    if (bias !== undefined) addBias(y, bias.data, k, ho * wo) // (1)
    return E.right({ outputs: { y: make(mapShape(geo), y) }, cache: { x: x!, weight: weight!, geo, hasBias: bias !== undefined } })
  },
  // #region backward
  backward: (_a, { x, weight, geo, hasBias }, { y: g }) => {
    const grads: Record<string, Tensor> = {
      x: make(imageShape(geo), scatter(geo, weight.data, g.data)), // (3)
      weight: make(weight.shape, correlate(geo, x.data, g.data)), // (4)
    }
    if (hasBias) grads.bias = make([geo.map[0]], biasGrad(g.data, geo.map[0], geo.map[1] * geo.map[2])) // (5)
    return grads
  },
  // #endregion backward
})
