import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as MaxPool2d from '../../src/pooling/max-pool2d.ts'
import { vjp } from '../../src/core/op.ts'
import { type Tensor, fromArray, make } from '../../src/core/tensor.ts'
import { type Verdict, assertLaw, failed, ok } from '../laws/result.ts'
import { gradientProperty, property } from '../support/property.ts'
import { gaussian, grads, guard, run } from '../convolution/evaluate.ts'
import { readCases, replay } from '../convolution/fixtures.ts'
import { type PoolGeometry, distinct, poolAttrs, poolGeometry, shapeOf, tied } from './arbitraries.ts'

const test = suite('max_pool2d')

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 })
const op = MaxPool2d.op

/** Tie-free values, and no window wholly in padding (its -inf output has no derivative to check). */
const gradCase = poolGeometry().chain((g) => distinct(shapeOf(g)).map((x) => ({ attrs: poolAttrs(g, true), inputs: { x } })))
  .filter((c) => run(op, c.attrs, c.inputs).y.data.every(Number.isFinite))

gradientProperty(test, op, gradCase)

test('max_pool2d agrees with PyTorch 1.13 on the pinned cases (torch-cases.jsonl: ceil_mode edges, dilation, ties, asymmetric padding, NaN)', () => {
  const cases = readCases(new URL('./torch-cases.jsonl', import.meta.url)).filter((c) => c.op === 'max_pool2d')
  assert.ok(cases.length >= 12)
  for (const c of cases) assertLaw(replay(op, c))
})

/** The real taps (flat ih W + iw, row-major window order) of window (oh, ow). */
const taps = (g: PoolGeometry, oh: number, ow: number): number[] => {
  const s = g.stride ?? g.kernel
  const out: number[] = []
  for (let i = 0; i < g.kernel[0]; i++) {
    const ih = oh * s[0] - g.pad[0] + i * g.dilation[0]
    if (ih < 0 || ih >= g.h) continue
    for (let j = 0; j < g.kernel[1]; j++) {
      const iw = ow * s[1] - g.pad[1] + j * g.dilation[1]
      if (iw >= 0 && iw < g.w) out.push(ih * g.w + iw)
    }
  }
  return out
}

const firstMaxLaw = (g: PoolGeometry, x: Tensor): Verdict => guard(() => {
  const { y, indices } = run(op, poolAttrs(g, true), { x })
  const [, , ho, wo] = y.shape
  for (let p = 0; p < g.n * g.c; p++) {
    for (let oh = 0; oh < ho; oh++) {
      for (let ow = 0; ow < wo; ow++) {
        const o = (p * ho + oh) * wo + ow
        const t = taps(g, oh, ow), plane = x.data.subarray(p * g.h * g.w)
        if (t.length === 0) {
          if (y.data[o] !== -Infinity || indices.data[o] !== -1) return failed(`window ${o} lies in padding: y ${y.data[o]}, index ${indices.data[o]}; expected -inf, -1`)
          continue
        }
        const m = Math.max(...t.map((q) => plane[q]))
        const first = t.find((q) => plane[q] === m)!
        if (y.data[o] !== m || indices.data[o] !== first) return failed(`window ${o}: y ${y.data[o]}, index ${indices.data[o]}; expected max ${m} first at ${first}`)
      }
    }
  }
  return ok
})

property(test, 'y is the max over the real cells of each window and the index its first maximum in row-major order (ties common)',
  poolGeometry({ maxPad: 3 }).chain((g) => tied(shapeOf(g)).map((x) => ({ g, x }))), ({ g, x }) => firstMaxLaw(g, x))

/** x in a -inf frame: [top, left, bottom, right] rows and columns added. */
const framed = (x: Tensor, [t, l, b, r]: readonly number[]): Tensor => {
  const [n, c, h, w] = x.shape
  const H = h + t + b, W = w + l + r
  const data = new Float64Array(n * c * H * W).fill(-Infinity)
  for (let p = 0; p < n * c; p++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) data[(p * H + i + t) * W + j + l] = x.data[(p * h + i) * w + j]
  return make([n, c, H, W], data)
}

