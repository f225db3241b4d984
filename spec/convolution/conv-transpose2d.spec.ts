import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as Conv2d from '../../src/convolution/conv2d.ts'
import * as ConvTranspose2d from '../../src/convolution/conv-transpose2d.ts'
import { type Tensor, fromArray, make, sizeOf } from '../../src/core/tensor.ts'
import { all, assertLaw, failed, ok } from '../laws/result.ts'
import { gradientProperty, property } from '../support/property.ts'
import { type ConvTransposeCase, allClose, convTransposeCase } from './arbitraries.ts'
import { abs, absAll, gaussian, grads, guard, run, slice } from './evaluate.ts'
import { readCases, replay } from './fixtures.ts'

const test = suite('conv_transpose2d')

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 })

gradientProperty(test, ConvTranspose2d.op, convTransposeCase().map(({ attrs, inputs }) => ({ attrs, inputs })))

test('conv_transpose2d agrees with PyTorch 1.13 on the pinned cases (torch-cases.jsonl: groups, dilation, output_padding, 4-value cropping)', () => {
  const cases = readCases(new URL('./torch-cases.jsonl', import.meta.url)).filter((c) => c.op === 'conv_transpose2d')
  assert.ok(cases.length >= 12)
  for (const c of cases) assertLaw(replay(ConvTranspose2d.op, c))
})

const convAttrs = (c: ConvTransposeCase) => ({ stride: c.attrs.stride, padding: c.attrs.padding, dilation: c.attrs.dilation, groups: c.attrs.groups })
const terms = (c: ConvTransposeCase, y: Tensor): number => c.inputs.x.data.length + c.inputs.weight.data.length + y.data.length

/** The leading [N, C, H, W] block of t (conv2d of g has floor(op / s) extra rows when output_padding >= stride). */
const cut = (t: Tensor, shape: readonly number[]): Tensor => slice(slice(t, 2, 0, shape[2]), 3, 0, shape[3])

/** t zero-extended at the bottom and right to `shape`. */
const extend = (t: Tensor, shape: readonly number[]): Tensor => {
  const data = new Float64Array(sizeOf(shape))
  const [n, c, h, w] = t.shape
  for (let p = 0; p < n * c; p++) {
    for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) data[(p * shape[2] + i) * shape[3] + j] = t.data[(p * h + i) * w + j]
  }
  return make(shape, data)
}

property(test, "conv_transpose2d's dx is conv2d(g; w) with the same stride, padding, dilation and groups (cut to H x W)", fc.tuple(convTransposeCase(), seed), ([c, s]) => guard(() => {
  const y = run(ConvTranspose2d.op, c.attrs, c.inputs).y
  const g = gaussian(s, y.shape)
  const dx = grads(ConvTranspose2d.op, c.attrs, c.inputs, { y: g }).x
  const xs = c.inputs.x.shape
  const conv = cut(run(Conv2d.op, convAttrs(c), { x: g, weight: c.inputs.weight }).y, xs)
  const convAbs = cut(run(Conv2d.op, convAttrs(c), { x: abs(g), weight: abs(c.inputs.weight) }).y, xs)
  return allClose('dx vs conv2d(g)', dx, conv, convAbs, terms(c, y))
}))

property(test, "conv_transpose2d's dW is conv2d's dW with g as the image and x as the map (the correlation of g with x)", fc.tuple(convTransposeCase(), seed), ([c, s]) => guard(() => {
  const y = run(ConvTranspose2d.op, c.attrs, c.inputs).y
  const g = gaussian(s, y.shape)
  const dW = grads(ConvTranspose2d.op, c.attrs, c.inputs, { y: g }).weight
  const mapShape = run(Conv2d.op, convAttrs(c), { x: g, weight: c.inputs.weight }).y.shape
  const corr = (gg: Tensor, x: Tensor, w: Tensor) => grads(Conv2d.op, convAttrs(c), { x: gg, weight: w }, { y: extend(x, mapShape) }).weight
  return allClose('dW vs correlation(g, x)', dW, corr(g, c.inputs.x, c.inputs.weight), corr(abs(g), abs(c.inputs.x), abs(c.inputs.weight)), terms(c, y))
}))

property(test, 'output size (H - 1) s - p_t - p_b + d (kh - 1) + output_padding + 1, per dimension', convTransposeCase(), (c) => guard(() => {
  const y = run(ConvTranspose2d.op, c.attrs, c.inputs).y
  const { kernel, stride, dilation, pad } = c.geo
  const expected = [0, 1].map((d) => (c.inputs.x.shape[2 + d] - 1) * stride[d] - pad[d] - pad[d + 2] + dilation[d] * (kernel[d] - 1) + c.attrs.output_padding[d] + 1)
  const got = y.shape.slice(2)
  return got[0] === expected[0] && got[1] === expected[1] && y.shape[1] === c.geo.groups * c.geo.cg ? ok : failed(`output [${y.shape}], expected spatial ${expected}`)
}))

