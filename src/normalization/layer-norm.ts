/**
 * Layer normalization (Ba, Kiros & Hinton 2016), PyTorch `F.layer_norm`.
 * The last k dimensions of x are the normalized shape, D = their product, and
 * each of the prod(x.shape[:-k]) rows of D values is one group (./standardize.ts):
 *   (1) mu, var = mean and biased variance of the row
 *   (2) xhat = (x - mu) / sqrt(var + eps)
 *   (3) y = gamma_j xhat + beta_j, j the position inside the normalized shape (./affine.ts)
 * Backward, g = dL/dy:
 *   (4) dxhat = g gamma_j, dgamma_j = sum over rows of g xhat, dbeta_j = sum over rows of g
 *   (5) dx = r / D (D dxhat - sum_row dxhat - xhat sum_row(dxhat xhat)), r = 1 / sqrt(var + eps)
 *
 * The normalized dimensions are named by exactly one of `normalized_shape`
 * (PyTorch: must equal x's trailing dimensions) or `axis` (ONNX: normalize
 * over axis..rank-1, negative counting from the end); both or neither is an
 * error. There is no training mode: the statistics always come from x.
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { type RawAttrs, integer, intList, number, optional, schema } from '../core/attrs.ts'
import { type OpError, fail, invalid, showShape } from '../core/errors.ts'
import { type Inputs, defineOp } from '../core/op.ts'
import { make, sameShape, sizeOf } from '../core/tensor.ts'
import * as Affine from './affine.ts'
import * as Standardize from './standardize.ts'

export interface Attrs {
  readonly normalized_shape: number[] | undefined
  readonly axis: number | undefined
  readonly eps: number
}

export interface Cache {
  readonly partition: Standardize.Partition
  readonly standardized: Standardize.Standardized
  readonly affine: Affine.Affine
}

const NAME = 'layer_norm'

const fields = schema<Attrs>({ normalized_shape: optional(intList(0)), axis: optional(integer()), eps: number(1e-5, { min: 0 }) })

const parseAttrs = (op: string, raw: RawAttrs | undefined): E.Either<OpError, Attrs> =>
  pipe(fields(op, raw), E.chain((a) =>
    a.normalized_shape !== undefined && a.axis !== undefined
      ? E.left(invalid(op, 'attrs.axis', 'exactly one of axis and normalized_shape', 'both', 'they name the same thing; keep one'))
      : a.normalized_shape === undefined && a.axis === undefined
        ? E.left(invalid(op, 'attrs.normalized_shape', 'exactly one of normalized_shape and axis (one is required)', 'neither'))
        : E.right(a)))

/** k, the number of trailing dimensions normalized, or an error naming the attribute. */
const normalizedRank = (a: Attrs, shape: readonly number[]): E.Either<OpError, number> => {
  const rank = shape.length
  if (a.normalized_shape !== undefined) {
    const k = a.normalized_shape.length
    if (k === 0) return fail(NAME, 'attrs.normalized_shape', 'a non-empty list of dimensions', '[]', 'PyTorch requires at least one normalized dimension')
    if (k > rank || !sameShape(shape.slice(rank - k), a.normalized_shape)) {
      return fail(NAME, 'attrs.normalized_shape', `x's trailing dimensions (x is ${showShape(shape)})`, showShape(a.normalized_shape))
    }
    return E.right(k)
  }
  const axis = a.axis!
  if (axis < -rank || axis >= rank) {
    return fail(NAME, 'attrs.axis', `an integer in [${-rank}, ${rank - 1}] for x of rank ${rank}`, String(axis), 'normalizes over axis..rank-1')
  }
  return E.right(rank - (axis < 0 ? axis + rank : axis))
}

/** The edge: the normalized dimensions and the parameters' shapes; gives D (the fast path validates through it). */
export const validate = (attrs: Attrs, inputs: Inputs): E.Either<OpError, number> => {
  const x = inputs.x!
  const k = normalizedRank(attrs, x.shape)
  if (E.isLeft(k)) return k
  const normalized = x.shape.slice(x.shape.length - k.right)
  for (const name of ['weight', 'bias']) {
    const t = inputs[name]
    if (t !== undefined && !sameShape(t.shape, normalized)) {
      return fail(NAME, `inputs.${name}`, `${showShape(normalized)} (the normalized shape)`, showShape(t.shape))
    }
  }
  return E.right(sizeOf(normalized))
}

export const op = defineOp<Attrs, Cache>({
  name: NAME,
  inputs: [{ name: 'x' }, { name: 'weight', optional: true }, { name: 'bias', optional: true }],
  outputs: ['y'],
  attrs: parseAttrs,
  forward: (attrs, inputs) => {
    const x = inputs.x!
    const checked = validate(attrs, inputs)
    if (E.isLeft(checked)) return checked
    const d = checked.right
    const rows = d === 0 ? 0 : x.data.length / d
    const part = Standardize.partition(x.data.length, rows, (i) => Math.floor(i / d))
    const standardized = Standardize.standardize(x.data, part, Standardize.moments(x.data, part), attrs.eps) // (1), (2)
    const affine: Affine.Affine = { paramOf: Int32Array.from({ length: x.data.length }, (_, i) => i % d), weight: inputs.weight, bias: inputs.bias }
    const y = make(x.shape, Affine.forward(affine, standardized.xhat)) // (3)
    return E.right({ outputs: { y }, cache: { partition: part, standardized, affine } })
  },
  backward: (_attrs, { partition, standardized, affine }, { y: g }) => {
    const { dxhat, ...params } = Affine.backward(affine, standardized.xhat, g.data) // (4)
    return { x: make(g.shape, Standardize.backward(partition, standardized, dxhat)), ...params } // (5)
  },
})
