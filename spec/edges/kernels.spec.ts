/**
 * Float32 activation kernels at the edges spec/kernels/activations.spec.ts
 * keeps away from: the tails (|x| from 5 to 40 or 60, where sigma, sech^2 and
 * log1p(e^z) are tiny but still normal float32s) and the exact kinks and
 * thresholds (leaky_relu and relu at 0, softplus at beta x = threshold, all
 * exact in float32, so the kernel and the reference take the same branch).
 *
 * Each element is held to the absolute running-error bound of
 * spec/kernels/bounds.ts AND, where its reference is a normal float32, to a
 * relative budget in ULPs counted from the kernel's operations with the table
 * of bounds.ts (exp (3 + 2|x|) ULP, / 2.5 ULP, +, -, * 0.5 ULP):
 *   leaky_relu   f, f': f32(slope) 0.5 + the product 0.5                         1
 *   sigmoid      f: exp (3 + 2|x|), 1 + e 0.5, / 2.5, and for x < 0 the numerator e again  9 + 4|x|
 *                f' = g (y sigma(-x)): y and sigma(-x) each 9 + 4|x|, two products       19 + 8|x|
 *   tanh, |x|>=5 f: e = exp(-2|x|) - 1, |e| ~ 1 (exp's error is e^-2|x| of it), - 0.5, 2 + e 0.5, / 2.5    4
 *                f' = g / (c c), c = (exp(x) + exp(-x)) / 2: 4 + 2|x|, twice, c c 0.5, / 2.5, g 0.5  12 + 4|x|
 *   silu         f: sigma and a product                                          10 + 4|x|
 *                f', |x|>=5: x sigma(-x) 10 + 4|x| with 1 + x sigma(-x) at least (|x|-1)/|x|
 *                of it (x 1.25), the sum 0.5, sigma(x), two products                   25 + 9|x|
 *   softplus, z = beta x exact, |z|>=5: z > threshold: x itself, 0; z > 0: z + log1p(e^-z), the log1p term
 *                below z/700 of the sum, 0.5 + / 2.5: 4; z < 0: log1p series gamma(14) 7 + exp 3 + 2|z|,
 *                / 2.5: 13 + 2|z|.  f' = g sigma(z) 10 + 4|z|, or g itself
 * The tails stop where an intermediate would leave the normal range (e^-60,
 * cosh(40)^2 ~ 5e34), so a device's flush to zero is never in play.
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import * as LeakyReluRef from '../../src/activations/leaky-relu.ts'
import * as ReluRef from '../../src/activations/relu.ts'
import * as SigmoidRef from '../../src/activations/sigmoid.ts'
import * as SiluRef from '../../src/activations/silu.ts'
import * as SoftplusRef from '../../src/activations/softplus.ts'
import * as TanhRef from '../../src/activations/tanh.ts'
import { fromArray } from '../../src/core/tensor.ts'
import * as LeakyRelu from '../../kernels/activations/leaky-relu.kernel.ts'
import * as Relu from '../../kernels/activations/relu.kernel.ts'
import * as Sigmoid from '../../kernels/activations/sigmoid.kernel.ts'
import * as Silu from '../../kernels/activations/silu.kernel.ts'
import * as Softplus from '../../kernels/activations/softplus.kernel.ts'
import * as Tanh from '../../kernels/activations/tanh.kernel.ts'
import {
  type B, add, cosh, div, exact, exp, f32, log1p32, mul, neg, sigmoid32, tanh32, worse,
} from '../kernels/bounds.ts'
import { type Case, type Relative, opReference, parity, pointwiseBounds } from '../kernels/harness.ts'

const test = suite('edges: float32 activation kernels in the tails and exactly at kinks, absolute and relative bounds')

const RUNS = 40
const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 })
const one = exact(1)

/** |x| in [5, max], either sign, a float32. */
const tail = (max: number): fc.Arbitrary<number> =>
  fc.tuple(fc.integer({ min: 0, max: 2 ** 20 }), fc.boolean()).map(([i, s]) => Math.fround((s ? 1 : -1) * (5 + (max - 5) * (i / 2 ** 20))))

const cases = (attrs: fc.Arbitrary<Record<string, unknown>>, values: (a: Record<string, unknown>) => fc.Arbitrary<number>): fc.Arbitrary<Case> =>
  fc.record({ attrs, seed }).chain(({ attrs: a, seed: s }) =>
    fc.array(values(a), { minLength: 1, maxLength: 6 }).map((xs) => ({ attrs: a, inputs: { x: fromArray([xs.length], xs) }, seed: s })))

/** Relative budgets per element from x (undefined: the absolute bound alone). */
const relative = <A>(f: (x: number, a: A) => number | undefined, df: (x: number, a: A) => number | undefined) =>
  (c: Case, a: A): Relative => {
    const xs = Array.from(c.inputs.x.data)
    return { outputs: { y: xs.map((x) => f(x, a)) }, gradients: { x: xs.map((x) => df(x, a)) } }
  }

