import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as AvgPool2d from '../../src/pooling/avg-pool2d.ts'
import * as Conv2d from '../../src/convolution/conv2d.ts'
import { type Tensor, fromArray, full } from '../../src/core/tensor.ts'
import { all, assertLaw, failed, ok } from '../laws/result.ts'
import { gradientProperty, property } from '../support/property.ts'
import { allClose } from '../convolution/arbitraries.ts'
import { abs, gaussian, grads, guard, run } from '../convolution/evaluate.ts'
import { readCases, replay } from '../convolution/fixtures.ts'
import { type PoolGeometry, anyValues, poolAttrs, poolGeometry, shapeOf } from './arbitraries.ts'

const test = suite('avg_pool2d')

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 })
const op = AvgPool2d.op

/** avg_pool2d has no dilation attribute (PyTorch has none). */
const geometry = (maxPad = 3) => poolGeometry({ maxPad, dilation: false })
const attrsOf = (g: PoolGeometry, countIncludePad: boolean) => ({ ...poolAttrs(g, false), count_include_pad: countIncludePad })

const avgCase = fc.tuple(geometry(), fc.boolean()).chain(([g, cip]) => anyValues(shapeOf(g)).map((x) => ({ attrs: attrsOf(g, cip), inputs: { x } })))

gradientProperty(test, op, avgCase)

test('avg_pool2d agrees with PyTorch 1.13 on the pinned cases (torch-cases.jsonl: divisors under ceil_mode and count_include_pad, asymmetric padding)', () => {
  const cases = readCases(new URL('./torch-cases.jsonl', import.meta.url)).filter((c) => c.op === 'avg_pool2d')
  assert.ok(cases.length >= 12)
  for (const c of cases) assertLaw(replay(op, c))
})

/**
 * Without ceil_mode every window lies inside the padded input, so with
 * count_include_pad (or no padding at all) its divisor is kh kw: the pool is a
 * depthwise convolution (groups = C) by the constant kernel 1/(kh kw), zero padding alike.
 */
property(test, 'average pooling is a depthwise convolution by the constant kernel 1/(kh kw) when count_include_pad or no padding (floor mode): y and dx',
  fc.record({ g: geometry(), noPad: fc.boolean(), cipDrawn: fc.boolean(), s: seed }).chain(({ g, noPad, cipDrawn, s }) => {
    const bare = noPad ? { ...g, pad: [0, 0, 0, 0] as [number, number, number, number], padAttr: 0, h: Math.max(g.h, g.kernel[0]), w: Math.max(g.w, g.kernel[1]) } : g
    const geo = { ...bare, ceil: false }
    return anyValues(shapeOf(geo)).map((x) => ({ g: geo, x, s, cip: noPad ? cipDrawn : true }))
  }), ({ g, x, s, cip }) => guard(() => {
    const [kh, kw] = g.kernel
    const weight = full([g.c, 1, kh, kw], 1 / (kh * kw))
    const convAttrs = { stride: [...(g.stride ?? g.kernel)], padding: [...g.pad], groups: g.c }
    const y = run(op, attrsOf(g, cip), { x }).y
    const cot = gaussian(s, y.shape)
    const m = kh * kw + y.data.length
    return all(
      allClose('y', y, run(Conv2d.op, convAttrs, { x, weight }).y, run(Conv2d.op, convAttrs, { x: abs(x), weight }).y, m),
      allClose('dx', grads(op, attrsOf(g, cip), { x }, { y: cot }).x, grads(Conv2d.op, convAttrs, { x, weight }, { y: cot }).x, grads(Conv2d.op, convAttrs, { x: abs(x), weight }, { y: abs(cot) }).x, m),
    )
  }))

property(test, 'count_include_pad false is the sum over real cells / their count = avg_incl(x) / avg_incl(1), on every non-empty window (ceil_mode too)',
  geometry().chain((g) => anyValues(shapeOf(g)).map((x) => ({ g, x }))), ({ g, x }) => guard(() => {
    const excl = run(op, attrsOf(g, false), { x }).y
    const incl = run(op, attrsOf(g, true), { x }).y
    const inclAbs = run(op, attrsOf(g, true), { x: abs(x) }).y
    const ones = run(op, attrsOf(g, true), { x: full(x.shape, 1) }).y
    const plane = excl.shape[2] * excl.shape[3]
    for (let o = 0; o < excl.data.length; o++) {
      const frac = ones.data[o % plane] // real cells / D_incl, the same in every channel
      if (frac === 0) {
        if (excl.data[o] !== 0) return failed(`empty window ${o} gives ${excl.data[o]}, expected 0`)
        continue
      }
      // both sides are a sum of <= 9 terms divided once or twice: 16 EPS64 relative to the |x|
      // average, plus the absolute error MIN_VALUE of each of the <= 2 roundings that can
      // underflow, magnified by the final division by frac
      const expected = incl.data[o] / frac, tol = 16 * Number.EPSILON * (inclAbs.data[o] / frac) + 2 * Number.MIN_VALUE / frac
      if (!(Math.abs(excl.data[o] - expected) <= tol)) return failed(`y[${o}] = ${excl.data[o]}, sum / count = ${expected}`)
    }
    return ok
  }))

