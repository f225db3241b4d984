/**
 * The library's edge (src/index.ts `apply`, src/core/op.ts): whatever comes in
 * from plain JavaScript, the answer is a value, never a throw: malformed
 * tensors, null, a NaN attribute (reported as NaN), an output past the size limit.
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { Tensor, apply, formatError } from '../../src/index.ts'

const test = suite('library edge: tensors validated, errors as values')
const x = Tensor.fromArray([2, 2], [1, -2, 3, -4])

const errorOf = (r: ReturnType<typeof apply>): string => (E.isLeft(r) ? formatError(r.left) : 'no error')

test('malformed tensors are errors naming the input and the problem', () => {
  const cases: [unknown, string][] = [
    [null, 'inputs.x: expected a tensor, got null, not a tensor'],
    [{ dtype: 'float64', shape: [3], data: new Float64Array(2) }, '2 elements of data for shape [3], which holds 3'],
    [{ dtype: 'float16', shape: [1], data: new Float64Array(1) }, 'dtype "float16"'],
    [{ dtype: 'float64', shape: [-1], data: new Float64Array(1) }, 'shape [-1]'],
    [{ dtype: 'float64', shape: [2], data: [1, 2] }, 'not a Float64Array'],
    [{ dtype: 'int64', shape: [1], data: Float64Array.of(0.5) }, 'non-integer 0.5'],
  ]
  for (const [t, text] of cases) assert.match(errorOf(apply('relu', {}, { x: t as Tensor.Tensor })), text)
  assert.match(errorOf(apply('relu', {}, { x }, { y: null as unknown as Tensor.Tensor })), 'cotangents.y: expected a tensor, got null')
  assert.match(errorOf(apply('relu', {}, null as never)), 'inputs: expected an object of named tensors')
})

test('a NaN attribute is reported as NaN, not null', () => {
  assert.match(errorOf(apply('elu', { alpha: NaN }, { x })), 'attrs.alpha: expected a finite number, got NaN')
  assert.match(errorOf(apply('leaky_relu', { negative_slope: -Infinity }, { x })), 'got -Infinity')
})

test('an output past the size limit is an error value (conv_transpose2d, stride 1e5)', () => {
  const r = apply('conv_transpose2d', { stride: 100000 }, { x: Tensor.fromArray([1, 1, 3, 3], new Array(9).fill(1)), weight: Tensor.fromArray([1, 1, 2, 2], [1, 1, 1, 1]) })
  assert.match(errorOf(r), 'outputs hold at most 134217728 elements')
})

test('apply never throws, whatever the arguments (property over junk values)', () => {
  const junk = fc.oneof(fc.constant(null), fc.constant(undefined), fc.double(), fc.string(), fc.object(), fc.array(fc.double()),
    fc.record({ dtype: fc.constantFrom('float64', 'int64', 'bool', 'x'), shape: fc.array(fc.integer({ min: -1, max: 3 }), { maxLength: 3 }), data: fc.array(fc.double(), { maxLength: 9 }).map((a) => Float64Array.from(a)) }))
  fc.assert(fc.property(fc.constantFrom('relu', 'conv2d', 'max_pool2d', 'layer_norm', 'nope'), fc.dictionary(fc.constantFrom('x', 'weight', 'bias'), junk), fc.object(), (op, inputs, attrs) => {
    try { apply(op, attrs, inputs as never) } catch (e) { throw new Error(`apply threw on ${op}: ${(e as Error).message}`) }
  }), { numRuns: 300, seed: 11 })
})

test.run()