const none = fc.constant({})

parity(test, {
  name: 'relu at 0 exactly and in the tails',
  kernel: Relu.op,
  reference: opReference(ReluRef.op),
  arb: cases(none, () => fc.oneof(fc.constant(0), tail(60))),
  bounds: pointwiseBounds((x) => (x.v > 0 ? x : exact(0)), (x, _y, g) => (x.v > 0 ? g : exact(0))),
  relative: relative(() => 0, () => 0),
  runs: RUNS,
})

parity(test, {
  name: 'leaky_relu at 0 exactly (slope, PyTorch\'s convention) and in the tails',
  kernel: LeakyRelu.op,
  reference: opReference(LeakyReluRef.op),
  arb: cases(fc.record({ negative_slope: fc.constantFrom(0.01, 0.2, -0.5) }), () => fc.oneof(fc.constant(0), fc.constant(0), tail(60))),
  bounds: pointwiseBounds<LeakyReluRef.Attrs>(
    (x, a) => (x.v > 0 ? x : mul(f32(a.negative_slope), x)),
    (x, _y, g, a) => (x.v > 0 ? g : mul(f32(a.negative_slope), g)),
  ),
  relative: relative(() => 1, () => 1),
  runs: RUNS,
})

parity(test, {
  name: 'sigmoid in the tails (|x| to 60): sigma\'(x) down to 1e-26, relatively',
  kernel: Sigmoid.op,
  reference: opReference(SigmoidRef.op),
  arb: cases(none, () => tail(60)),
  bounds: pointwiseBounds((x) => sigmoid32(x), (x, y, g) => mul(g, mul(y, sigmoid32(neg(x))))),
  relative: relative((x) => 9 + 4 * Math.abs(x), (x) => 19 + 8 * Math.abs(x)),
  runs: RUNS,
})

parity(test, {
  name: 'tanh in the tails (|x| to 40): sech^2 down to 1e-34, relatively',
  kernel: Tanh.op,
  reference: opReference(TanhRef.op),
  arb: cases(none, () => tail(40)),
  bounds: pointwiseBounds((x) => tanh32(x), (x, _y, g) => {
    const c = cosh(x)
    return mul(g, div(one, mul(c, c)))
  }),
  relative: relative(() => 4, (x) => 12 + 4 * Math.abs(x)),
  runs: RUNS,
})

parity(test, {
  name: 'silu in the tails (|x| to 60), relatively',
  kernel: Silu.op,
  reference: opReference(SiluRef.op),
  arb: cases(none, () => tail(60)),
  bounds: pointwiseBounds(
    (x) => mul(x, sigmoid32(x)),
    (x, _y, g) => mul(g, mul(sigmoid32(x), add(one, mul(x, sigmoid32(neg(x)))))),
  ),
  relative: relative((x) => 10 + 4 * Math.abs(x), (x) => 25 + 9 * Math.abs(x)),
  runs: RUNS,
})

/** log(1 + e^z) of the softplus kernel, (3), as spec/kernels/activations.spec.ts bounds it. */
const log1pExp = (z: B): B => {
  const pos = (): B => add(z, log1p32(exp(neg(z))))
  const negative = (): B => log1p32(exp(z))
  return z.v - z.e > 0 ? pos() : z.v + z.e <= 0 ? negative() : worse(pos(), negative())
}

type SoftplusAttrs = SoftplusRef.Attrs
parity(test, {
  name: 'softplus exactly at beta x = threshold (the log1p form, strictly) and in the tails',
  kernel: Softplus.op,
  reference: opReference(SoftplusRef.op),
  // beta in {1, 2, 0.5} keeps beta x exact in float32, so the branch taken is the reference's
  arb: cases(
    fc.record({ beta: fc.constantFrom(1, 2, 0.5), threshold: fc.constantFrom(20, 1, 2) }),
    (a) => fc.oneof(fc.constant((a.threshold as number) / (a.beta as number)), tail(30)),
  ),
  bounds: pointwiseBounds<SoftplusAttrs>(
    (x, a) => {
      const z = mul(f32(a.beta), x)
      return z.v > a.threshold ? x : div(log1pExp(z), f32(a.beta))
    },
    (x, _y, g, a) => {
      const z = mul(f32(a.beta), x)
      return z.v > a.threshold ? g : mul(g, sigmoid32(z))
    },
  ),
  relative: relative<SoftplusAttrs>(
    (x, a) => {
      const z = a.beta * x
      return Math.abs(z) < 5 ? undefined : z > a.threshold ? 0 : z > 0 ? 4 : 13 + 2 * Math.abs(z)
    },
    (x, a) => {
      const z = a.beta * x
      return Math.abs(z) < 5 ? undefined : z > a.threshold ? 0 : 10 + 4 * Math.abs(z)
    },
  ),
  runs: RUNS,
})

test.run()
