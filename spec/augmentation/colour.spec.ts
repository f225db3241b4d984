import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as Brightness from '../../src/augmentation/adjust-brightness.ts'
import * as Contrast from '../../src/augmentation/adjust-contrast.ts'
import * as Hue from '../../src/augmentation/adjust-hue.ts'
import * as Saturation from '../../src/augmentation/adjust-saturation.ts'
import { GREY } from '../../src/augmentation/colour.ts'
import * as Pca from '../../src/augmentation/pca-lighting.ts'
import { type Tensor, fromArray, make } from '../../src/core/tensor.ts'
import { tensorOf } from '../laws/arbitraries.ts'
import { failed, ok } from '../laws/result.ts'
import { EPS64, TOL } from '../laws/tolerance.ts'
import { gradientProperty, property } from '../support/property.ts'
import { type Dims, batchOf, dims, guard, images, near, run, same } from './support.ts'

const test = suite('augmentation: colour')

const rgb = (lo = 0, hi = 1) => batchOf({ c: 3, maxHW: 3 }, lo, hi)

// ---------------------------------------------------------------- identities

for (const op of [Brightness.op, Contrast.op, Saturation.op]) {
  /** f x + (1 - f) o with f = 1 is 1 * x + 0 * o = x exactly, and x in [0, 1] passes the clamp. */
  property(test, `${op.name} with factor 1 is the identity on [0, 1] images, bit for bit`, rgb(), ({ x }) => guard(() =>
    same(`${op.name}(x, 1)`, run(op, { factor: 1 }, { x }).y, x)), 100)
}

/**
 * Hue 0: RGB -> HSV -> RGB. The round trip rebuilds each channel from
 * v (exact: the max), p = v (1 - s) and t/q = v (1 - s (1 - f)), with s = C / v
 * and f = 6h - i: a handful of roundings on values <= 1, so each channel is
 * back within 16 EPS64 (measured worst 3 EPS64 over 10^6 draws).
 */
property(test, 'adjust_hue with hue_factor 0 is the identity within 16 EPS64 (the HSV round trip)', rgb(), ({ x }) => guard(() =>
  near('adjust_hue(x, 0)', run(Hue.op, { hue_factor: 0 }, { x }).y, x, () => 16 * EPS64)), 100)

test('adjust_hue turns pure red by a third to pure green, and half a turn to cyan; greys stay grey', () => {
  const x = fromArray([1, 3, 1, 2], [1, 0.5, 0, 0.5, 0, 0.5])
  assert.equal(Array.from(run(Hue.op, { hue_factor: 1 / 3 }, { x }).y.data).map((v) => Math.round(v * 1e12) / 1e12), [0, 0.5, 1, 0.5, 0, 0.5])
  assert.equal(Array.from(run(Hue.op, { hue_factor: 0.5 }, { x }).y.data).map((v) => Math.round(v * 1e12) / 1e12), [0, 0.5, 1, 0.5, 1, 0.5])
  assert.equal(Array.from(run(Hue.op, { hue_factor: -0.5 }, { x }).y.data).map((v) => Math.round(v * 1e12) / 1e12), [0, 0.5, 1, 0.5, 1, 0.5])
})

test('adjust_hue refuses hue_factor outside [-0.5, 0.5]; colour ops refuse a batch that is not RGB', () => {
  assert.ok(E.isLeft(Hue.op.parseAttrs({ hue_factor: 0.6 })))
  const x = make([1, 1, 2, 2], new Float64Array(4))
  for (const op of [Brightness.op, Contrast.op, Saturation.op]) {
    const r = op.forward({ factor: 1 }, { x })
    assert.ok(E.isLeft(r) && r.left.arg === 'inputs.x', op.name)
  }
})

// ---------------------------------------------------------------- the equations, pinned

test('saturation 0 gives each pixel its grey 0.2989 R + 0.587 G + 0.114 B in all three channels; contrast 0 the image\'s mean grey', () => {
  const x = fromArray([1, 3, 1, 2], [0.2, 0.9, 0.4, 0.1, 0.6, 0.3])
  const g0 = GREY[0] * 0.2 + GREY[1] * 0.4 + GREY[2] * 0.6, g1 = GREY[0] * 0.9 + GREY[1] * 0.1 + GREY[2] * 0.3
  assert.equal(Array.from(run(Saturation.op, { factor: 0 }, { x }).y.data), [g0, g1, g0, g1, g0, g1])
  const m = (g0 + g1) / 2
  assert.equal(Array.from(run(Contrast.op, { factor: 0 }, { x }).y.data).map((v) => Math.abs(v - m) < 1e-15), [true, true, true, true, true, true])
})

// ---------------------------------------------------------------- gradients, away from the clamp's kinks

