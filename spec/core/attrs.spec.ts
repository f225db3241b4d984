import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { boolean, intList, number, oneOf, padding, pair, schema } from '../../src/core/attrs.ts'

const test = suite('attribute schemas')

const parse = schema<{ flag: boolean; dims: number[]; stride: [number, number]; pad: readonly number[]; r: 'mean' | 'sum'; lr: number }>({
  flag: boolean(false), dims: intList(1, [1]), stride: pair(1, 1), pad: padding(0), r: oneOf(['mean', 'sum'], 'mean'), lr: number(0.1, { min: 0 }),
})

test('defaults fill omitted attributes', () => {
  const r = parse('op', {})
  assert.ok(E.isRight(r))
  if (E.isRight(r)) assert.equal(r.right, { flag: false, dims: [1], stride: [1, 1], pad: [0, 0, 0, 0], r: 'mean', lr: 0.1 })
})

test('accepted forms: 0/1 flags, a bare int as a list, an int or [h, w] pair, 1, 2 or 4 paddings', () => {
  const r = parse('op', { flag: 1, dims: 5, stride: [2, 3], pad: [1, 2] })
  assert.ok(E.isRight(r))
  if (E.isRight(r)) {
    assert.is(r.right.flag, true)
    assert.equal(r.right.dims, [5])
    assert.equal(r.right.stride, [2, 3])
    assert.equal(r.right.pad, [1, 2, 1, 2])
  }
  const four = parse('op', { pad: [1, 2, 3, 4] })
  assert.ok(E.isRight(four) && four.right.pad.join() === '1,2,3,4')
})

test('errors name the op and the attribute, and say what was expected and what came', () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ flag: 2 }, 'attrs.flag'], [{ dims: [0] }, 'attrs.dims'], [{ stride: [0, 1] }, 'attrs.stride'], [{ pad: [1, 2, 3] }, 'attrs.pad'],
    [{ r: 'avg' }, 'attrs.r'], [{ lr: -1 }, 'attrs.lr'], [{ lr: 'NaN' }, 'attrs.lr'], [{ typo: 1 }, 'attrs.typo'],
  ]
  for (const [raw, arg] of cases) {
    const r = parse('myop', raw)
    assert.ok(E.isLeft(r), JSON.stringify(raw))
    if (E.isLeft(r)) { assert.is(r.left.op, 'myop'); assert.is(r.left.arg, arg); assert.ok(r.left.expected.length > 0 && r.left.received.length > 0) }
  }
})

test.run()
