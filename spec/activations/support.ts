/**
 * Shared bindings for the activation specs: drawing pointwise cases, reading
 * an op's value and derivative at chosen points, and pinning values that were
 * checked by hand against PyTorch 1.13.1 (float64) or, where PyTorch's own
 * formula cancels, against 40-digit mpmath.
 */
import fc from 'fast-check'
import type { Test } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { formatError } from '../../src/core/errors.ts'
import { type Op, vjp } from '../../src/core/op.ts'
import { type Tensor, fromArray, full } from '../../src/core/tensor.ts'
import { type ValueOptions, awayFrom, shape } from '../laws/arbitraries.ts'
import type { OpCase } from '../laws/arbitraries.ts'
import { EPS64, TOL } from '../laws/tolerance.ts'

type Raw = Readonly<Record<string, unknown>>

/**
 * Values spread evenly over [min, max] (default [-3, 3]), pushed off `kinks`.
 * Why not fc.double alone: it draws uniformly over the *representable* doubles
 * in the range, so about 90% of its draws in [-400, 400] (or [-3, 3]) are below
 * 1e-10 in magnitude and most others sit at the two ends; laws about the
 * interior (saturation, stable branches, thresholds) would rarely be reached.
 * Even draws on a 2^30 grid, mixed 4:1 with fc.double's tiny values and ends.
 */
export const spreadValue = (o: ValueOptions = {}): fc.Arbitrary<number> => {
  const min = o.min ?? -3, max = o.max ?? 3
  const even = fc.integer({ min: 0, max: 2 ** 30 }).map((i) => min + (max - min) * (i / 2 ** 30))
  return fc.oneof({ arbitrary: even, weight: 4 }, { arbitrary: fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), weight: 1 })
    .map((v) => (o.kinks && o.kinks.length ? awayFrom(v, o.kinks, o.gap ?? TOL.KINK_GAP) : v))
    .map((v) => (Object.is(v, -0) ? 0 : v))
}

export const spreadTensorOf = (sh: readonly number[], o: ValueOptions = {}): fc.Arbitrary<Tensor> =>
  fc.array(spreadValue(o), { minLength: sh.reduce((a, b) => a * b, 1), maxLength: sh.reduce((a, b) => a * b, 1) }).map((vs) => fromArray(sh, vs))

/** A tensor of a drawn shape (rank 1..3, dims 1..4 by default) with spread values. */
export const spreadTensor = (s: fc.Arbitrary<readonly number[]> = shape(), o: ValueOptions = {}): fc.Arbitrary<Tensor> =>
  s.chain((sh) => spreadTensorOf(sh, o))

/** Pointwise cases: a tensor of rank 1..3 (<= 64 elements, so the gradient law checks every entry). */
export const pointwiseCases = (attrs: fc.Arbitrary<Raw> | Raw, values: ValueOptions = {}): fc.Arbitrary<OpCase> =>
  fc.tuple(attrs instanceof fc.Arbitrary ? attrs : fc.constant(attrs), spreadTensor(shape(), values)).map(([a, x]) => ({ attrs: a, inputs: { x } }))

const must = <A>(r: E.Either<Parameters<typeof formatError>[0], A>): A => {
  if (E.isLeft(r)) throw new Error(formatError(r.left))
  return r.right
}

/** y = op(x) at raw attributes. */
export const forwardOf = (op: Op, attrs: Raw, x: Tensor): Tensor => must(op.forward(must(op.parseAttrs(attrs)), { x })).outputs.y

/** y and dy/dx (cotangent 1, so for a pointwise op the derivative itself) at the points xs. */
export const valueAndDerivative = (op: Op, attrs: Raw, xs: readonly number[]): { y: Float64Array; dx: Float64Array } => {
  const x = fromArray([xs.length], xs)
  const r = must(vjp(op, must(op.parseAttrs(attrs)), { x }, { y: full([xs.length], 1) }))
  return { y: r.outputs.y.data, dx: r.gradients.x.data }
}

/** [x, y, y'] triples. */
export type Pin = readonly [number, number, number]

/**
 * Pinned values, relative tolerance PIN_RTOL = 1e-12. Why that size: both
 * sides are within a few ulps (~1e-15) of the true value at the pinned points
 * (chosen away from PyTorch's cancellations, e.g. 1 + erf(x) for x << 0; the
 * worst disagreement measured on them is 3e-14, PyTorch's exp(x) - 1 against
 * our expm1 at x = -1e-3), while a wrong constant or branch moves a value by
 * far more than 1e-12 relative.
 */
export const PIN_RTOL = 1e-12

/** Equal under PIN_RTOL, with NaN equal to NaN and an infinity only to itself. */
const agrees = (a: number, e: number): boolean =>
  (Number.isNaN(a) && Number.isNaN(e)) || a === e || Math.abs(a - e) <= PIN_RTOL * Math.abs(e)

export const pinned = (test: Test, op: Op, attrs: Raw, pins: readonly Pin[], source: string): void =>
  test(`${op.name} ${JSON.stringify(attrs)}: values and derivatives pinned against ${source}`, () => {
    const { y, dx } = valueAndDerivative(op, attrs, pins.map((p) => p[0]))
    pins.forEach(([x, ey, ed], i) => {
      assert.ok(agrees(y[i], ey), `${op.name}(${x}) = ${y[i]}, pinned ${ey}`)
      assert.ok(agrees(dx[i], ed), `${op.name}'(${x}) = ${dx[i]}, pinned ${ed}`)
    })
  })

/**
 * |a - b| <= ulps * (EPS64 * scale + MIN_VALUE), the comparison for identities
 * between float64 evaluations: a relative bound, plus the absolute error of
 * rounding into the subnormal range (<= MIN_VALUE / 2 per operation), where
 * relative accuracy is lost.
 */
export const close = (a: number, b: number, ulps: number, scale: number): boolean =>
  Math.abs(a - b) <= ulps * (EPS64 * scale + Number.MIN_VALUE)

/** An attribute error: an Either left that names the argument. */
export const rejects = (op: Op, attrs: Raw, arg: string): void => {
  const r = op.parseAttrs(attrs)
  assert.ok(E.isLeft(r), `${op.name} accepted ${JSON.stringify(attrs)}`)
  if (E.isLeft(r)) {
    assert.is(r.left.op, op.name)
    assert.is(r.left.arg, arg)
  }
}

/** Softmax-style cases: x of rank 1..3 (dims 1..4), `dim` anywhere in [-rank, rank), or omitted (-1). */
export const alongDimCases = (values: ValueOptions = {}): fc.Arbitrary<OpCase> =>
  shape().chain((sh) => fc.tuple(
    fc.option(fc.integer({ min: -sh.length, max: sh.length - 1 }), { nil: undefined }),
    spreadTensorOf(sh, values),
  )).map(([dim, x]) => ({ attrs: dim === undefined ? {} : { dim }, inputs: { x } }))

/** The flat positions of every lane along `dim` (rank >= 1). */
export const lanePositions = (sh: readonly number[], dim: number): number[][] => {
  const d = dim < 0 ? dim + sh.length : dim
  const outer = sh.slice(0, d).reduce((a, b) => a * b, 1)
  const n = sh[d]
  const inner = sh.slice(d + 1).reduce((a, b) => a * b, 1)
  const lanes: number[][] = []
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) lanes.push(Array.from({ length: n }, (_, k) => (o * n + k) * inner + i))
  return lanes
}
