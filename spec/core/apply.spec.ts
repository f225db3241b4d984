import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { apply, Tensor } from '../../src/index.ts'

const test = suite('apply: the one-call entry point')

test('raw attributes, defaults filled in; gradients only when cotangents come', () => {
  const x = Tensor.fromArray([2, 4], [1, 2, 3, 4, 5, 6, 7, 8])
  const f = apply('layer_norm', { normalized_shape: 4 }, { x })
  assert.ok(E.isRight(f) && Object.keys(f.right.gradients).length === 0)
  const g = apply('layer_norm', { normalized_shape: [4] }, { x }, { y: Tensor.ones([2, 4]) })
  // A constant cotangent over a normalized row has zero gradient (the gradient sums to zero and is orthogonal to xhat).
  assert.ok(E.isRight(g) && Array.from(g.right.gradients.x.data).every((v) => Math.abs(v) < 1e-12))
})

test('errors are values naming the op and argument: unknown op, bad attribute, bad input', () => {
  const x = Tensor.fromArray([2], [1, 2])
  const unknown = apply('conv3d', {}, { x })
  assert.ok(E.isLeft(unknown) && unknown.left._tag === 'Unsupported' && unknown.left.op === 'conv3d')
  const attr = apply('softmax', { dim: 3 }, { x })
  assert.ok(E.isLeft(attr) && attr.left.arg === 'attrs.dim')
  const input = apply('linear', {}, { x, weight: Tensor.fromArray([2, 3], [1, 2, 3, 4, 5, 6]) })
  assert.ok(E.isLeft(input) && input.left.arg === 'inputs.weight')
})

test.run()
