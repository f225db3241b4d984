/**
 * Float32 activation kernels (kernels/activations/) against the float64 ops of
 * src/activations/, on both backends. Each bound re-evaluates the kernel's own
 * expression in the error arithmetic of ./bounds.ts, line for line with the
 * kernel (same equation numbers), so it is derived, not tuned.
 * Inputs stay in [-3, 3] (the arbitraries' default) and off the kinks and
 * branch switches by TOL.KINK_GAP: at a switch both branches agree to within
 * rounding, but which one a rounded comparison takes is not ours to bound.
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import * as GeluRef from '../../src/activations/gelu.ts'
import * as LeakyReluRef from '../../src/activations/leaky-relu.ts'
import * as LogSoftmaxRef from '../../src/activations/log-softmax.ts'
import * as ReluRef from '../../src/activations/relu.ts'
import * as SigmoidRef from '../../src/activations/sigmoid.ts'
import * as SiluRef from '../../src/activations/silu.ts'
import * as SoftmaxRef from '../../src/activations/softmax.ts'
import * as SoftplusRef from '../../src/activations/softplus.ts'
import * as TanhRef from '../../src/activations/tanh.ts'
import { lanesOf, at } from '../../src/activations/lanes.ts'
import type { Tensors } from '../../src/core/op.ts'
import * as Gelu from '../../kernels/activations/gelu.kernel.ts'
import * as LeakyRelu from '../../kernels/activations/leaky-relu.kernel.ts'
import * as LogSoftmax from '../../kernels/activations/log-softmax.kernel.ts'
import * as Relu from '../../kernels/activations/relu.kernel.ts'
import * as Sigmoid from '../../kernels/activations/sigmoid.kernel.ts'
import * as Silu from '../../kernels/activations/silu.kernel.ts'
import * as Softmax from '../../kernels/activations/softmax.kernel.ts'
import * as Softplus from '../../kernels/activations/softplus.kernel.ts'
import * as Tanh from '../../kernels/activations/tanh.kernel.ts'
import { shape } from '../laws/arbitraries.ts'
import { TOL } from '../laws/tolerance.ts'
import {
  type B, add, cosh, div, erfc32, exact, exp, f32, log, log1p32, mul, neg, sigmoid32, sub, sum, tanh32, worse,
} from './bounds.ts'
import { type Bounds, type Case, opReference, parity, pointwiseBounds, tensor32 } from './harness.ts'

const test = suite('kernels: activations')

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 })

/** x of a drawn shape (rank 0 to 3, so empty and scalar tensors come up), values off `kinks`. */
const pointwiseCase = (attrs: fc.Arbitrary<Record<string, unknown>>, kinks: (a: Record<string, unknown>) => number[] = () => []): fc.Arbitrary<Case> =>
  fc.record({ attrs, sh: shape({ minRank: 0, maxRank: 3, minDim: 0, maxDim: 5 }), seed })
    .chain(({ attrs: a, sh, seed: s }) => tensor32(sh, { kinks: kinks(a), gap: TOL.KINK_GAP }).map((x) => ({ attrs: a, inputs: { x }, seed: s })))

const none = fc.constant({})
const one = exact(1)

parity(test, {
  kernel: Relu.op,
  reference: opReference(ReluRef.op),
  arb: pointwiseCase(none, () => [0]),
  // (1), (2): selections, no arithmetic: the bound is 0 (plus the flush charge of zero results).
  bounds: pointwiseBounds((x) => (x.v > 0 ? x : exact(0)), (x, _y, g) => (x.v > 0 ? g : exact(0))),
})

parity(test, {
  kernel: LeakyRelu.op,
  reference: opReference(LeakyReluRef.op),
  arb: pointwiseCase(fc.record({ negative_slope: fc.double({ min: -2, max: 2, noNaN: true }) }), () => [0]),
  bounds: pointwiseBounds<LeakyReluRef.Attrs>(
    (x, a) => (x.v > 0 ? x : mul(f32(a.negative_slope), x)), // (1)
    (x, _y, g, a) => (x.v > 0 ? g : mul(f32(a.negative_slope), g)), // (2)
  ),
})

