/**
 * Arbitraries for the four normalizations: an op case (attrs, inputs) plus the
 * groups it standardizes over (./groups.ts).
 *
 * Why `spread` (used by the gradient laws): the finite-difference tolerance of
 * spec/laws/tolerance.ts bounds the third derivative by TOL.M3_REL = 1e3 times
 * (1 + |f'|), and names normalizations with a drawn variance >= 0.05 among the
 * ops it was sized for. xhat = (x - mu) / sqrt(var + eps) is homogeneous of
 * degree 0 in the deviations x - mu (eps aside, which only lowers the
 * derivatives), so its k-th derivatives are those of a unit-variance group
 * scaled by sigma^-k, and the unit-variance ones are O(1) (powers of xhat and
 * 1/n). A group's standard deviation sigma >= 0.3 keeps sigma^-3 <= 37, well
 * inside the factor 1e3; a group with sigma -> 0 would have third derivatives
 * ~ sigma^-3 without bound and the central difference would drift from the
 * true gradient however correct the backward. Values stay within a few units
 * (|x| <= 3 drawn, stretched to at most mean +- 0.3 sqrt(n)), so the step
 * h = 1e-5 max(1, |x|) stays a small fraction of sigma.
 */
import fc from 'fast-check'
import { type Tensor, sizeOf } from '../../src/core/tensor.ts'
import { tensorOf } from '../laws/arbitraries.ts'
import type { OpCase } from '../laws/arbitraries.ts'
import { type Groups, blockGroups, channelGroups, planeGroups, rowGroups, withSpread } from './groups.ts'

export interface NormCase extends OpCase {
  readonly groups: Groups
}

export interface CaseOptions {
  /** per-group standard deviation >= MIN_STD (gradient laws) */
  readonly spread?: boolean
  /** draw weight and bias (default: each with probability 1/2) */
  readonly affine?: boolean
  readonly eps?: readonly number[]
}

export const MIN_STD = 0.3

const dim = (max = 3) => fc.integer({ min: 1, max })
const EPS = [1e-5, 1e-3, 0.1] as const

/** x, and weight/bias when drawn, as one record of tensors. */
const inputsOf = (xShape: readonly number[], params: Record<string, readonly number[] | undefined>): fc.Arbitrary<Record<string, Tensor>> => {
  const parts: Record<string, fc.Arbitrary<Tensor>> = { x: tensorOf(xShape) }
  for (const [k, sh] of Object.entries(params)) if (sh !== undefined) parts[k] = tensorOf(sh, k === 'running_var' ? { min: 0.1, max: 3 } : {})
  return fc.record(parts)
}

const affineFlags = (o: CaseOptions) => (o.affine === undefined ? fc.tuple(fc.boolean(), fc.boolean()) : fc.constant([o.affine, o.affine] as const))

const finish = (attrs: Record<string, unknown>, inputs: Record<string, Tensor>, groups: Groups, o: CaseOptions): NormCase =>
  ({ attrs, inputs: o.spread ? { ...inputs, x: withSpread(inputs.x, groups, MIN_STD) } : inputs, groups })

export const batchNormCase = (o: CaseOptions & { readonly training?: boolean } = {}): fc.Arbitrary<NormCase> =>
  fc.record({
    n: dim(), c: dim(), spatial: fc.array(dim(), { maxLength: 2 }),
    training: o.training === undefined ? fc.boolean() : fc.constant(o.training),
    momentum: fc.double({ min: 0, max: 1, noNaN: true }), eps: fc.constantFrom(...(o.eps ?? EPS)),
    affine: affineFlags(o), running: fc.tuple(fc.boolean(), fc.boolean()),
  }).chain(({ n, c, spatial, training, momentum, eps, affine, running }) => {
    // training needs two values per channel (PyTorch's rule); evaluation needs both running statistics
    const nn = training && n * sizeOf(spatial) < 2 ? 2 : n
    const shape = [nn, c, ...spatial]
    const [rm, rv] = training ? running : [true, true]
    return inputsOf(shape, {
      running_mean: rm ? [c] : undefined, running_var: rv ? [c] : undefined,
      weight: affine[0] ? [c] : undefined, bias: affine[1] ? [c] : undefined,
    }).map((inputs) => finish({ training, momentum, eps }, inputs, channelGroups(shape), o))
  })

export const layerNormCase = (o: CaseOptions = {}): fc.Arbitrary<NormCase> =>
  fc.record({
    shape: fc.array(dim(4), { minLength: 1, maxLength: 3 }), kDraw: fc.nat(), form: fc.constantFrom('shape', 'axis', 'negative-axis'),
    eps: fc.constantFrom(...(o.eps ?? EPS)), affine: affineFlags(o),
  }).chain(({ shape, kDraw, form, eps, affine }) => {
    const k = 1 + (kDraw % shape.length)
    const normalized = shape.slice(shape.length - k)
    const attrs = form === 'shape' ? { normalized_shape: normalized, eps }
      : form === 'axis' ? { axis: shape.length - k, eps } : { axis: -k, eps }
    return inputsOf(shape, { weight: affine[0] ? normalized : undefined, bias: affine[1] ? normalized : undefined })
      .map((inputs) => finish(attrs, inputs, rowGroups(shape, k), o))
  })

export const instanceNormCase = (o: CaseOptions = {}): fc.Arbitrary<NormCase> =>
  fc.record({ n: dim(2), c: dim(), spatial: fc.array(dim(), { minLength: 1, maxLength: 2 }), eps: fc.constantFrom(...(o.eps ?? EPS)), affine: affineFlags(o) })
    .chain(({ n, c, spatial, eps, affine }) => {
      // PyTorch refuses a plane of one value
      const sp = sizeOf(spatial) === 1 ? [2, ...spatial.slice(1)] : spatial
      const shape = [n, c, ...sp]
      return inputsOf(shape, { weight: affine[0] ? [c] : undefined, bias: affine[1] ? [c] : undefined })
        .map((inputs) => finish({ eps }, inputs, planeGroups(shape), o))
    })

export const groupNormCase = (o: CaseOptions = {}): fc.Arbitrary<NormCase> =>
  fc.record({ n: dim(2), groups: dim(), per: dim(2), spatial: fc.array(dim(), { maxLength: 2 }), eps: fc.constantFrom(...(o.eps ?? EPS)), affine: affineFlags(o) })
    .chain(({ n, groups, per, spatial, eps, affine }) => {
      // PyTorch refuses N * C/G * S = 1
      const nn = n * per * sizeOf(spatial) === 1 ? 2 : n
      const c = groups * per
      const shape = [nn, c, ...spatial]
      return inputsOf(shape, { weight: affine[0] ? [c] : undefined, bias: affine[1] ? [c] : undefined })
        .map((inputs) => finish({ num_groups: groups, eps }, inputs, blockGroups(shape, groups), o))
    })
