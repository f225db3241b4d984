import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as Conv2d from '../../src/convolution/conv2d.ts'
import * as ConvTranspose2d from '../../src/convolution/conv-transpose2d.ts'
import * as Linear from '../../src/layers/linear.ts'
import { vjp } from '../../src/core/op.ts'
import { type Tensor, dot, fromArray, make, reshape, transpose } from '../../src/core/tensor.ts'
import { tensorOf } from '../laws/arbitraries.ts'
import { all, assertLaw, failed, ok } from '../laws/result.ts'
import { EPS64 } from '../laws/tolerance.ts'
import { gradientProperty, property } from '../support/property.ts'
import { type ConvCase, allClose, conv2dCase, geometry } from './arbitraries.ts'
import { abs, absAll, concat, gaussian, grads, guard, run, slice } from './evaluate.ts'
import { readCases, replay } from './fixtures.ts'

const test = suite('conv2d')

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 })

gradientProperty(test, Conv2d.op, conv2dCase().map(({ attrs, inputs }) => ({ attrs, inputs })))

test('conv2d agrees with PyTorch 1.13 on the pinned cases (torch-cases.jsonl: groups, dilation, asymmetric padding, strides)', () => {
  const cases = readCases(new URL('./torch-cases.jsonl', import.meta.url)).filter((c) => c.op === 'conv2d')
  assert.ok(cases.length >= 12)
  for (const c of cases) assertLaw(replay(Conv2d.op, c))
})

/** output_padding r = (H + p_t + p_b - d (k - 1) - 1) mod s per dimension: the rows conv2d's floor dropped. */
const restoring = (c: ConvCase): number[] => {
  const g = c.geo, hw = [c.inputs.x.shape[2], c.inputs.x.shape[3]]
  return [0, 1].map((d) => (hw[d] + g.pad[d] + g.pad[d + 2] - g.dilation[d] * (g.kernel[d] - 1) - 1) % g.stride[d])
}
const transposeAttrs = (c: ConvCase) => ({ ...c.attrs, output_padding: restoring(c) })

/** Sizes bounding the number of terms in any one sum of a conv2d and its VJP. */
const terms = (c: ConvCase, y: Tensor): number => c.inputs.x.data.length + c.inputs.weight.data.length + y.data.length

property(test, 'conv_transpose2d is the adjoint of conv2d: <conv2d(x; w), v> = <x, conv_transpose2d(v; w)>', fc.tuple(conv2dCase(), seed), ([c, s]) => guard(() => {
  const { x, weight } = c.inputs
  const y = run(Conv2d.op, c.attrs, { x, weight }).y
  const v = gaussian(s, y.shape)
  const u = run(ConvTranspose2d.op, transposeAttrs(c), { x: v, weight }).y
  if (u.shape.join() !== x.shape.join()) return failed(`conv_transpose2d gives [${u.shape}], x is [${x.shape}]`)
  const lhs = dot(y, v), rhs = dot(x, u)
  // Both sides are the same M <= |y| |w| products summed in two orders:
  // 2 (M + 1) EPS64 sum |terms| + M MIN_VALUE for underflow (./arbitraries.ts, allClose).
  const sAbs = dot(run(Conv2d.op, c.attrs, { x: abs(x), weight: abs(weight) }).y, abs(v))
  const M = y.data.length * weight.data.length
  const tol = 2 * (M + 1) * EPS64 * sAbs + M * Number.MIN_VALUE
  return Math.abs(lhs - rhs) <= tol ? ok : failed(`<conv2d(x), v> = ${lhs}, <x, conv_transpose2d(v)> = ${rhs}, |diff| > ${tol}`)
}))

property(test, "conv2d's dx is conv_transpose2d(g; w) with the same attributes and output_padding restoring H, W", fc.tuple(conv2dCase(), seed), ([c, s]) => guard(() => {
  const y = run(Conv2d.op, c.attrs, c.inputs).y
  const g = gaussian(s, y.shape)
  const dx = grads(Conv2d.op, c.attrs, c.inputs, { y: g }).x
  const u = run(ConvTranspose2d.op, transposeAttrs(c), { x: g, weight: c.inputs.weight }).y
  const uAbs = run(ConvTranspose2d.op, transposeAttrs(c), { x: abs(g), weight: abs(c.inputs.weight) }).y
  return allClose('dx vs conv_transpose2d(g)', dx, u, uAbs, terms(c, y))
}))

/**
 * dW[k, c', i, j] = sum_{n, oh, ow} x[n, c, oh s - p + i d] g[n, k, oh, ow], per group:
 * conv2d of x^T [C/G, N, H, W] by g^T [K/G, N, H_out, W_out] as the weight, with
 * stride and dilation exchanged, gives [C/G, K/G, >= kh, >= kw]; its leading kh x kw block, transposed, is dW.
 */
