/**
 * Drawn pooling cases: batch and channels <= 2, kernels <= 3 x 3, strides <= 3
 * (or omitted, defaulting to the kernel), dilation <= 2, padding per side up
 * to `maxPad` in any of the three forms (beyond half the kernel allowed), and
 * lengths that leave at least one window.
 *
 * Max-pool values for gradient laws: distinct multiples of 0.01, so any two
 * values in a window differ by at least 0.01 = 10 TOL.KINK_GAP and a central
 * difference step (<= 3e-5 here) never reorders them.
 */
import fc from 'fast-check'
import { type Tensor, fromArray, sizeOf } from '../../src/core/tensor.ts'
import { tensorOf } from '../laws/arbitraries.ts'

export interface PoolGeometry {
  readonly n: number
  readonly c: number
  readonly kernel: [number, number]
  readonly stride: [number, number] | undefined
  readonly dilation: [number, number]
  /** [top, left, bottom, right] */
  readonly pad: [number, number, number, number]
  readonly padAttr: number | number[]
  readonly ceil: boolean
  readonly h: number
  readonly w: number
}

const small = (min: number, max: number) => fc.integer({ min, max })

export const poolGeometry = (o: { maxPad?: number; dilation?: boolean; maxExtra?: number } = {}): fc.Arbitrary<PoolGeometry> =>
  fc.record({
    n: small(1, 2), c: small(1, 2),
    kernel: fc.tuple(small(1, 3), small(1, 3)),
    stride: fc.option(fc.tuple(small(1, 3), small(1, 3)), { nil: undefined }),
    dilation: o.dilation === false ? fc.constant<[number, number]>([1, 1]) : fc.tuple(small(1, 2), small(1, 2)),
    form: fc.constantFrom('int', 'pair', 'four'),
    p: fc.tuple(small(0, o.maxPad ?? 2), small(0, o.maxPad ?? 2), small(0, o.maxPad ?? 2), small(0, o.maxPad ?? 2)),
    ceil: fc.boolean(),
    extra: fc.tuple(small(0, o.maxExtra ?? 3), small(0, o.maxExtra ?? 3)),
  }).map(({ form, p, extra, ...g }) => {
    const pad: [number, number, number, number] = form === 'int' ? [p[0], p[0], p[0], p[0]] : form === 'pair' ? [p[0], p[1], p[0], p[1]] : p
    const padAttr = form === 'int' ? p[0] : form === 'pair' ? [p[0], p[1]] : [...p]
    // floor mode needs L + p_b + p_e >= d (k - 1) + 1
    const len = (d: 0 | 1) => Math.max(1, g.dilation[d] * (g.kernel[d] - 1) + 1 - pad[d] - pad[d + 2]) + extra[d]
    return { ...g, pad, padAttr, h: len(0), w: len(1) }
  })

export const poolAttrs = (g: PoolGeometry, withDilation: boolean): Record<string, unknown> => ({
  kernel_size: [...g.kernel],
  ...(g.stride === undefined ? {} : { stride: [...g.stride] }),
  padding: g.padAttr,
  ...(withDilation ? { dilation: [...g.dilation] } : {}),
  ceil_mode: g.ceil,
})

export const shapeOf = (g: PoolGeometry): number[] => [g.n, g.c, g.h, g.w]

/** Distinct values k / 100, k in [-500, 500]: pairwise gaps >= 0.01. */
export const distinct = (shape: readonly number[]): fc.Arbitrary<Tensor> =>
  fc.uniqueArray(fc.integer({ min: -500, max: 500 }), { minLength: sizeOf(shape), maxLength: sizeOf(shape) })
    .map((ks) => fromArray(shape, ks.map((k) => k / 100)))

/** Values from a tiny set, so that ties are common. */
export const tied = (shape: readonly number[]): fc.Arbitrary<Tensor> =>
  fc.array(fc.integer({ min: -1, max: 2 }), { minLength: sizeOf(shape), maxLength: sizeOf(shape) }).map((vs) => fromArray(shape, vs))

export const anyValues = (shape: readonly number[]): fc.Arbitrary<Tensor> => tensorOf(shape)
