/**
 * Elastic deformation (Simard, Steinkraus & Platt 2003), torchvision 0.14
 * `F.elastic_transform(x, displacement, interpolation, fill)` on tensors given
 * the displacement field, x [N, C, H, W], displacement [1, H, W, 2] in
 * grid_sample's normalized units, x (width) first:
 *   (1) output (i, j) samples the input at column u = j + d[0, i, j, 0] W / 2
 *       and row v = i + d[0, i, j, 1] H / 2 (grid-sample.ts, with its fill rule)
 * No gradient (case format, "Data"); the field is the random part, drawn by
 * ./random.ts (ElasticTransform).
 */
import * as E from 'fp-ts/lib/Either.js'
import { number, oneOf, schema } from '../core/attrs.ts'
import { fail } from '../core/errors.ts'
import { defineOp } from '../core/op.ts'
import { type Interpolation, sample } from './grid-sample.ts'
import { type Dims, image } from './image.ts'

export interface Attrs { readonly interpolation: Interpolation; readonly fill: number }

const OP = 'elastic'

export const op = defineOp<Attrs, Record<string, never>>({
  name: OP,
  inputs: [{ name: 'x', grad: false }, { name: 'displacement', grad: false }],
  outputs: [{ name: 'y', grad: false }],
  attrs: schema<Attrs>({ interpolation: oneOf(['nearest', 'bilinear'] as const, 'bilinear'), fill: number(0) }),
  forward: (a, { x, displacement }) => E.chain((d: Dims) => {
    const s = displacement!.shape
    if (s.length !== 4 || s[0] !== 1 || s[1] !== d.h || s[2] !== d.w || s[3] !== 2) {
      return fail(OP, 'inputs.displacement', `shape [1, ${d.h}, ${d.w}, 2] (one field for the batch, x first)`, `[${s}]`)
    }
    const D = displacement!.data
    const y = sample(x!, d, (i, j) => [j + D[(i * d.w + j) * 2] * d.w / 2, i + D[(i * d.w + j) * 2 + 1] * d.h / 2], a.interpolation, a.fill) // (1)
    return E.right({ outputs: { y }, cache: {} })
  })(image(OP, x!)),
  backward: () => ({}),
})