const correlation = (c: ConvCase, g: Tensor, x: Tensor): Tensor => {
  const { groups, cg, kg, kernel, stride, dilation, pad } = c.geo
  const blocks = Array.from({ length: groups }, (_, gi) => {
    const xs = transpose(slice(x, 1, gi * cg, (gi + 1) * cg), [1, 0, 2, 3])
    const gs = transpose(slice(g, 1, gi * kg, (gi + 1) * kg), [1, 0, 2, 3])
    const z = run(Conv2d.op, { stride: dilation, dilation: stride, padding: [...pad] }, { x: xs, weight: gs }).y
    return slice(slice(transpose(z, [1, 0, 2, 3]), 2, 0, kernel[0]), 3, 0, kernel[1])
  })
  return concat(blocks, 0)
}

property(test, "conv2d's dW is the correlation of x with g (a conv2d of x^T by g^T, stride and dilation exchanged)", fc.tuple(conv2dCase(), seed), ([c, s]) => guard(() => {
  const y = run(Conv2d.op, c.attrs, c.inputs).y
  const g = gaussian(s, y.shape)
  const dW = grads(Conv2d.op, c.attrs, c.inputs, { y: g }).weight
  return allClose('dW vs correlation(x, g)', dW, correlation(c, g, c.inputs.x), correlation(c, abs(g), abs(c.inputs.x)), terms(c, y))
}))

const nhwc = (t: Tensor): Tensor => transpose(t, [0, 2, 3, 1])
const nchw = (t: Tensor): Tensor => transpose(t, [0, 3, 1, 2])

const oneByOne = fc.record({ n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 4 }), k: fc.integer({ min: 1, max: 4 }), h: fc.integer({ min: 1, max: 3 }), w: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 1, max: 3 }), bias: fc.boolean(), s: seed })
  .chain(({ n, c, k, h, w, d, bias, s }) => fc.record({ x: tensorOf([n, c, h, w]), weight: tensorOf([k, c, 1, 1]), ...(bias ? { bias: tensorOf([k]) } : {}) })
    .map((inputs) => ({ inputs, d, s })))

property(test, 'a 1x1 convolution is linear over channels at every pixel (any dilation), forward and VJP', oneByOne, ({ inputs, d, s }) => guard(() => {
  const { x, weight, bias } = inputs
  const [n, c, h, w] = x.shape, k = weight.shape[0]
  const conv = (ins: typeof inputs) => run(Conv2d.op, { dilation: d }, ins).y
  const lin = (ins: typeof inputs) => nchw(run(Linear.op, {}, { x: nhwc(ins.x), weight: reshape(ins.weight, [k, c]), bias: ins.bias }).y)
  const g = gaussian(s, [n, k, h, w])
  const cg = grads(Conv2d.op, { dilation: d }, inputs, { y: g })
  const lg = grads(Linear.op, {}, { x: nhwc(x), weight: reshape(weight, [k, c]), bias }, { y: nhwc(g) })
  const lgAbs = grads(Linear.op, {}, { x: nhwc(abs(x)), weight: reshape(abs(weight), [k, c]), bias: bias && abs(bias) }, { y: nhwc(abs(g)) })
  const m = c + k + n * h * w
  return all(
    allClose('y', conv(inputs), lin(inputs), lin(absAll(inputs)), m),
    allClose('dx', cg.x, nchw(lg.x), nchw(lgAbs.x), m),
    allClose('dW', cg.weight, reshape(lg.weight, [k, c, 1, 1]), reshape(lgAbs.weight, [k, c, 1, 1]), m),
    bias ? allClose('db', cg.bias, lg.bias, lgAbs.bias, m) : ok,
  )
}))

/** The kernel with d - 1 zeros between taps: [K, C/G, d_h (kh - 1) + 1, d_w (kw - 1) + 1]. */
const dilateKernel = (w: Tensor, [dh, dw]: readonly number[]): Tensor => {
  const [k, cg, kh, kw] = w.shape
  const KH = dh * (kh - 1) + 1, KW = dw * (kw - 1) + 1
  const data = new Float64Array(k * cg * KH * KW)
  for (let p = 0; p < k * cg; p++) {
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) data[(p * KH + i * dh) * KW + j * dw] = w.data[(p * kh + i) * kw + j]
  }
  return make([k, cg, KH, KW], data)
}

/** The taps of a dilated-size kernel gradient that the dilated kernel has. */
const undilate = (w: Tensor, [dh, dw]: readonly number[], kh: number, kw: number): Tensor => {
  const [k, cg, KH, KW] = w.shape
  const data = new Float64Array(k * cg * kh * kw)
  for (let p = 0; p < k * cg; p++) {
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) data[(p * kh + i) * kw + j] = w.data[(p * KH + i * dh) * KW + j * dw]
  }
  return make([k, cg, kh, kw], data)
}

