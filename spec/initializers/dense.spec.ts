/**
 * The bias-free dense layer that LSUV and the experiment use
 * (src/initializers/dense.ts) against the core's matmul, and its moments.
 * Tolerance: two orders of summing the same k products each err by at most
 * gamma_k sum|x_i w_i| (Higham eq. 3.5, gamma_k = k u / (1 - k u)); their
 * difference by at most twice that.
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { matmul, mT } from '../../src/core/tensor.ts'
import { activate, denseForward, moments } from '../../src/initializers/dense.ts'
import { tensorOf } from '../laws/arbitraries.ts'
import { failed, ok } from '../laws/result.ts'
import { property } from '../support/property.ts'

const test = suite('initializers: dense forward')
const U = 2 ** -53

property(test, 'denseForward(x, W) = x W^T (core matmul) up to summation order',
  fc.record({ b: fc.integer({ min: 1, max: 5 }), i: fc.integer({ min: 1, max: 11 }), o: fc.integer({ min: 1, max: 5 }) })
    .chain(({ b, i, o }) => fc.record({ x: tensorOf([b, i]), w: tensorOf([o, i]) })),
  ({ x, w }) => {
    const [b, i] = x.shape, o = w.shape[0]
    const y = denseForward(x.data, w.data, b, i, o)
    const e = matmul(x, mT(w))
    for (let s = 0; s < b; s++) for (let j = 0; j < o; j++) {
      let abs = 0
      for (let k = 0; k < i; k++) abs += Math.abs(x.data[s * i + k] * w.data[j * i + k])
      const tol = 2 * ((i * U) / (1 - i * U)) * abs
      if (!(Math.abs(y[s * o + j] - e.data[s * o + j]) <= tol)) return failed(`y[${s}, ${j}] = ${y[s * o + j]} vs ${e.data[s * o + j]}`)
    }
    return ok
  })

test('moments: population (biased) mean and variance; tanh, relu (NaN passes) and linear', () => {
  const m = moments(Float64Array.of(1, 2, 3, 4))
  assert.is(m.mean, 2.5)
  assert.is(m.variance, 1.25)
  // a large offset: the two-pass form keeps the variance exact where E[x^2] - E[x]^2 would lose it
  const big = moments(Float64Array.of(1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4))
  assert.is(big.variance, 1.25)
  assert.ok(Number.isNaN(moments(new Float64Array(0)).mean))
  const z = Float64Array.of(-1, 0, 2, Number.NaN)
  const r = activate(z, 'relu')
  assert.equal([...r.slice(0, 3)], [0, 0, 2])
  assert.ok(Number.isNaN(r[3]))
  assert.is(activate(z, 'tanh')[2], Math.tanh(2))
  const lin = activate(z, 'linear')
  assert.ok(lin !== z && lin[2] === 2)
})

test.run()