/** The unclamped value u of each output (colour.ts (2)), to keep draws off u = 0 and u = 1. */
const preClamp = (op: string, x: Tensor, f: number, d: Dims): number[] => {
  const P = d.h * d.w, u: number[] = []
  for (let n = 0; n < d.n; n++) {
    let mean = 0
    for (let p = 0; p < P; p++) mean += GREY.reduce((s, w, c) => s + w * x.data[(n * 3 + c) * P + p], 0) / P
    for (let c = 0; c < 3; c++) for (let p = 0; p < P; p++) {
      const v = x.data[(n * 3 + c) * P + p]
      const g = GREY.reduce((s, w, k) => s + w * x.data[(n * 3 + k) * P + p], 0)
      u.push(op === 'adjust_brightness' ? f * v : op === 'adjust_contrast' ? f * v + (1 - f) * mean : f * v + (1 - f) * g)
    }
  }
  return u
}

for (const op of [Brightness.op, Contrast.op, Saturation.op]) {
  gradientProperty(test, op, fc.tuple(dims({ c: 3, maxHW: 3 }), fc.double({ min: 0, max: 2, noNaN: true }))
    .chain(([d, f]) => images(d, 0, 1).map((x) => ({ d, f, x })))
    .filter(({ d, f, x }) => preClamp(op.name, x, f, d).every((u) => Math.abs(u) > 2 * TOL.KINK_GAP && Math.abs(u - 1) > 2 * TOL.KINK_GAP))
    .map(({ f, x }) => ({ attrs: { factor: f }, inputs: { x } })), 60)
}

test('the clamp passes the gradient at the bounds themselves (u = 0 or 1 exactly: [0, 1] inclusive, as torch.clamp)', () => {
  const x = fromArray([1, 3, 1, 1], [0.5, 1, 0])
  const r = Brightness.op.forward({ factor: 1 }, { x })
  assert.ok(E.isRight(r))
  const dx = Brightness.op.backward({ factor: 1 }, r.right.cache, { y: fromArray([1, 3, 1, 1], [1, 1, 1]) }).x
  assert.equal(Array.from(dx.data), [1, 1, 1])
  const r2 = Brightness.op.forward({ factor: 2 }, { x })
  assert.ok(E.isRight(r2))
  assert.equal(Array.from(Brightness.op.backward({ factor: 2 }, r2.right.cache, { y: fromArray([1, 3, 1, 1], [1, 1, 1]) }).x.data), [2, 0, 2])
})

// ---------------------------------------------------------------- PCA lighting

const pcaCase = batchOf({ c: 3 }, 0, 1).chain(({ d, x }) => fc.tuple(tensorOf([3, 3], { min: -1, max: 1 }), tensorOf([3], { min: 0, max: 0.3 }), tensorOf([d.n, 3], { min: -0.3, max: 0.3 }))
  .map(([eigvec, eigval, alpha]) => ({ d, x, eigvec, eigval, alpha })))

/**
 * One offset per image and channel: y - x is the same o[n, c] at every pixel,
 * so pixel differences within a channel are unchanged. Each y = fl(x + o)
 * carries one rounding, so |(y_p - x_p) - (y_q - x_q)| <= EPS64 (|y_p| + |y_q|) / 2 * 2.
 */
property(test, 'pca_lighting adds one offset per image and channel: differences between pixels are unchanged (up to one rounding each)', pcaCase,
  ({ d, x, eigvec, eigval, alpha }) => guard(() => {
    const y = run(Pca.op, {}, { x, eigvec, eigval, alpha }).y
    const P = d.h * d.w
    for (let pl = 0; pl < d.n * 3; pl++) {
      const o0 = y.data[pl * P] - x.data[pl * P]
      for (let p = 1; p < P; p++) {
        const o = y.data[pl * P + p] - x.data[pl * P + p]
        if (!(Math.abs(o - o0) <= EPS64 * (Math.abs(y.data[pl * P]) + Math.abs(y.data[pl * P + p])))) return failed(`plane ${pl}: offset ${o} at ${p}, ${o0} at 0`)
      }
      const [n, c] = [Math.floor(pl / 3), pl % 3]
      let want = 0
      for (let k = 0; k < 3; k++) want += eigvec.data[c * 3 + k] * alpha.data[n * 3 + k] * eigval.data[k]
      if (!(Math.abs(o0 - want) <= 4 * EPS64 * (1 + Math.abs(y.data[pl * P])))) return failed(`plane ${pl}: offset ${o0}, eigvec (alpha * eigval) gives ${want}`)
    }
    return ok
  }), 100)

gradientProperty(test, Pca.op, pcaCase.map(({ x, eigvec, eigval, alpha }) => ({ attrs: {}, inputs: { x, eigvec, eigval, alpha } })), 40)

test.run()
