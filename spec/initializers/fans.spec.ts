/**
 * Fans and gains, pinned to PyTorch 1.13's numbers (run by hand:
 * torch.nn.init._calculate_fan_in_and_fan_out and calculate_gain).
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { fans } from '../../src/initializers/fans.ts'
import { NONLINEARITIES, calculateGain } from '../../src/initializers/gain.ts'
import { failed, ok } from '../laws/result.ts'
import { property } from '../support/property.ts'

const test = suite('initializers: fans and gains')

const fansOf = (s: number[]) => {
  const f = fans(s)
  if (E.isLeft(f)) throw new Error(JSON.stringify(f.left))
  return [f.right.fanIn, f.right.fanOut]
}

test('linear [out, in]: fan_in = in, fan_out = out (PyTorch: [5, 7] -> (7, 5))', () => {
  assert.equal(fansOf([5, 7]), [7, 5])
})

test('conv [K, C/groups, kh, kw]: Conv2d(8, 16, 3, groups=4) has weight [16, 2, 3, 3] -> (18, 144), fan_out not divided by groups', () => {
  assert.equal(fansOf([16, 2, 3, 3]), [18, 144])
})

test('transposed conv [C_in, C_out/groups, kh, kw]: ConvTranspose2d(8, 4, 3) has weight [8, 4, 3, 3] -> (36, 72): fan_in reads dim 1', () => {
  // PyTorch applies the same formula to the transposed layout, so its "fan_in" is
  // C_out/groups * k^2 (the fan-in of the adjoint convolution), not C_in * k^2.
  assert.equal(fansOf([8, 4, 3, 3]), [36, 72])
  assert.equal(fansOf([8, 2, 3, 3]), [18, 72]) // ConvTranspose2d(8, 4, 3, groups=2)
})

test('conv1d [K, C, k] and conv3d [K, C, kd, kh, kw] (PyTorch: [4, 3, 5] -> (15, 20))', () => {
  assert.equal(fansOf([4, 3, 5]), [15, 20])
  assert.equal(fansOf([6, 2, 3, 4, 5]), [120, 360])
})

property(test, 'conv fans: fan_in = C * prod(kernel), fan_out = K * prod(kernel), for any conv shape',
  fc.tuple(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 64 }), fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 3 })),
  ([k, c, kernel]) => {
    const r = kernel.reduce((a, b) => a * b, 1)
    const [fi, fo] = fansOf([k, c, ...kernel])
    return fi === c * r && fo === k * r ? ok : failed(`[${k}, ${c}, ${kernel}] -> (${fi}, ${fo}), expected (${c * r}, ${k * r})`)
  })

test('fewer than 2 dimensions is an error value, as PyTorch raises', () => {
  for (const s of [[], [3]]) {
    const f = fans(s)
    assert.ok(E.isLeft(f))
    if (E.isLeft(f)) assert.match(f.left.expected, 'at least 2 dimensions')
  }
})

const gain = (n: string, p?: number): number => {
  const g = calculateGain(n, p)
  if (E.isLeft(g)) throw new Error(JSON.stringify(g.left))
  return g.right
}

test('calculate_gain: PyTorch 1.13 values', () => {
  for (const n of ['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'sigmoid']) assert.is(gain(n), 1)
  assert.is(gain('tanh'), 1.6666666666666667)
  assert.is(gain('relu'), 1.4142135623730951)
  assert.is(gain('selu'), 0.75)
  // leaky_relu: slope 0.01 when not given (PyTorch's param=None), sqrt(2/(1 + a^2))
  assert.is(gain('leaky_relu'), 1.4141428569978354)
  assert.is(gain('leaky_relu', 0.2), 1.3867504905630728)
  assert.is(gain('leaky_relu', 0), Math.SQRT2)
})

test('calculate_gain: each gain keeps E[f(z)^2] g^2 = Var(z) where that is exact (relu, leaky relu, identity)', () => {
  // E[relu(z)^2] = Var(z)/2 and E[leaky(z)^2] = (1 + a^2)/2 Var(z) for symmetric z
  assert.ok(Math.abs(gain('relu') ** 2 * 0.5 - 1) < 4 * Number.EPSILON)
  for (const a of [0.01, 0.1, 0.2, 1]) assert.ok(Math.abs(gain('leaky_relu', a) ** 2 * (1 + a * a) / 2 - 1) < 8 * Number.EPSILON)
})

test('calculate_gain: unknown nonlinearities and bad slopes are error values', () => {
  const r = calculateGain('swish')
  assert.ok(E.isLeft(r))
  if (E.isLeft(r)) assert.match(r.left.expected, NONLINEARITIES.join(', '))
  assert.ok(E.isLeft(calculateGain('leaky_relu', Number.NaN)))
})

test.run()