property(test, 'padding acts as -inf: pooling x with padding P equals pooling the -inf-framed x without (floor mode; P may exceed half the kernel)',
  fc.tuple(poolGeometry({ maxPad: 4 }).map((g) => ({ ...g, ceil: false })), seed).chain(([g]) => distinct(shapeOf(g)).map((x) => ({ g, x }))), ({ g, x }) => guard(() => {
    const a = run(op, poolAttrs(g, true), { x })
    const b = run(op, { ...poolAttrs(g, true), padding: 0 }, { x: framed(x, g.pad) })
    const W = g.w + g.pad[1] + g.pad[3]
    for (let o = 0; o < a.y.data.length; o++) {
      if (a.y.data[o] !== b.y.data[o]) return failed(`y[${o}] ${a.y.data[o]} vs framed ${b.y.data[o]}`)
      if (a.y.data[o] === -Infinity) continue // an all-padding window: the framed pool points into the frame, we say -1
      const fi = b.indices.data[o], back = (Math.floor(fi / W) - g.pad[0]) * g.w + (fi % W) - g.pad[1]
      if (a.indices.data[o] !== back) return failed(`indices[${o}] ${a.indices.data[o]} vs framed ${fi} (-> ${back})`)
    }
    return ok
  }))

const nonOverlapping = fc.record({ n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 2 }), k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })), e: fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 })) })
  .chain(({ n, c, k, e }) => fc.tuple(tied([n, c, k[0] + e[0], k[1] + e[1]]), seed).map(([x, s]) => ({ k, x, s })))

property(test, 'non-overlapping windows (stride = kernel): dx summed over each window is its upstream gradient, on one cell; uncovered cells get 0', nonOverlapping, ({ k, x, s }) => guard(() => {
  const y = run(op, { kernel_size: k }, { x }).y
  const g = gaussian(s, y.shape)
  const dx = grads(op, { kernel_size: k }, { x }, { y: g }).x
  const [n, c, h, w] = x.shape, [, , ho, wo] = y.shape
  for (let p = 0; p < n * c; p++) {
    for (let ih = 0; ih < h; ih++) {
      for (let iw = 0; iw < w; iw++) {
        if (ih < ho * k[0] && iw < wo * k[1]) continue
        if (dx.data[(p * h + ih) * w + iw] !== 0) return failed(`uncovered cell (${ih}, ${iw}) got ${dx.data[(p * h + ih) * w + iw]}`)
      }
    }
    for (let oh = 0; oh < ho; oh++) {
      for (let ow = 0; ow < wo; ow++) {
        let sum = 0, nonzero = 0
        for (let i = 0; i < k[0]; i++) {
          for (let j = 0; j < k[1]; j++) {
            const v = dx.data[(p * h + oh * k[0] + i) * w + ow * k[1] + j]
            sum += v
            if (v !== 0) nonzero++
          }
        }
        const gv = g.data[(p * ho + oh) * wo + ow]
        if (sum !== gv || nonzero > 1) return failed(`window (${oh}, ${ow}): dx sums to ${sum} over ${nonzero} cells, upstream ${gv}`)
      }
    }
  }
  return ok
}))

const shapes = (g: PoolGeometry, ceil: boolean): number[] | undefined => {
  const r = op.parseAttrs({ ...poolAttrs(g, true), ceil_mode: ceil })
  if (E.isLeft(r)) return undefined
  const f = op.forward(r.right, { x: make(shapeOf(g), new Float64Array(g.n * g.c * g.h * g.w)) })
  return E.isLeft(f) ? undefined : f.right.outputs.y.shape.slice(2)
}

