import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { bernoulli, keyFromSeed, normalArray, permutation, split, threefry2x32, uniformArray } from '../../src/core/random.ts'

const test = suite('random keys')

test('Threefry-2x32 (20 rounds) matches the Random123 known-answer vectors', () => {
  const hex = (p: number[]) => p.map((x) => x.toString(16).padStart(8, '0'))
  assert.equal(hex(threefry2x32([0, 0], 0, 0)), ['6b200159', '99ba4efe'])
  assert.equal(hex(threefry2x32([0xffffffff, 0xffffffff], 0xffffffff, 0xffffffff)), ['1cb996fc', 'bb002be7'])
  assert.equal(hex(threefry2x32([0x13198a2e, 0x03707344], 0x243f6a88, 0x85a308d3)), ['c4923a9c', '483df7a0'])
})

test('the same key gives the same numbers; split keys differ', () => {
  const k = keyFromSeed(42)
  assert.equal(Array.from(uniformArray(k, 5)), Array.from(uniformArray(k, 5)))
  const [a, b] = split(k)
  assert.not.equal(Array.from(uniformArray(a, 5)), Array.from(uniformArray(b, 5)))
  // Pinned values: a change to the stream changes every seeded test, so it must be on purpose.
  // Every step (integer ops, an exact 53-bit combination, IEEE log/cos/sin) is the same on every machine
  // for uniforms; normals go through Math.log/cos/sin, which V8 computes with its own (fdlibm) code.
  assert.equal(Array.from(uniformArray(keyFromSeed(0), 3)), [0.41845711022987275, 0.216295456917019, 0.9653214635925738])
  assert.equal(Array.from(normalArray(keyFromSeed(1), 2)), [-0.48044794098549765, 0.143655638002236])
})

// Hoeffding for n = 200000 values in [0, 1]: P(|mean - E| >= t) <= 2 exp(-2 n t^2);
// t = 0.0075 gives 2 exp(-22.5) = 3.4e-10 < 1e-9.
test('uniform draws lie in [0, 1) with mean 1/2 (Hoeffding bound, false-failure < 1e-9)', () => {
  const n = 200000
  const u = uniformArray(keyFromSeed(7), n)
  let s = 0
  for (const x of u) { assert.ok(x >= 0 && x < 1); s += x }
  assert.ok(Math.abs(s / n - 0.5) < 0.0075, `mean ${s / n}`)
})

// Normal: the sample mean of n = 200000 standard normals is N(0, 1/n), sd 2.24e-3;
// P(|mean| > 6.1 sd) = 1.1e-9 ... use 6.2 sd = 0.0139: 5.6e-10. The sample
// variance: (n-1) s^2 ~ chi^2_{n-1}, approximately N(n, 2n), so s^2 has sd
// sqrt(2/n) = 3.16e-3; 6.2 sd = 0.0196 (the Gaussian approximation of chi^2
// at n = 2e5 is accurate to far better than the margin used).
test('normal draws have mean 0 and variance 1 (6.2-sigma bounds, false-failure < 1.2e-9)', () => {
  const n = 200000
  const z = normalArray(keyFromSeed(8), n)
  let s = 0, s2 = 0
  for (const x of z) { s += x; s2 += x * x }
  const mean = s / n, v = s2 / n - mean * mean
  assert.ok(Math.abs(mean) < 0.0139, `mean ${mean}`)
  assert.ok(Math.abs(v - 1) < 0.0196, `variance ${v}`)
})

// Bernoulli(p = 0.3) over n = 200000: Hoeffding t = 0.0075 as above.
test('bernoulli(p) keeps a fraction p of ones (Hoeffding, false-failure < 1e-9)', () => {
  const m = bernoulli(keyFromSeed(9), 0.3, [200000])
  const frac = m.data.reduce((a, b) => a + b, 0) / 200000
  assert.ok(Math.abs(frac - 0.3) < 0.0075, `fraction ${frac}`)
})

test('permutation is a permutation', () => {
  const p = Array.from(permutation(keyFromSeed(3), 50)).sort((a, b) => a - b)
  assert.equal(p, Array.from({ length: 50 }, (_, i) => i))
})

test.run()
