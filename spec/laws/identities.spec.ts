/**
 * The exported identity laws, each seen holding on a correct case and failing
 * on a broken one (a law that cannot fail guards nothing).
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { lookup } from '../../src/registry.ts'
import { type Tensor, fromArray, matmul, mT } from '../../src/core/tensor.ts'
import { keyFromSeed, normal, split } from '../../src/core/random.ts'
import { adjoint, agreesWithOracle, exactExpectation, invariant, standardized, sumsTo } from './identities.ts'

const test = suite('identity laws')
const [k1, k2, k3] = split(keyFromSeed(5), 3)
const A = normal(k1, [4, 3]), x = normal(k2, [3, 1]), y = normal(k3, [4, 1])
const softmax = (t: Tensor): Tensor => {
  const r = lookup('softmax')!.forward({ dim: -1 }, { x: t })
  if (E.isLeft(r)) throw new Error('softmax')
  return r.right.outputs.y
}

test('adjoint: <A x, y> = <x, A^T y>; fails for A and a perturbed transpose', () => {
  assert.ok(adjoint((v) => matmul(A, v), (w) => matmul(mT(A), w), x, y).ok)
  const bad = fromArray([3, 4], mT(A).data.map((v, i) => (i === 0 ? v + 0.1 : v)))
  assert.not.ok(adjoint((v) => matmul(A, v), (w) => matmul(bad, w), x, y).ok)
})

test('invariant: softmax under a shift along its axis; fails under a scaling', () => {
  const t = normal(k1, [2, 5])
  assert.ok(invariant(softmax, (v) => fromArray(v.shape, v.data.map((u) => u + 3)), t, 16).ok)
  assert.not.ok(invariant(softmax, (v) => fromArray(v.shape, v.data.map((u) => 2 * u)), t, 16).ok)
})

test('sumsTo: softmax rows sum to 1; the raw logits do not', () => {
  const t = normal(k2, [3, 4])
  assert.ok(sumsTo(softmax(t), -1, 1).ok)
  assert.not.ok(sumsTo(t, -1, 1).ok)
})

test('exactExpectation: inverted dropout over both masks of one unit; fails without the 1/(1-p) scale', () => {
  const p = 0.25, xv = fromArray([1], [2])
  const outcomes = (scale: number) => [{ p: 1 - p, value: fromArray([1], [2 * scale]) }, { p, value: fromArray([1], [0]) }]
  assert.ok(exactExpectation(outcomes(1 / (1 - p)), xv).ok)
  assert.not.ok(exactExpectation(outcomes(1), xv).ok)
})

test('standardized: layer norm output has mean 0 and variance 1 per row; its input does not', () => {
  const t = normal(k3, [3, 6])
  const r = lookup('layer_norm')!.forward({ normalized_shape: [6], axis: undefined, eps: 0 }, { x: t })
  assert.ok(E.isRight(r))
  if (E.isRight(r)) assert.ok(standardized(r.right.outputs.y, 1).ok)
  assert.not.ok(standardized(fromArray(t.shape, t.data.map((v) => 2 * v + 1)), 1).ok)
})

test("agreesWithOracle: the oracle's own relu agrees; a leaky variant does not", () => {
  const t = fromArray([3], [-1, 0.5, 2])
  assert.ok(agreesWithOracle('relu', {}, { x: t }, { outputs: { y: fromArray([3], [0, 0.5, 2]) } }).ok)
  assert.not.ok(agreesWithOracle('relu', {}, { x: t }, { outputs: { y: fromArray([3], [-0.01, 0.5, 2]) } }).ok)
})

test.run()