property(test, 'dilated convolution is convolution with the zero-dilated kernel (y, dx, db; dW at the kernel taps)', fc.tuple(conv2dCase(), seed), ([c, s]) => guard(() => {
  const { x, weight, bias } = c.inputs
  const big = { x, weight: dilateKernel(weight, c.geo.dilation), bias }
  const plain = { ...c.attrs, dilation: [1, 1] }
  const y = run(Conv2d.op, c.attrs, c.inputs).y
  const g = gaussian(s, y.shape)
  const a = grads(Conv2d.op, c.attrs, c.inputs, { y: g })
  const b = grads(Conv2d.op, plain, big, { y: g })
  const bAbs = grads(Conv2d.op, plain, absAll(big), { y: abs(g) })
  const m = terms(c, y) + big.weight.data.length
  return all(
    allClose('y', y, run(Conv2d.op, plain, big).y, run(Conv2d.op, plain, absAll(big)).y, m),
    allClose('dx', a.x, b.x, bAbs.x, m),
    allClose('dW', a.weight, undilate(b.weight, c.geo.dilation, ...c.geo.kernel), undilate(bAbs.weight, c.geo.dilation, ...c.geo.kernel), m),
    bias ? allClose('db', a.bias, b.bias, bAbs.bias, m) : ok,
  )
}))

property(test, 'groups = C is a depthwise convolution: each channel convolved alone by its K/C filters (y, dx, dW, db)', fc.tuple(conv2dCase(geometry().map((g) => ({ ...g, cg: 1 }))), seed), ([c, s]) => guard(() => {
  const { x, weight, bias } = c.inputs
  const C = x.shape[1], m = c.geo.kg
  const alone = { ...c.attrs, groups: 1 }
  const parts = Array.from({ length: C }, (_, ch) => ({
    x: slice(x, 1, ch, ch + 1), weight: slice(weight, 0, ch * m, (ch + 1) * m), bias: bias && slice(bias, 0, ch * m, (ch + 1) * m),
  }))
  const y = run(Conv2d.op, c.attrs, c.inputs).y
  const g = gaussian(s, y.shape)
  const whole = grads(Conv2d.op, c.attrs, c.inputs, { y: g })
  const each = parts.map((p, ch) => ({ y: run(Conv2d.op, alone, p).y, ...grads(Conv2d.op, alone, p, { y: slice(g, 1, ch * m, (ch + 1) * m) }) }))
  const eachAbs = parts.map((p, ch) => ({ y: run(Conv2d.op, alone, absAll(p)).y, ...grads(Conv2d.op, alone, absAll(p), { y: slice(abs(g), 1, ch * m, (ch + 1) * m) }) }))
  const cat = (k: 'y' | 'x' | 'weight' | 'bias', from: readonly Record<string, Tensor>[], axis: number) => concat(from.map((e) => e[k]), axis)
  const n = terms(c, y)
  return all(
    allClose('y', y, cat('y', each, 1), cat('y', eachAbs, 1), n),
    allClose('dx', whole.x, cat('x', each, 1), cat('x', eachAbs, 1), n),
    allClose('dW', whole.weight, cat('weight', each, 0), cat('weight', eachAbs, 0), n),
    bias ? allClose('db', whole.bias, cat('bias', each, 0), cat('bias', eachAbs, 0), n) : ok,
  )
}))

const sizeCase = fc.record({
  l: fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 })), k: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
  p: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })), s: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
})

property(test, 'output size (W + 2P - K) / S + 1, floored, for symmetric padding; an error value when the kernel does not fit', sizeCase, ({ l, k, p, s }) => {
  const r = Conv2d.op.forward({ stride: s, padding: [p[0], p[1], p[0], p[1]], dilation: [1, 1], groups: 1 }, { x: fromArray([1, 1, ...l], new Float64Array(l[0] * l[1])), weight: fromArray([1, 1, ...k], new Float64Array(k[0] * k[1])) })
  const span = [0, 1].map((d) => l[d] + 2 * p[d] - k[d])
  if (span.some((v) => v < 0)) return E.isLeft(r) && r.left.arg === 'inputs.x' ? ok : failed(`expected an error value naming inputs.x, got ${JSON.stringify(E.isLeft(r) ? r.left : r.right.outputs.y.shape)}`)
  if (E.isLeft(r)) return failed(JSON.stringify(r.left))
  const expected = span.map((v, d) => (v % s[d] === 0 ? v / s[d] + 1 : Math.floor(v / s[d]) + 1))
  const got = r.right.outputs.y.shape.slice(2)
  return got[0] === expected[0] && got[1] === expected[1] ? ok : failed(`output ${got}, expected ${expected}`)
})

