/**
 * The checker itself (proofs/derivation.ts): it accepts a true chain, rejects
 * a false step at the right link with a replayable message, never throws, and
 * compares with the sum of the two lines' error bounds.
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type Derivation, type Step, checkDerivation, checkPoint, seedOf } from '../../proofs/derivation.ts'
import { centralDifferences, differenceTolerance, exact, rounding } from '../../proofs/tolerance.ts'
import { uniformArray } from '../../src/core/random.ts'

const test = suite('proofs/derivation: the checker')

interface P { readonly x: Float64Array }
const square = (_p: P) => (x: Float64Array) => { let f = 0; for (const v of x) f += v * v; return { f, n: x.length, s: f } }
const chain = (steps: Step<P>[]): Derivation<P> => ({
  id: 'test/square', title: 'd/dx x^2', intro: '',
  variables: fc.array(fc.integer({ min: -100, max: 100 }), { minLength: 1, maxLength: 4 }).map((v) => ({ x: Float64Array.from(v, (k) => k / 20) })),
  steps, tolerance: rounding(8, (p: P) => 1 + Math.max(...Array.from(p.x, Math.abs)), '8 eps (1 + max|x|)'),
})
const top: Step<P> = { latex: '\\partial_x', reason: '', value: (p) => centralDifferences(square(p), p.x), tolerance: differenceTolerance((p: P) => p.x, square) }
const twoX: Step<P> = { latex: '2x', reason: '', value: (p) => p.x.map((v) => 2 * v) }

test('a true chain passes', () => {
  assert.equal(checkDerivation(chain([top, twoX, { latex: 'x + x', reason: '', value: (p) => p.x.map((v) => v + v) }]), 100, 1), { ok: true })
})

test('a false step fails at its link, naming both lines and the replay', () => {
  const v = checkDerivation(chain([top, twoX, { latex: '2x + x^3/1000', reason: '', value: (p) => p.x.map((v) => 2 * v + v ** 3 / 1000) }]), 100, 1)
  assert.is(v.ok, false)
  if (!v.ok) {
    assert.match(v.message, 'line 2 disagrees with line 1')
    assert.match(v.message, '2x + x^3/1000')
    assert.match(v.message, 'counterexample')
    assert.match(v.message, 'seed: 1')
  }
})

test('a wrong first step (a slip in the derivative) is caught against the central difference', () => {
  const v = checkDerivation(chain([top, { latex: 'x', reason: '', value: (p) => p.x }]), 100, 7)
  assert.is(v.ok, false)
  if (!v.ok) assert.match(v.message, 'line 1 disagrees with line 0')
})

test('a line that throws, returns NaN, or has the wrong length fails without throwing', () => {
  const throwing = checkDerivation(chain([top, { latex: 't', reason: '', value: () => { throw new Error('boom') } }]), 10, 1)
  assert.is(throwing.ok, false)
  if (!throwing.ok) assert.match(throwing.message, 'line 1 threw: boom')
  const nan = checkDerivation(chain([twoX, { latex: 'n', reason: '', value: (p) => p.x.map(() => NaN) }]), 10, 1)
  assert.is(nan.ok, false)
  const short = checkDerivation(chain([twoX, { latex: 's', reason: '', value: () => new Float64Array(5) }]), 10, 1)
  assert.is(short.ok, false)
  if (!short.ok) assert.match(short.message, 'elements')
  assert.is(checkPoint(chain([twoX]), { x: Float64Array.of(1) }).ok, false) // one line proves nothing
})

test('neighbours may differ by the sum of their two error bounds, not more', () => {
  const at = (d: number): Derivation<P> => ({
    ...chain([]), variables: fc.constant({ x: Float64Array.of(1) }), tolerance: exact('exact'),
    steps: [
      { latex: 'a', reason: '', value: () => 1, tolerance: { text: 'a', bound: () => 0.25 } },
      { latex: 'b', reason: '', value: () => 1 + d, tolerance: { text: 'b', bound: () => 0.5 } },
    ],
  })
  assert.ok(checkDerivation(at(0.75), 1, 1).ok)
  assert.not.ok(checkDerivation(at(0.76), 1, 1).ok)
})

test('sampled points: a pure function of (runs, seed); a failure names its run', () => {
  const d: Derivation<{ u: number }> = {
    id: 'test/sampled', title: '', intro: '', tolerance: exact('exact'),
    variables: (key) => ({ u: uniformArray(key, 1)[0] }),
    steps: [{ latex: 'u', reason: '', value: (p) => p.u }, { latex: 'u or 0', reason: '', value: (p) => (p.u < 0.9 ? p.u : 0) }],
  }
  const a = checkDerivation(d, 200, seedOf(d.id)), b = checkDerivation(d, 200, seedOf(d.id))
  assert.is(a.ok, false)
  assert.equal(a, b)
  if (!a.ok) assert.match(a.message, /at run \d+ of 200, seed/)
})

test.run()