property(test, 'ceil_mode changes floor mode by at most one window per dimension, and a window it adds starts before L + pad_begin',
  poolGeometry({ maxPad: 3 }), (g) => {
    const fl = shapes(g, false), ce = shapes(g, true)
    if (fl === undefined || ce === undefined) return failed(`no output: floor ${fl}, ceil ${ce}`)
    const s = g.stride ?? g.kernel, L = [g.h, g.w]
    for (const d of [0, 1]) {
      if (Math.abs(ce[d] - fl[d]) > 1) return failed(`dimension ${d}: ceil ${ce[d]} vs floor ${fl[d]}`)
      if (ce[d] > fl[d] && (ce[d] - 1) * s[d] >= L[d] + g.pad[d]) return failed(`dimension ${d}: ceil's extra window starts at ${(ce[d] - 1) * s[d]} >= L + pad_begin = ${L[d] + g.pad[d]}`)
    }
    return ok
  })

/** Forward and VJP with an all-ones cotangent. */
const pool = (attrs: Record<string, unknown>, x: Tensor) => {
  const a = op.parseAttrs(attrs)
  if (E.isLeft(a)) throw new Error(JSON.stringify(a.left))
  const f = op.forward(a.right, { x })
  if (E.isLeft(f)) return f
  const shape = f.right.outputs.y.shape
  return vjp(op, a.right, { x }, { y: make(shape, new Float64Array(shape.reduce((p, q) => p * q, 1)).fill(1)) })
}

test('ties: the index and the whole gradient go to the first maximum in row-major window order', () => {
  const x = fromArray([1, 1, 3, 3], [1, 5, 5, 5, 2, 5, 0, 0, 5])
  const r = pool({ kernel_size: 3 }, x)
  assert.ok(E.isRight(r))
  if (E.isRight(r)) {
    assert.equal(Array.from(r.right.outputs.indices.data), [1])
    assert.equal(Array.from(r.right.gradients.x.data), [0, 1, 0, 0, 0, 0, 0, 0, 0])
  }
})

test('overlapping windows accumulate: [1, 9, 1, 1], kernel 2, stride 1 sends [0, 2, 1, 0]', () => {
  const a = op.parseAttrs({ kernel_size: [1, 2], stride: 1 })
  assert.ok(E.isRight(a))
  if (E.isRight(a)) {
    const r = vjp(op, a.right, { x: fromArray([1, 1, 1, 4], [1, 9, 1, 1]) }, { y: fromArray([1, 1, 1, 3], [1, 1, 1]) })
    assert.ok(E.isRight(r))
    if (E.isRight(r)) assert.equal(Array.from(r.right.gradients.x.data), [0, 2, 1, 0])
  }
})

test('padding beyond half the kernel: windows wholly in padding give -inf, index -1 and no gradient', () => {
  const a = op.parseAttrs({ kernel_size: 2, padding: 2 })
  assert.ok(E.isRight(a))
  if (E.isRight(a)) {
    const r = vjp(op, a.right, { x: fromArray([1, 1, 2, 2], [3, -1, 4, 2]) }, { y: fromArray([1, 1, 3, 3], [1, 1, 1, 1, 10, 1, 1, 1, 1]) })
    assert.ok(E.isRight(r))
    if (E.isRight(r)) {
      const I = -Infinity
      assert.equal(Array.from(r.right.outputs.y.data), [I, I, I, I, 4, I, I, I, I])
      assert.equal(Array.from(r.right.outputs.indices.data), [-1, -1, -1, -1, 2, -1, -1, -1, -1])
      assert.equal(Array.from(r.right.gradients.x.data), [0, 0, 10, 0])
    }
  }
})

test('a dilation that steps over the whole input leaves the window empty even within PyTorch padding limits (2 x 2, kernel 2, padding 1, dilation 3)', () => {
  const r = pool({ kernel_size: 2, padding: 1, dilation: 3 }, fromArray([1, 1, 2, 2], [0, 1, 2, 3]))
  assert.ok(E.isRight(r))
  if (E.isRight(r)) {
    assert.equal(Array.from(r.right.outputs.y.data), [-Infinity]) // PyTorch 1.13: -inf (with index 6, outside the plane)
    assert.equal(Array.from(r.right.outputs.indices.data), [-1])
    assert.equal(Array.from(r.right.gradients.x.data), [0, 0, 0, 0])
  }
})