parity(test, {
  kernel: Sigmoid.op,
  reference: opReference(SigmoidRef.op),
  arb: pointwiseCase(none, () => [0]),
  bounds: pointwiseBounds((x) => sigmoid32(x), (x, y, g) => mul(g, mul(y, sigmoid32(neg(x))))), // (1), (2)
})

parity(test, {
  kernel: Tanh.op,
  reference: opReference(TanhRef.op),
  arb: pointwiseCase(none),
  bounds: pointwiseBounds((x) => tanh32(x), (x, _y, g) => {
    const c = cosh(x)
    return mul(g, div(one, mul(c, c))) // (2)
  }),
})

parity(test, {
  kernel: Silu.op,
  reference: opReference(SiluRef.op),
  arb: pointwiseCase(none, () => [0]),
  bounds: pointwiseBounds(
    (x) => mul(x, sigmoid32(x)), // (1)
    (x, _y, g) => mul(g, mul(sigmoid32(x), add(one, mul(x, sigmoid32(neg(x)))))), // (2)
  ),
})

const SQRT1_2 = 0.7071067811865476, INV_SQRT2PI = 0.3989422804014327, SQRT_2_OVER_PI = 0.7978845608028654, KAPPA = 0.044715

const geluExact = (x: B): B => mul(x, mul(f32(0.5), erfc32(mul(neg(x), f32(SQRT1_2))))) // (1)
const geluExactDf = (x: B, g: B): B =>
  mul(g, add(mul(f32(0.5), erfc32(mul(neg(x), f32(SQRT1_2)))), mul(mul(x, f32(INV_SQRT2PI)), exp(mul(mul(f32(-0.5), x), x))))) // (2)
const geluU = (x: B): B => mul(f32(SQRT_2_OVER_PI), add(x, mul(mul(mul(f32(KAPPA), x), x), x))) // (3)
const geluTanh = (x: B): B => mul(x, sigmoid32(mul(exact(2), geluU(x)))) // (4)
const geluTanhDf = (x: B, g: B): B => {
  const u = geluU(x)
  const du = mul(f32(SQRT_2_OVER_PI), add(one, mul(mul(mul(exact(3), f32(KAPPA)), x), x))) // (3)
  const sp = sigmoid32(mul(exact(2), u)), sm = sigmoid32(mul(exact(-2), u))
  return mul(g, add(sp, mul(mul(mul(exact(2), x), mul(sp, sm)), du))) // (5)
}

/** (6), (7): x sigma(1.702 x), the kernel's evaluation order. */
const geluSigmoid = (x: B): B => mul(x, sigmoid32(mul(f32(1.702), x))) // (6)
const geluSigmoidDf = (x: B, g: B): B => {
  const k = f32(1.702), sp = sigmoid32(mul(k, x)), sm = sigmoid32(neg(mul(k, x)))
  return mul(g, add(sp, mul(mul(k, x), mul(sp, sm)))) // (7)
}

parity(test, {
  kernel: Gelu.op,
  reference: opReference(GeluRef.op),
  arb: pointwiseCase(fc.record({ approximate: fc.constantFrom('none', 'tanh', 'sigmoid') }), () => [0]),
  bounds: pointwiseBounds<GeluRef.Attrs>(
    (x, a) => (a.approximate === 'none' ? geluExact(x) : a.approximate === 'tanh' ? geluTanh(x) : geluSigmoid(x)),
    (x, _y, g, a) => (a.approximate === 'none' ? geluExactDf(x, g) : a.approximate === 'tanh' ? geluTanhDf(x, g) : geluSigmoidDf(x, g)),
  ),
})

/** log(1 + e^z) of the kernel, (3). */
const log1pExp = (z: B): B => {
  const pos = (): B => add(z, log1p32(exp(neg(z))))
  const negative = (): B => log1p32(exp(z))
  return z.v - z.e > 0 ? pos() : z.v + z.e <= 0 ? negative() : worse(pos(), negative())
}

