/**
 * Pooling windows over the H x W plane of x [N, C, H, W], shared by max_pool2d
 * and avg_pool2d. Per spatial dimension, with length L, kernel k, stride s,
 * dilation d and padding p_b before, p_e after:
 *   (1) out = floor((L + p_b + p_e - d (k - 1) - 1) / s) + 1          ceil_mode false
 *   (2) out = ceil((L + p_b + p_e - d (k - 1) - 1) / s) + 1           ceil_mode true,
 *       then out - 1 when (out - 1) s >= L + p_b: a last window that would
 *       start in the end padding or past it is dropped (PyTorch's
 *       pooling_output_shape, the rule of docs/case-format.md)
 *   (3) window o reads positions o s - p_b + i d, i < k; those outside
 *       [0, L) are padding or ceil_mode overhang, and each op says what they count for
 * Padding may exceed half the kernel (ONNX allows it, PyTorch refuses): then a
 * window can lie wholly outside the image, and each op says what it gives.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type Pad4, boolean, optional, pair, padding } from '../core/attrs.ts'
import { type OpError, invalid, showShape } from '../core/errors.ts'
import type { Tensor } from '../core/tensor.ts'

/** One dimension's output length, (1) and (2); below 1 means no window fits. */
export const poolOut = (len: number, k: number, s: number, pBegin: number, pEnd: number, d: number, ceil: boolean): number => {
  // span < 0: the window is longer than the padded input; floor then gives
  // out <= 0, while ceil keeps one overhanging window when span > -s (PyTorch does too)
  const span = len + pBegin + pEnd - d * (k - 1) - 1
  const out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1 // (1), (2)
  return ceil && (out - 1) * s >= len + pBegin ? out - 1 : out // (2)
}

/** The attributes both window ops share, in the catalogue's names and defaults. */
export const windowAttrs = {
  kernel_size: pair(1),
  stride: optional(pair(1)),
  padding: padding(0),
  ceil_mode: boolean(false),
}

export interface Windows {
  readonly n: number
  readonly c: number
  readonly h: number
  readonly w: number
  readonly ho: number
  readonly wo: number
  readonly kernel: readonly [number, number]
  readonly stride: readonly [number, number]
  readonly dilation: readonly [number, number]
  /** [top, left, bottom, right] */
  readonly pad: Pad4
}

/** Validate x and lay out the windows; `stride` undefined takes kernel_size (PyTorch's default). */
export const windows = (
  op: string, x: Tensor, kernel: readonly [number, number], stride: readonly [number, number] | undefined,
  pad: Pad4, dilation: readonly [number, number], ceil: boolean,
): E.Either<OpError, Windows> => {
  if (x.shape.length !== 4) return E.left(invalid(op, 'inputs.x', 'rank 4, [N, C, H, W]', showShape(x.shape), 'no unbatched form in case format version 1'))
  const [n, c, h, w] = x.shape
  if (h < 1 || w < 1) return E.left(invalid(op, 'inputs.x', '[N, C, H, W] with H, W >= 1', showShape(x.shape)))
  const s = stride ?? kernel
  const ho = poolOut(h, kernel[0], s[0], pad[0], pad[2], dilation[0], ceil)
  const wo = poolOut(w, kernel[1], s[1], pad[1], pad[3], dilation[1], ceil)
  if (ho < 1 || wo < 1) {
    return E.left(invalid(op, 'attrs.kernel_size', `a dilated window that fits the padded input, ${h + pad[0] + pad[2]} x ${w + pad[1] + pad[3]} (ceil_mode: overhangs it by less than the stride)`,
      `[${kernel.join(', ')}] with dilation [${dilation.join(', ')}], spanning ${dilation[0] * (kernel[0] - 1) + 1} x ${dilation[1] * (kernel[1] - 1) + 1}`))
  }
  return E.right({ n, c, h, w, ho, wo, kernel, stride: s, dilation, pad })
}
