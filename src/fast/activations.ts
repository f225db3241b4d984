/**
 * Fast GELU, approximate "none": the equations of src/activations/gelu.ts
 * in plain loops, with Phi(x) kept from the forward so that the backward
 * costs one exp per element instead of an erfc and an exp:
 *   (1) y = x Phi(x)     (2) y' = Phi(x) + x phi(x),  phi(x) = exp(-x^2 / 2) / sqrt(2 pi)
 * Phi is the reference's own `normalCdf`, so y is bit-identical to it; so is
 * y' (the same expression on the same Phi). The other approximations take
 * the reference.
 */
import * as E from 'fp-ts/lib/Either.js'
import { defineOp } from '../core/op.ts'
import { make } from '../core/tensor.ts'
import * as Gelu from '../activations/gelu.ts'

const INV_SQRT2PI = 0.3989422804014327 // 1 / sqrt(2 pi), as the reference

type Cache = { readonly ref: true; readonly cache: unknown } | { readonly ref: false; readonly x: Float64Array; readonly phi: Float64Array }

export const gelu = defineOp<Gelu.Attrs, Cache>({
  name: 'gelu',
  inputs: Gelu.op.inputs,
  outputs: ['y'],
  attrs: (_op, raw) => Gelu.op.parseAttrs(raw),
  forward: (a, inputs) => {
    if (a.approximate !== 'none') {
      const r = Gelu.op.forward(a, inputs)
      return E.isLeft(r) ? r : E.right({ outputs: r.right.outputs, cache: { ref: true as const, cache: r.right.cache } })
    }
    const x = inputs.x!
    const xd = x.data, n = xd.length
    const y = new Float64Array(n), phi = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      const v = xd[i], p = Gelu.normalCdf(v)
      phi[i] = p
      y[i] = v * p // (1)
    }
    return E.right({ outputs: { y: make(x.shape, y) }, cache: { ref: false as const, x: xd, phi } })
  },
  backward: (a, cache, cot) => {
    if (cache.ref) return Gelu.op.backward(a, cache.cache as never, cot)
    const { x, phi } = cache, g = cot.y.data
    const dx = new Float64Array(x.length)
    for (let i = 0; i < x.length; i++) {
      const v = x[i]
      dx[i] = g[i] * (phi[i] + v * INV_SQRT2PI * Math.exp(-0.5 * v * v)) // (2)
    }
    return { x: make(cot.y.shape, dx) }
  },
})