const x1 = fromArray([1, 4, 3, 3], Array.from({ length: 36 }, (_, i) => i / 10))
const errorOf = (attrs: Record<string, unknown>, inputs: Record<string, Tensor>): { arg: string; expected: string } | undefined => {
  const a = Conv2d.op.parseAttrs(attrs)
  if (E.isLeft(a)) return a.left
  const r = Conv2d.op.forward(a.right, inputs)
  return E.isLeft(r) ? r.left : undefined
}

test('conv2d: invalid shapes and attributes are error values naming the argument', () => {
  const w = (s: number[]) => fromArray(s, new Float64Array(s.reduce((p, q) => p * q, 1)))
  const cases: [Record<string, unknown>, Record<string, Tensor>, string][] = [
    [{ groups: 3 }, { x: x1, weight: w([3, 1, 2, 2]) }, 'attrs.groups'], // C = 4 not divisible by 3
    [{ groups: 2 }, { x: x1, weight: w([3, 2, 2, 2]) }, 'inputs.weight'], // K = 3 not divisible by 2
    [{ groups: 2 }, { x: x1, weight: w([2, 4, 2, 2]) }, 'inputs.weight'], // dimension 1 must be C/groups = 2
    [{}, { x: x1, weight: w([2, 3, 2, 2]) }, 'inputs.weight'], // channel mismatch
    [{}, { x: x1, weight: w([2, 4, 2, 2]), bias: w([3]) }, 'inputs.bias'],
    [{}, { x: w([4, 3, 3]), weight: w([2, 4, 2, 2]) }, 'inputs.x'], // unbatched
    [{}, { x: x1, weight: w([2, 4, 4, 2]) }, 'inputs.x'], // kernel taller than the input
    [{ dilation: 2 }, { x: x1, weight: w([2, 4, 3, 3]) }, 'inputs.x'], // dilated kernel 5 x 5 > 3 x 3
    [{ stride: 0 }, { x: x1, weight: w([2, 4, 2, 2]) }, 'attrs.stride'],
    [{ padding: [1, 2, 3] }, { x: x1, weight: w([2, 4, 2, 2]) }, 'attrs.padding'],
    [{ padding: -1 }, { x: x1, weight: w([2, 4, 2, 2]) }, 'attrs.padding'],
    [{ groups: 0 }, { x: x1, weight: w([2, 4, 2, 2]) }, 'attrs.groups'],
  ]
  for (const [attrs, inputs, arg] of cases) {
    const e = errorOf(attrs, inputs)
    assert.ok(e !== undefined, `expected an error for ${JSON.stringify(attrs)} ${Object.values(inputs).map((t) => `[${t.shape}]`)}`)
    assert.is(e!.arg, arg)
  }
  assert.ok(errorOf({ padding: [0, 1, 2, 0] }, { x: x1, weight: w([2, 4, 3, 3]) }) === undefined) // 4-value padding: (3+2-3)+1 x (3+1-3)+1
})

test('conv2d: asymmetric padding [top, left, bottom, right] pads each side by its own amount', () => {
  // a 1 x 1 input and a 2 x 2 kernel of ones: each output is x where its window holds the pixel
  const r = Conv2d.op.forward({ stride: [1, 1], padding: [1, 0, 0, 1], dilation: [1, 1], groups: 1 }, { x: fromArray([1, 1, 1, 1], [5]), weight: fromArray([1, 1, 2, 2], [1, 2, 3, 4]) })
  assert.ok(E.isRight(r))
  if (E.isRight(r)) {
    assert.equal(r.right.outputs.y.shape, [1, 1, 1, 1])
    assert.equal(Array.from(r.right.outputs.y.data), [5 * 3]) // x sits under tap (1, 0) of a window starting one row up
  }
})

test('conv2d: forward and backward leave their inputs untouched', () => {
  const x = fromArray([1, 2, 3, 3], Array.from({ length: 18 }, (_, i) => i - 9))
  const weight = fromArray([2, 2, 2, 2], Array.from({ length: 16 }, (_, i) => i / 4))
  const bias = fromArray([2], [1, -1])
  const before = [x, weight, bias].map((t) => Array.from(t.data))
  const attrs = Conv2d.op.parseAttrs({ padding: 1, stride: 2 })
  assert.ok(E.isRight(attrs))
  if (E.isRight(attrs)) {
    const r = vjp(Conv2d.op, attrs.right, { x, weight, bias }, { y: fromArray([1, 2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]) })
    assert.ok(E.isRight(r))
  }
  assert.equal([x, weight, bias].map((t) => Array.from(t.data)), before)
})

test.run()