property(test, '4-value padding crops the full output: top, left, bottom, right rows and columns removed (ONNX pads)', fc.tuple(convTransposeCase(), seed), ([c, s]) => guard(() => {
  const [t, l] = c.geo.pad
  const full = { ...c.attrs, padding: 0 }
  const y = run(ConvTranspose2d.op, c.attrs, c.inputs).y
  const yFull = run(ConvTranspose2d.op, full, c.inputs).y
  const crop = (u: Tensor) => slice(slice(u, 2, t, t + y.shape[2]), 3, l, l + y.shape[3])
  // the gradient of a crop is the zero-extension of g back into the full output
  const g = gaussian(s, y.shape)
  const gFull = make(yFull.shape, new Float64Array(yFull.data.length))
  for (let p = 0; p < y.shape[0] * y.shape[1]; p++) {
    for (let i = 0; i < y.shape[2]; i++) for (let j = 0; j < y.shape[3]; j++) gFull.data[(p * yFull.shape[2] + i + t) * yFull.shape[3] + j + l] = g.data[(p * y.shape[2] + i) * y.shape[3] + j]
  }
  const a = grads(ConvTranspose2d.op, c.attrs, c.inputs, { y: g })
  const b = grads(ConvTranspose2d.op, full, c.inputs, { y: gFull })
  const bAbs = grads(ConvTranspose2d.op, full, absAll(c.inputs), { y: abs(gFull) })
  const m = terms(c, yFull)
  return all(
    allClose('y', y, crop(yFull), crop(run(ConvTranspose2d.op, full, absAll(c.inputs)).y), m),
    allClose('dx', a.x, b.x, bAbs.x, m),
    allClose('dW', a.weight, b.weight, bAbs.weight, m),
  )
}))

const errorOf = (attrs: Record<string, unknown>, inputs: Record<string, Tensor>): { arg: string } | undefined => {
  const a = ConvTranspose2d.op.parseAttrs(attrs)
  if (E.isLeft(a)) return a.left
  const r = ConvTranspose2d.op.forward(a.right, inputs)
  return E.isLeft(r) ? r.left : undefined
}

test('conv_transpose2d: invalid shapes and attributes are error values naming the argument', () => {
  const z = (s: number[]) => fromArray(s, new Float64Array(s.reduce((p, q) => p * q, 1)))
  const x = z([1, 4, 2, 2])
  const cases: [Record<string, unknown>, Record<string, Tensor>, string][] = [
    [{ stride: 2, output_padding: 2 }, { x, weight: z([4, 1, 3, 3]) }, 'attrs.output_padding'], // not < stride 2 nor < dilation 1
    [{ stride: 1, output_padding: 1 }, { x, weight: z([4, 1, 3, 3]) }, 'attrs.output_padding'],
    [{ stride: [2, 1], output_padding: [1, 1] }, { x, weight: z([4, 1, 3, 3]) }, 'attrs.output_padding'], // width: 1 >= stride 1, dilation 1
    [{ groups: 3 }, { x, weight: z([4, 1, 3, 3]) }, 'attrs.groups'],
    [{}, { x, weight: z([3, 1, 3, 3]) }, 'inputs.weight'], // dimension 0 must be C = 4
    [{ groups: 2 }, { x, weight: z([4, 1, 3, 3]), bias: z([1]) }, 'inputs.bias'], // K = 2 * 1
    [{ padding: [2, 0, 2, 0] }, { x, weight: z([4, 1, 3, 3]) }, 'attrs.padding'], // 4 rows - 4 cropped = 0
    [{}, { x: z([4, 2, 2]), weight: z([4, 1, 3, 3]) }, 'inputs.x'],
  ]
  for (const [attrs, inputs, arg] of cases) {
    const e = errorOf(attrs, inputs)
    assert.ok(e !== undefined, `expected an error for ${JSON.stringify(attrs)}`)
    assert.is(e!.arg, arg)
  }
  // output_padding may reach the stride when it stays below the dilation (PyTorch's "either")
  assert.ok(errorOf({ stride: 1, dilation: 3, output_padding: 2 }, { x, weight: z([4, 1, 2, 2]) }) === undefined)
})

test('conv_transpose2d: output_padding rows receive only the bias when no tap lands there', () => {
  // 1 x 1 input, 1 x 1 kernel, stride 2, output_padding 1: a 2 x 2 output with x w at (0, 0) and b elsewhere
  const a = ConvTranspose2d.op.parseAttrs({ stride: 2, output_padding: 1 })
  assert.ok(E.isRight(a))
  if (E.isRight(a)) {
    const r = ConvTranspose2d.op.forward(a.right, { x: fromArray([1, 1, 1, 1], [3]), weight: fromArray([1, 1, 1, 1], [2]), bias: fromArray([1], [0.5]) })
    assert.ok(E.isRight(r))
    if (E.isRight(r)) assert.equal(Array.from(r.right.outputs.y.data), [6.5, 0.5, 0.5, 0.5])
  }
})

test.run()