const run1 = (attrs: Record<string, unknown>, x: Tensor): number[] => Array.from(run(op, attrs, { x }).y.data)
const near = (a: number[], e: number[]) => {
  assert.is(a.length, e.length)
  a.forEach((v, i) => assert.ok(Math.abs(v - e[i]) <= 1e-15 * Math.max(1, Math.abs(e[i])), `[${i}] ${v} vs ${e[i]}`))
}

test('divisor with ceil_mode: padding cells count under count_include_pad, the overhang past the end padding never does', () => {
  // 1..16 as 4 x 4, kernel 3, stride 2, padding 1, ceil_mode (conventions.md 1.5, PyTorch 1.13 and ORT 1.30 agree):
  // last row of windows covers rows 3..5, row 4 is padding (counted), row 5 overhang (not): divisor 2 rows
  const x = fromArray([1, 1, 4, 4], Array.from({ length: 16 }, (_, i) => i + 1))
  near(run1({ kernel_size: 3, stride: 2, padding: 1, ceil_mode: true }, x), [14 / 9, 30 / 9, 12 / 6, 57 / 9, 99 / 9, 36 / 6, 27 / 6, 45 / 6, 16 / 4])
  near(run1({ kernel_size: 3, stride: 2, padding: 1, ceil_mode: true, count_include_pad: false }, x), [3.5, 5, 6, 9.5, 11, 12, 13.5, 15, 16])
})

test('padding beyond half the kernel: a window wholly in padding averages to 0 under both count_include_pad settings', () => {
  const x = fromArray([1, 1, 1, 1], [6])
  near(run1({ kernel_size: 1, padding: 1 }, x), [0, 0, 0, 0, 6, 0, 0, 0, 0])
  near(run1({ kernel_size: 1, padding: 1, count_include_pad: false }, x), [0, 0, 0, 0, 6, 0, 0, 0, 0])
  // kernel 2, padding 2: floor((1 + 4 - 2) / 2) + 1 = 2 windows per side, starting at -2 (all padding) and 0 (x and a padding cell)
  near(run1({ kernel_size: 2, padding: 2 }, x), [0, 0, 0, 6 / 4])
})

test('stride defaults to kernel_size; asymmetric padding [top, left, bottom, right]', () => {
  const x = fromArray([1, 1, 4, 4], Array.from({ length: 16 }, (_, i) => i))
  assert.equal(run(op, { kernel_size: 2 }, { x }).y.shape, [1, 1, 2, 2])
  // padding [1, 0, 0, 0]: rows -1..0 and 1..2 (row 3 dropped by floor); count_include_pad divides by 4
  near(run1({ kernel_size: 2, padding: [1, 0, 0, 0] }, x), [(0 + 1) / 4, (2 + 3) / 4, (4 + 5 + 8 + 9) / 4, (6 + 7 + 10 + 11) / 4])
  near(run1({ kernel_size: 2, padding: [1, 0, 0, 0], count_include_pad: false }, x), [(0 + 1) / 2, (2 + 3) / 2, (4 + 5 + 8 + 9) / 4, (6 + 7 + 10 + 11) / 4])
})

test('avg_pool2d: invalid shapes and attributes are error values naming the argument', () => {
  const x = fromArray([1, 1, 3, 3], new Float64Array(9))
  const argOf = (attrs: Record<string, unknown>, t: Tensor = x): string | undefined => {
    const a = op.parseAttrs(attrs)
    if (E.isLeft(a)) return a.left.arg
    const r = op.forward(a.right, { x: t })
    return E.isLeft(r) ? r.left.arg : undefined
  }
  assert.is(argOf({}), 'attrs.kernel_size')
  assert.is(argOf({ kernel_size: 4 }), 'attrs.kernel_size')
  assert.is(argOf({ kernel_size: 2, dilation: 2 }), 'attrs.dilation') // not an avg_pool2d attribute
  assert.is(argOf({ kernel_size: 2, divisor_override: 2 }), 'attrs.divisor_override')
  assert.is(argOf({ kernel_size: 2, count_include_pad: 2 }), 'attrs.count_include_pad') // 0/1 are accepted as flags (ONNX)
  assert.is(argOf({ kernel_size: 2 }, fromArray([3, 3], new Float64Array(9))), 'inputs.x')
})

test.run()
