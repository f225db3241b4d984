import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as LeakyRelu from '../../src/activations/leaky-relu.ts'
import * as Prelu from '../../src/activations/prelu.ts'
import { vjp } from '../../src/core/op.ts'
import { type Tensor, fromArray, scalar } from '../../src/core/tensor.ts'
import { failed, ok } from '../laws/result.ts'
import { gradientProperty, property } from '../support/property.ts'
import { PIN_RTOL, spreadTensorOf, valueAndDerivative } from './support.ts'

const test = suite('prelu')

/** x of rank 0..4 (dims 1..3), weight [C] (x's axis 1) or a shared [1]; rank < 2 only [1]. */
const cases = fc.record({
  rank: fc.integer({ min: 0, max: 4 }),
  dims: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 4, maxLength: 4 }),
  shared: fc.boolean(),
}).chain(({ rank, dims, shared }) => {
  const sh = dims.slice(0, rank)
  return fc.record({ x: spreadTensorOf(sh, { kinks: [0] }), weight: spreadTensorOf(rank >= 2 && !shared ? [sh[1]] : [1]) })
}).map((inputs) => ({ attrs: {}, inputs }))

// x and weight both: dweight sums g x over every non-channel position.
gradientProperty(test, Prelu.op, cases)

const run = (x: Tensor, weight: Tensor, g: Tensor) => {
  const r = vjp(Prelu.op, {}, { x, weight }, { y: g })
  if (E.isLeft(r)) throw new Error(JSON.stringify(r.left))
  return r.right
}

/**
 * Per element, prelu is leaky_relu with its channel's slope: the same value
 * and the same derivative (both are one multiplication, so exactly equal).
 */
property(test, 'prelu is leaky_relu with negative_slope = the channel weight, element by element', cases, ({ inputs: { x, weight } }) => {
  const r = run(x, weight, fromArray(x.shape, new Array(x.data.length).fill(1)))
  const inner = x.shape.slice(2).reduce((a, b) => a * b, 1)
  for (let p = 0; p < x.data.length; p++) {
    const c = weight.data.length === 1 ? 0 : Math.floor(p / inner) % weight.data.length
    const l = valueAndDerivative(LeakyRelu.op, { negative_slope: weight.data[c] }, [x.data[p]])
    if (r.outputs.y.data[p] !== l.y[0] || r.gradients.x.data[p] !== l.dx[0]) {
      return failed(`x[${p}] = ${x.data[p]}, w = ${weight.data[c]}: prelu ${r.outputs.y.data[p]} / ${r.gradients.x.data[p]}, leaky_relu ${l.y[0]} / ${l.dx[0]}`)
    }
  }
  return ok
})

test("prelu at 0 takes the weight's slope: dx = w_c g, and x = 0 adds nothing to dweight", () => {
  const x = fromArray([2, 3, 1], [0, 0, 0, -0, 0, 0])
  const w = fromArray([3], [0.25, -0.5, 1.5])
  const r = run(x, w, fromArray([2, 3, 1], [1, 1, 1, 2, 2, 2]))
  assert.equal(Array.from(r.gradients.x.data), [0.25, -0.5, 1.5, 0.5, -1, 3])
  assert.equal(Array.from(r.gradients.weight.data), [0, 0, 0])
})

test('prelu: a weight that fits neither [C] nor [1] is an error value naming inputs.weight', () => {
  const bad = (x: Tensor, weight: Tensor) => {
    const r = Prelu.op.forward({}, { x, weight })
    assert.ok(E.isLeft(r) && r.left.arg === 'inputs.weight', `accepted x ${x.shape}, weight ${weight.shape}`)
  }
  bad(fromArray([2, 3], [1, 2, 3, 4, 5, 6]), fromArray([2], [1, 2])) // C = 3
  bad(fromArray([3], [1, 2, 3]), fromArray([3], [1, 2, 3])) // rank 1: no channel axis
  bad(fromArray([2, 3], [1, 2, 3, 4, 5, 6]), fromArray([1, 3], [1, 2, 3])) // weight must be rank 1
  assert.ok(E.isRight(Prelu.op.forward({}, { x: scalar(-2), weight: fromArray([1], [0.3]) })))
})

// PyTorch 1.13.1 float64: F.prelu(x, w).backward(g).
const X = fromArray([2, 3, 2], [-1.5, 0.0, 2.0, -0.25, -3.0, 0.5, 0.75, -2.0, 0.0, -1.0, 1.25, -0.5])
const G = fromArray([2, 3, 2], [0.5, -1.0, 1.5, 2.0, -0.75, 1.0, 2.0, 0.25, -1.25, 0.5, 1.0, -2.0])
const near = (a: ArrayLike<number>, e: readonly number[]) => e.every((v, i) => Math.abs(a[i] - v) <= PIN_RTOL * Math.abs(v))
test('prelu: values and gradients (x and weight) pinned against PyTorch 1.13', () => {
  let r = run(X, fromArray([3], [0.25, -0.5, 1.5]), G)
  assert.ok(near(r.outputs.y.data, [-0.375, 0.0, 2.0, 0.125, -4.5, 0.5, 0.75, -0.5, -0.0, 0.5, 1.25, -0.75]), 'y per channel')
  assert.ok(near(r.gradients.x.data, [0.125, -0.25, 1.5, -1.0, -1.125, 1.0, 2.0, 0.0625, 0.625, -0.25, 1.0, -3.0]), 'dx per channel')
  assert.ok(near(r.gradients.weight.data, [-1.25, -1.0, 3.25]), `dweight per channel: ${r.gradients.weight.data}`)
  r = run(X, fromArray([1], [0.1]), G)
  assert.ok(near(r.outputs.y.data, [-0.15000000000000002, 0.0, 2.0, -0.025, -0.30000000000000004, 0.5, 0.75, -0.2, 0.0, -0.1, 1.25, -0.05]), 'y shared')
  assert.ok(near(r.gradients.x.data, [0.05, -0.1, 1.5, 0.2, -0.07500000000000001, 1.0, 2.0, 0.025, -0.125, 0.05, 1.0, -0.2]), 'dx shared')
  assert.ok(near(r.gradients.weight.data, [1.0]), `dweight shared: ${r.gradients.weight.data}`)
  r = run(fromArray([3], [-2, 0, 3]), fromArray([1], [0.3]), fromArray([3], [1, 2, 3]))
  assert.ok(near(r.outputs.y.data, [-0.6, 0.0, 3.0]) && near(r.gradients.x.data, [0.3, 0.6, 3.0]) && near(r.gradients.weight.data, [-2.0]), 'rank 1')
  r = run(fromArray([1, 2], [NaN, -1]), fromArray([1], [0.3]), fromArray([1, 2], [1, 1]))
  assert.ok(Number.isNaN(r.outputs.y.data[0]) && r.gradients.x.data[0] === 0.3 && Number.isNaN(r.gradients.weight.data[0]), 'NaN: slope branch, NaN dweight')
})

test.run()
