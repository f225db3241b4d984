import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as Maxout from '../../src/activations/maxout.ts'
import { vjp } from '../../src/core/op.ts'
import { type Tensor, fromArray, make } from '../../src/core/tensor.ts'
import { failed, ok } from '../laws/result.ts'
import { gradientProperty, property } from '../support/property.ts'

const test = suite('maxout')

const caseOf = (ties: boolean) => fc.record({ n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 3 }), k: fc.integer({ min: 1, max: 4 }), s: fc.integer({ min: 1, max: 3 }) })
  .chain((g) => fc.array(ties ? fc.integer({ min: -2, max: 2 }) : fc.integer({ min: -200, max: 200 }), { minLength: g.n * g.c * g.k * g.s, maxLength: g.n * g.c * g.k * g.s })
    .filter((v) => ties || new Set(v).size === v.length)
    .map((v) => ({ g, x: fromArray([g.n, g.c * g.k, g.s], ties ? v : v.map((u) => u / 50)) })))

// Distinct values 0.02 apart: every max is at least 20 steps (TOL.KINK_GAP) from a tie.
gradientProperty(test, Maxout.op, caseOf(false).map(({ g, x }) => ({ attrs: { pieces: g.k }, inputs: { x } })), 60)

/**
 * Maxout routes each output's cotangent to the first maximum of its k pieces,
 * like max pooling: with ties drawn often (integers in [-2, 2]), dx is g at
 * exactly the first piece attaining the max and zero at every other piece.
 */
property(test, 'y is the max of each run of k channels and the gradient goes to the first maximum only (ties common)', caseOf(true), ({ g, x }) => {
  const r = vjp(Maxout.op, { pieces: g.k }, { x }, { y: make([g.n, g.c, g.s], Float64Array.from({ length: g.n * g.c * g.s }, (_, i) => i + 1)) })
  if (E.isLeft(r)) return failed(r.left.expected)
  const { y } = r.right.outputs, dx = r.right.gradients.x
  for (let n = 0; n < g.n; n++) for (let c = 0; c < g.c; c++) for (let s = 0; s < g.s; s++) {
    const vals = Array.from({ length: g.k }, (_, r2) => x.data[((n * g.c + c) * g.k + r2) * g.s + s])
    const m = Math.max(...vals), first = vals.indexOf(m), o = (n * g.c + c) * g.s + s
    if (y.data[o] !== m) return failed(`y[${o}] = ${y.data[o]}, max ${m}`)
    for (let r2 = 0; r2 < g.k; r2++) {
      const got = dx.data[((n * g.c + c) * g.k + r2) * g.s + s]
      if (got !== (r2 === first ? o + 1 : 0)) return failed(`output ${o}: piece ${r2} got ${got}; the first maximum is piece ${first}`)
    }
  }
  return ok
}, 100)

test('maxout: NaN propagates; a channel count not divisible by pieces is an error value', () => {
  const y = Maxout.op.forward({ pieces: 2 }, { x: fromArray([1, 2], [1, NaN]) })
  assert.ok(E.isRight(y) && Number.isNaN(y.right.outputs.y.data[0]))
  const bad = Maxout.op.forward({ pieces: 2 }, { x: fromArray([1, 3], [1, 2, 3]) })
  assert.ok(E.isLeft(bad) && bad.left.arg === 'inputs.x')
  assert.ok(E.isLeft(Maxout.op.parseAttrs({})), 'pieces is required')
})

test.run()
