/**
 * The float32 layer-norm kernel (kernels/normalization/layer-norm.kernel.ts)
 * against src/normalization/layer-norm.ts, on both backends, with and without
 * weight and bias, normalized over the last one or two dimensions. Bounds
 * follow the kernel: mu = (sum x) / D, r = 1 / sqrt(sum (x - mu)^2 / D + eps),
 * xhat recomputed from the stored mu and r, and the row sums of (5). Inputs
 * keep a row variance away from 0 (values in [-3, 3] with D >= 2 can still
 * coincide; r <= 1/sqrt(eps) caps the growth, and the bound carries it).
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import type { Tensors } from '../../src/core/op.ts'
import * as LayerNormRef from '../../src/normalization/layer-norm.ts'
import * as LayerNorm from '../../kernels/normalization/layer-norm.kernel.ts'
import { type B, add, div, exact, f32, mul, neg, sqrt, sub, sum } from './bounds.ts'
import { type Bounds, type Case, opReference, parity, tensor32 } from './harness.ts'

const test = suite('kernels: normalization')

const caseArb: fc.Arbitrary<Case> = fc.record({
  rows: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), norm: fc.constantFrom([1], [4], [2, 3], [7]),
  affine: fc.constantFrom('none', 'weight', 'both'), byAxis: fc.boolean(), eps: fc.constantFrom(1e-5, 1e-3, 0.1),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
}).chain(({ rows, norm, affine, byAxis, eps, seed }) => fc.record({
  x: tensor32([...rows, ...norm]), weight: tensor32(norm), bias: tensor32(norm),
}).map(({ x, weight, bias }) => ({
  attrs: byAxis ? { axis: -norm.length, eps } : { normalized_shape: norm, eps },
  inputs: { x, ...(affine !== 'none' ? { weight } : {}), ...(affine === 'both' ? { bias } : {}) },
  seed,
})))

parity(test, {
  kernel: LayerNorm.op,
  reference: opReference(LayerNormRef.op),
  arb: caseArb,
  bounds: (c: Case, a: LayerNormRef.Attrs, cot: Tensors): Bounds => {
    const { x, weight, bias } = c.inputs
    const d = weight?.data.length ?? (a.normalized_shape ?? x.shape.slice(a.axis! + x.shape.length)).reduce((p, q) => p * q, 1)
    const rows = x.data.length / d
    const D = exact(d)
    const X = (i: number, j: number) => exact(x.data[i * d + j])
    const G = (i: number, j: number) => exact(cot.y.data[i * d + j])
    const js = Array.from({ length: d }, (_, j) => j), is = Array.from({ length: rows }, (_, i) => i)
    const mu = is.map((i) => div(sum(js.map((j) => X(i, j))), D)) // (1)
    const r = is.map((i) => {
      const v = div(sum(js.map((j) => { const cj = sub(X(i, j), mu[i]); return mul(cj, cj) })), D) // (1)
      return div(exact(1), sqrt(add(v, f32(a.eps)))) // (2)
    })
    const xhat = (i: number, j: number): B => mul(sub(X(i, j), mu[i]), r[i]) // (2)
    const dxhat = (i: number, j: number): B => (weight ? mul(G(i, j), exact(weight.data[j])) : G(i, j)) // (4)
    const y: B[] = [], dx: B[] = []
    for (const i of is) {
      for (const j of js) {
        let v = xhat(i, j)
        if (weight) v = mul(exact(weight.data[j]), v) // (3)
        if (bias) v = add(v, exact(bias.data[j])) // (3)
        y.push(v)
      }
      const s1 = sum(js.map((j) => dxhat(i, j))) // (4)
      const s2 = sum(js.map((j) => mul(dxhat(i, j), xhat(i, j)))) // (5)
      for (const j of js) dx.push(mul(div(r[i], D), sum([mul(D, dxhat(i, j)), neg(s1), neg(mul(xhat(i, j), s2))]))) // (5)
    }
    const grads: Record<string, B[]> = { x: dx }
    if (weight) grads.weight = js.map((j) => sum(is.map((i) => mul(G(i, j), xhat(i, j))))) // (4)
    if (bias) grads.bias = js.map((j) => sum(is.map((i) => G(i, j)))) // (4)
    return { outputs: { y }, gradients: grads }
  },
})

test.run()