test('NaN propagates and the last NaN of the window takes the index and the gradient (PyTorch)', () => {
  const r = pool({ kernel_size: 2 }, fromArray([1, 1, 2, 2], [NaN, 1, NaN, 2]))
  assert.ok(E.isRight(r))
  if (E.isRight(r)) {
    assert.ok(Number.isNaN(r.right.outputs.y.data[0]))
    assert.equal(Array.from(r.right.outputs.indices.data), [2])
    assert.equal(Array.from(r.right.gradients.x.data), [0, 0, 1, 0])
  }
})

test('a window whose real cells are all -inf picks its first real cell, as PyTorch does', () => {
  const r = pool({ kernel_size: 2, padding: [1, 1, 0, 0] }, fromArray([1, 1, 1, 1], [-Infinity]))
  assert.ok(E.isRight(r))
  if (E.isRight(r)) assert.equal([r.right.outputs.y.data[0], r.right.outputs.indices.data[0]], [-Infinity, 0])
})

test('ceil_mode drops a last window that would start in the end padding: 5 x 5, kernel 2, stride 2, padding 1 gives 3 x 3 (PyTorch)', () => {
  const x = fromArray([1, 1, 5, 5], Array.from({ length: 25 }, (_, i) => i))
  const r = pool({ kernel_size: 2, padding: 1, ceil_mode: true }, x)
  assert.ok(E.isRight(r))
  if (E.isRight(r)) assert.equal(r.right.outputs.y.shape, [1, 1, 3, 3])
  const noPad = pool({ kernel_size: 2, ceil_mode: true }, x) // 5 x 5, kernel 2: ceil keeps the overhanging third window
  if (E.isRight(noPad)) assert.equal(noPad.right.outputs.y.shape, [1, 1, 3, 3])
})

test('stride defaults to kernel_size; indices are int64 and take no cotangent', () => {
  const x = fromArray([1, 1, 4, 6], Array.from({ length: 24 }, (_, i) => (i * 7) % 24))
  const a = op.parseAttrs({ kernel_size: [2, 3] })
  assert.ok(E.isRight(a))
  if (E.isRight(a)) {
    const f = op.forward(a.right, { x })
    assert.ok(E.isRight(f))
    if (E.isRight(f)) {
      assert.equal(f.right.outputs.y.shape, [1, 1, 2, 2])
      assert.is(f.right.outputs.indices.dtype, 'int64')
    }
    const r = vjp(op, a.right, { x }, { indices: fromArray([1, 1, 2, 2], [1, 1, 1, 1]) })
    assert.ok(E.isLeft(r))
  }
})

test('max_pool2d: invalid shapes and attributes are error values naming the argument', () => {
  const x = fromArray([1, 1, 3, 3], new Float64Array(9))
  const argOf = (attrs: Record<string, unknown>, t: Tensor = x): string | undefined => {
    const a = op.parseAttrs(attrs)
    if (E.isLeft(a)) return a.left.arg
    const r = op.forward(a.right, { x: t })
    return E.isLeft(r) ? r.left.arg : undefined
  }
  assert.is(argOf({}), 'attrs.kernel_size')
  assert.is(argOf({ kernel_size: 4 }), 'attrs.kernel_size')
  assert.is(argOf({ kernel_size: 2, dilation: 3 }), 'attrs.kernel_size') // spans 4 > 3
  assert.is(argOf({ kernel_size: 2, stride: 0 }), 'attrs.stride')
  assert.is(argOf({ kernel_size: 2, count_include_pad: true }), 'attrs.count_include_pad')
  assert.is(argOf({ kernel_size: 2 }, fromArray([1, 3, 3], new Float64Array(9))), 'inputs.x')
  assert.is(argOf({ kernel_size: 2, padding: 3 }), undefined) // beyond half the kernel: allowed (ONNX)
})

test.run()
