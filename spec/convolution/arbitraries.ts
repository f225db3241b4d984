/**
 * Drawn convolution geometries and cases, small enough that a spec of a few
 * properties at 200 runs stays within seconds: batch <= 2, groups <= 3,
 * <= 2 channels per group on each side, kernels <= 3 x 3, strides <= 3,
 * dilations <= 2, padding <= 2 per side in any of the three forms.
 */
import fc from 'fast-check'
import type { Tensor } from '../../src/core/tensor.ts'
import { EPS64 } from '../laws/tolerance.ts'
import { tensorOf } from '../laws/arbitraries.ts'
import { type Verdict, failed, ok } from '../laws/result.ts'

export type PadForm = 'int' | 'pair' | 'four'

export interface Geometry {
  readonly n: number
  readonly groups: number
  /** channels per group on the image side (conv2d's input) */
  readonly cg: number
  /** channels per group on the map side (conv2d's output) */
  readonly kg: number
  readonly kernel: [number, number]
  readonly stride: [number, number]
  readonly dilation: [number, number]
  /** [top, left, bottom, right] */
  readonly pad: [number, number, number, number]
  readonly padForm: PadForm
  readonly bias: boolean
}

const small = (min: number, max: number) => fc.integer({ min, max })

export const geometry = (o: { maxGroups?: number; maxPad?: number } = {}): fc.Arbitrary<Geometry> =>
  fc.record({
    n: small(1, 2), groups: small(1, o.maxGroups ?? 3), cg: small(1, 2), kg: small(1, 2),
    kernel: fc.tuple(small(1, 3), small(1, 3)), stride: fc.tuple(small(1, 3), small(1, 3)),
    dilation: fc.tuple(small(1, 2), small(1, 2)),
    padForm: fc.constantFrom<PadForm>('int', 'pair', 'four'),
    p: fc.tuple(small(0, o.maxPad ?? 2), small(0, o.maxPad ?? 2), small(0, o.maxPad ?? 2), small(0, o.maxPad ?? 2)),
    bias: fc.boolean(),
  }).map(({ p, padForm, ...g }) => {
    const pad: [number, number, number, number] =
      padForm === 'int' ? [p[0], p[0], p[0], p[0]] : padForm === 'pair' ? [p[0], p[1], p[0], p[1]] : p
    return { ...g, padForm, pad }
  })

/** The padding attribute in the drawn form (the case format accepts all three). */
export const padAttr = (g: Geometry): number | number[] =>
  g.padForm === 'int' ? g.pad[0] : g.padForm === 'pair' ? [g.pad[0], g.pad[1]] : [...g.pad]

/** The smallest length with at least one conv2d output along a dimension, plus `extra`. */
const convLength = (k: number, d: number, p0: number, p1: number, extra: number): number => Math.max(1, d * (k - 1) + 1 - p0 - p1 + extra)

export interface ConvCase {
  readonly geo: Geometry
  readonly attrs: { stride: number[]; padding: number | number[]; dilation: number[]; groups: number }
  readonly inputs: { x: Tensor; weight: Tensor; bias?: Tensor }
}

/** conv2d: x [N, G cg, H, W], weight [G kg, cg, kh, kw], bias [G kg]; H, W leave at least one output. */
export const conv2dCase = (geo: fc.Arbitrary<Geometry> = geometry()): fc.Arbitrary<ConvCase> =>
  geo.chain((g) => fc.tuple(small(0, 3), small(0, 3)).chain(([eh, ew]) => {
    const h = convLength(g.kernel[0], g.dilation[0], g.pad[0], g.pad[2], eh)
    const w = convLength(g.kernel[1], g.dilation[1], g.pad[1], g.pad[3], ew)
    const c = g.groups * g.cg, k = g.groups * g.kg
    return fc.record({
      x: tensorOf([g.n, c, h, w]), weight: tensorOf([k, g.cg, ...g.kernel]), ...(g.bias ? { bias: tensorOf([k]) } : {}),
    }).map((inputs) => ({
      geo: g,
      attrs: { stride: [...g.stride], padding: padAttr(g), dilation: [...g.dilation], groups: g.groups },
      inputs,
    }))
  }))

export interface ConvTransposeCase {
  readonly geo: Geometry
  readonly attrs: { stride: number[]; padding: number | number[]; output_padding: number[]; dilation: number[]; groups: number }
  readonly inputs: { x: Tensor; weight: Tensor; bias?: Tensor }
}

/**
 * conv_transpose2d: x [N, G kg, H, W] (the map side), weight [G kg, cg, kh, kw],
 * bias [G cg]; output_padding below max(stride, dilation); H, W leave at least
 * one output row after cropping.
 */
export const convTransposeCase = (geo: fc.Arbitrary<Geometry> = geometry()): fc.Arbitrary<ConvTransposeCase> =>
  geo.chain((g) => fc.record({
    e: fc.tuple(small(0, 2), small(0, 2)),
    op: fc.tuple(small(0, Math.max(g.stride[0], g.dilation[0]) - 1), small(0, Math.max(g.stride[1], g.dilation[1]) - 1)),
  }).chain(({ e, op }) => {
    // (H - 1) s >= p_t + p_b - d (kh - 1) - op keeps H_out >= 1
    const len = (dim: 0 | 1, extra: number) => {
      const need = g.pad[dim] + g.pad[dim + 2] - g.dilation[dim] * (g.kernel[dim] - 1) - op[dim]
      return 1 + Math.max(0, Math.ceil(need / g.stride[dim])) + extra
    }
    const c = g.groups * g.kg, k = g.groups * g.cg
    return fc.record({
      x: tensorOf([g.n, c, len(0, e[0]), len(1, e[1])]), weight: tensorOf([c, g.cg, ...g.kernel]), ...(g.bias ? { bias: tensorOf([k]) } : {}),
    }).map((inputs) => ({
      geo: g,
      attrs: { stride: [...g.stride], padding: padAttr(g), output_padding: [...op], dilation: [...g.dilation], groups: g.groups },
      inputs,
    }))
  }))

/**
 * Two float64 evaluations of the same sums of products, in different orders,
 * agree within 2 (m + 1) EPS64 s per element: each carries at most
 * gamma_m <= (m + 1) u of s = sum |terms| (Higham eq. 3.5, one more u for the
 * product), u = EPS64 / 2, and the two errors add; the extra factor 2 is slack
 * for the small bias and cropping additions. `s` is the same computation on
 * |inputs| (every term's absolute value is the product of |factors|), m an
 * upper bound on the number of terms in one sum. A product that underflows
 * errs by up to MIN_VALUE (2^-1074) absolutely instead (Higham's eta), hence
 * the m MIN_VALUE floor that tiny drawn values need.
 */
export const allClose = (what: string, actual: Tensor, expected: Tensor, s: Tensor, m: number): Verdict => {
  if (actual.shape.join() !== expected.shape.join()) return failed(`${what}: shape [${actual.shape}], expected [${expected.shape}]`)
  for (let i = 0; i < expected.data.length; i++) {
    const tol = 2 * (m + 1) * EPS64 * s.data[i] + m * Number.MIN_VALUE
    if (!(Math.abs(actual.data[i] - expected.data[i]) <= tol)) {
      return failed(`${what}[${i}]: ${actual.data[i]}, expected ${expected.data[i]} (|diff| ${Math.abs(actual.data[i] - expected.data[i])} > ${tol})`)
    }
  }
  return ok
}
