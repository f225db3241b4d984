/**
 * Errors are values at every public entry point of src/second-order: bad
 * configurations, mismatched gradients, singular Hessians, failing closures.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { fromArray } from '../../src/core/tensor.ts'
import { Bfgs, Hessian, Newton } from '../../src/second-order/index.ts'

const test = suite('second-order: errors as values')
const p = { x: fromArray([2], [1, 2]) }

test('newton: a singular Hessian is an error naming the fix; damping makes it solvable; bad config refused', () => {
  const singular = Newton.newton({ hessian: () => E.right(Float64Array.of(1, 1, 1, 1)) })
  if (E.isLeft(singular)) return assert.unreachable()
  const r = singular.right.update({ x: fromArray([2], [1, 1]) }, null, p)
  assert.ok(E.isLeft(r) && r.left.hint?.includes('damping'))
  const damped = Newton.newton({ hessian: () => E.right(Float64Array.of(1, 1, 1, 1)), damping: 0.5 })
  if (E.isLeft(damped)) return assert.unreachable()
  assert.ok(E.isRight(damped.right.update({ x: fromArray([2], [1, 1]) }, null, p)))
  assert.ok(E.isLeft(Newton.newton({ hessian: () => E.right(new Float64Array(4)), damping: -1 })))
  assert.ok(E.isLeft(Newton.newton({ hessian: () => E.right(new Float64Array(4)), lr: 0 })))
})

test('bfgs / lbfgsUpdate: gradients must match the parameters; configs are checked', () => {
  const b = Bfgs.bfgs({})
  if (E.isLeft(b)) return assert.unreachable()
  assert.ok(E.isLeft(b.right.update({ x: fromArray([3], [1, 2, 3]) }, b.right.init(p), p)))
  assert.ok(E.isLeft(b.right.update({ y: fromArray([2], [1, 2]) }, b.right.init(p), p)))
  assert.ok(E.isLeft(Bfgs.bfgs({ h0: 0 })))
  assert.ok(E.isLeft(Bfgs.lbfgsUpdate({ history_size: 0 })))
  // a pair with s.y <= 0 is skipped, not applied: H stays positive definite
  let st = b.right.init(p)
  const r1 = b.right.update({ x: fromArray([2], [1, 0]) }, st, p)
  if (E.isLeft(r1)) return assert.unreachable()
  st = r1.right.state
  const r2 = b.right.update({ x: fromArray([2], [2, 0]) }, st, r1.right.params) // s = (-1, 0), y = (1, 0): s.y < 0
  assert.ok(E.isRight(r2) && r2.right.state.skipped === 1)
})

test('hvp: a failing gradient is passed on as the error; v = 0 gives 0 without evaluating', () => {
  const err = { _tag: 'Invalid' as const, op: 'g', arg: 'x', expected: 'e', received: 'r' }
  const r = Hessian.hvp(() => E.left(err), Float64Array.of(1), Float64Array.of(1))
  assert.ok(E.isLeft(r) && r.left === err)
  const z = Hessian.hvp(() => E.left(err), Float64Array.of(1), Float64Array.of(0))
  assert.ok(E.isRight(z) && z.right[0] === 0)
})

test.run()