parity(test, {
  kernel: Softplus.op,
  reference: opReference(SoftplusRef.op),
  // beta x away from the threshold (the switch of (1)) and from 0 (the switch of (3))
  arb: pointwiseCase(
    fc.record({ beta: fc.constantFrom(1, 0.5, 2, 5), threshold: fc.constantFrom(20, 1, 2) }),
    (a) => [0, (a.threshold as number) / (a.beta as number)],
  ),
  bounds: pointwiseBounds<SoftplusRef.Attrs>(
    (x, a) => {
      const z = mul(f32(a.beta), x)
      return z.v > a.threshold ? x : div(log1pExp(z), f32(a.beta)) // (1), (2)
    },
    (x, _y, g, a) => {
      const z = mul(f32(a.beta), x)
      return z.v > a.threshold ? g : mul(g, sigmoid32(z)) // (4)
    },
  ),
})

// ---------------------------------------------------------------- softmax and log-softmax, per lane

const laneCase = fc.record({ sh: shape({ minRank: 1, maxRank: 3, minDim: 1, maxDim: 5 }), seed })
  .chain(({ sh, seed: s }) => fc.record({
    x: tensor32(sh, { min: -5, max: 5 }),
    dim: fc.integer({ min: -sh.length, max: sh.length - 1 }),
  }).map(({ x, dim }) => ({ attrs: { dim }, inputs: { x }, seed: s })))

/** Per lane: the exact maximum (a selection, no rounding) and the bound of s of (2). */
const laneStats = (c: Case, dim: number) => {
  const x = c.inputs.x
  const l = lanesOf('spec', x.shape, dim)
  if (l._tag === 'Left') throw new Error('bad dim')
  const lanes = l.right
  const each = (f: (o: number, i: number, idx: number[], m: number, s: B) => void): void => {
    for (let o = 0; o < lanes.outer; o++) {
      for (let i = 0; i < lanes.inner; i++) {
        const idx = Array.from({ length: lanes.n }, (_, k) => at(lanes, o, k, i))
        const m = Math.max(...idx.map((p) => x.data[p])) // (1)
        const s = sum(idx.map((p) => exp(sub(exact(x.data[p]), exact(m))))) // (2)
        f(o, i, idx, m, s)
      }
    }
  }
  return { each, size: x.data.length }
}

parity(test, {
  kernel: Softmax.op,
  reference: opReference(SoftmaxRef.op),
  arb: laneCase,
  bounds: (c: Case, a: SoftmaxRef.Attrs, cot: Tensors): Bounds => {
    const { each, size } = laneStats(c, a.dim)
    const y = new Array<B>(size), dx = new Array<B>(size)
    each((_o, _i, idx, m, s) => {
      for (const p of idx) y[p] = div(exp(sub(exact(c.inputs.x.data[p]), exact(m))), s) // (2), (3)
      const gy = sum(idx.map((p) => mul(exact(cot.y.data[p]), y[p]))) // (4)
      for (const p of idx) dx[p] = mul(y[p], sub(exact(cot.y.data[p]), gy)) // (4)
    })
    return { outputs: { y }, gradients: { x: dx } }
  },
})

parity(test, {
  kernel: LogSoftmax.op,
  reference: opReference(LogSoftmaxRef.op),
  arb: laneCase,
  bounds: (c: Case, a: LogSoftmaxRef.Attrs, cot: Tensors): Bounds => {
    const { each, size } = laneStats(c, a.dim)
    const y = new Array<B>(size), dx = new Array<B>(size)
    each((_o, _i, idx, m, s) => {
      // (x - m) - log s as a three-term sum: reassociation-proof (bounds.ts, sums)
      for (const p of idx) y[p] = sum([exact(c.inputs.x.data[p]), exact(-m), neg(log(s))]) // (3)
      const sg = sum(idx.map((p) => exact(cot.y.data[p]))) // (4)
      for (const p of idx) dx[p] = sub(exact(cot.y.data[p]), mul(exp(y[p]), sg)) // (4)
    })
    return { outputs: { y }, gradients: { x: dx } }
  },
})

test.run()
