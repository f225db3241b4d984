/**
 * Symmetry laws over the whole float64 line (spec/laws/edges.ts anyFinite:
 * the interior, the tails out to 1e308, subnormals). They need no reference:
 * a function and its mirror image must agree, and a formula that computes one
 * side by cancellation (1 - sigma(x) for sigma(-x)) breaks the symmetry in the
 * tail where the cancellation happens.
 *
 *   sigma'(x) = sigma'(-x)           exactly: sigma(x) sigma(-x) is one product, commutative
 *   tanh'(x) = tanh'(-x)             exactly: 1 / cosh^2, cosh even in fdlibm
 *   softsign'(x) = softsign'(-x)     exactly: 1 / (1 + |x|)^2
 *   sigma(x) + sigma(-x) = 1         within 7u (each 6u relative, the sum u; the larger is >= 1/2)
 *   log_sigma(x) - log_sigma(-x) = x within 11 ulps of |x| + |log_sigma(-|x|)| (each 5u, the difference u)
 *   silu(x) - silu(-x) = x           within 15 ulps of |x| (x sigma(x) + x sigma(-x), each 7u, the sum u)
 */
import { suite } from 'uvu'
import { lookup } from '../../src/registry.ts'
import { valueAndDerivative } from '../activations/support.ts'
import { anyFinite } from '../laws/edges.ts'
import { failed, ok } from '../laws/result.ts'
import { property } from '../support/property.ts'
import { ulp } from './ulp.ts'

const test = suite('accuracy: symmetry laws over the whole line')

const at = (name: string, attrs: Record<string, unknown>, xs: readonly number[]) => valueAndDerivative(lookup(name)!, attrs, xs)
const U = 2 ** -53

for (const name of ['sigmoid', 'tanh', 'softsign']) {
  property(test, `${name}'(x) = ${name}'(-x), bit for bit`, anyFinite(), (x) => {
    const { dx } = at(name, {}, [x, -x])
    return Object.is(dx[0], dx[1]) ? ok : failed(`${name}'(${x}) = ${dx[0]}, ${name}'(${-x}) = ${dx[1]}`)
  }, 300)
}

property(test, 'sigmoid(x) + sigmoid(-x) = 1 within 7u', anyFinite(), (x) => {
  const { y } = at('sigmoid', {}, [x, -x])
  return Math.abs(y[0] + y[1] - 1) <= 7 * U ? ok : failed(`sigmoid(${x}) + sigmoid(${-x}) - 1 = ${y[0] + y[1] - 1}`)
}, 300)

property(test, 'log_sigmoid(x) - log_sigmoid(-x) = x within 11 ulps of the terms', anyFinite(), (x) => {
  const { y } = at('log_sigmoid', {}, [x, -x])
  const scale = Math.abs(y[0]) + Math.abs(y[1])
  return Math.abs((y[0] - y[1]) - x) <= 11 * ulp(scale) ? ok : failed(`log_sigmoid(${x}) - log_sigmoid(${-x}) = ${y[0] - y[1]}, x = ${x}`)
}, 300)

property(test, 'silu(x) - silu(-x) = x within 15 ulps of |x| (and subnormal gaps)', anyFinite(), (x) => {
  const { y } = at('silu', {}, [x, -x])
  // x sigma(+-x) may underflow (|x| > 708): each carries up to |x| / 2 subnormal gaps there
  const tol = 15 * ulp(x) + (Math.abs(x) + 2) * 2 ** -1074
  return Math.abs((y[0] - y[1]) - x) <= tol ? ok : failed(`silu(${x}) - silu(${-x}) = ${y[0] - y[1]}, x = ${x}`)
}, 300)

test.run()
