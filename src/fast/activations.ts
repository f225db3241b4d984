/**
 * Fast GELU, approximate "none": the equations of src/activations/gelu.ts,
 *   (1) y = x Phi(x)     (2) y' = Phi(x) + x phi(x),  phi(x) = exp(-x^2 / 2) / sqrt(2 pi)
 * with Phi(x) = erfc(a')/2, a' = -x / sqrt 2, evaluated by Cody's rational
 * functions exactly as src/activations/erf.ts does (same coefficients, same
 * operations in the same order, a = |a'| rounded as there), except for the
 * one exp per element:
 *   (3) erfc(a) = exp(-a^2) R(a),   a > 0.46875   (R: Cody's R2, or (1/sqrt pi - R3(1/a^2)) / a)
 * The reference takes exp(-a^2) as Math.exp(-s^2) Math.exp(-del), s = a cut
 * to 1/16, del = (a - s)(a + s) (Cody's device: two calls into fdlibm per
 * element). Here s is a cut to 2^-20 (at most 25 significant bits for
 * a < 32, so s^2 is exact), |del| <= 2^-14, and one table-driven exp
 * (./exp.ts) takes -s^2 and -del as a two-part argument.
 * The same exp gives phi for (2): exp(-a^2) is exp(-x^2/2) up to the rounding
 * of a (below). The forward keeps y'(x) for the backward (dx = g y', one
 * multiplication), instead of Phi and a second exp.
 * For a <= 0.46875 Phi is the reference's to the bit (no exp in it) and phi
 * takes exp(-0.5 x x), the reference's argument; for a > 26, infinities and
 * NaN every value is the reference's expression (Math.exp, normalCdf).
 *
 * The results are no longer the reference's to the bit: the bound, derived in
 * spec/fast/pointwise.spec.ts (`geluWithin`) from ./exp.ts (4) and the
 * reference's own roundings, is a relative (12 + a/4) u on exp(-a^2) R(a)
 * and (2.5 x^2 + 10.2) u on x phi(x), u = 2^-53.
 * The other approximations take the reference.
 */
import * as E from 'fp-ts/lib/Either.js'
import { defineOp } from '../core/op.ts'
import { make } from '../core/tensor.ts'
import { cody } from '../activations/erf.ts'
import * as Gelu from '../activations/gelu.ts'
import { fexp } from './exp.ts'
import { allocate } from './shared-array.ts'
import { parallelFor, rangeKernel } from './threads.ts'

const INV_SQRT2PI = 0.3989422804014327 // 1 / sqrt(2 pi), as the reference
const { C, D, P, Q, SQRPI, THRESH, erfSmall } = cody
const [C0, C1, C2, C3, C4, C5, C6, C7, C8] = C
const [D0, D1, D2, D3, D4, D5, D6, D7] = D
/** Above this a (|x| > 36.7) Phi is 0 or 1 up to subnormals: the reference's expressions take over. */
export const A_FAST = 26
const CUT = 2 ** 20

type Cache = { readonly ref: true; readonly cache: unknown } | { readonly ref: false; readonly dy: Float64Array }

/**
 * Elements per chunk of the forward: each chunk is split into its a <= THRESH
 * elements and the rest before either is computed.
 */
export const CHUNK = 4096

/**
 * (1), (2) over elements [lo, hi): y and y'(x), for the backward.
 *
 * Which formula an element takes, a <= THRESH or above, is a coin toss for
 * data centred on zero (|x| <= 0.66 for half of a standard normal), and a
 * branch on it mispredicted about every other element: the loop took 65 ms
 * on 4M normal draws, 40 ms on the same draws sorted. So each chunk is first
 * split, without a branch on the data, into two lists of indices (every index
 * is written to both lists, and a 0/1 count says which list keeps it), then
 * each list runs its formula in a loop of its own. Every element gets the
 * same expressions as before on the same numbers: the values do not change,
 * only the order in which elements are visited.
 */
export const geluForward = rangeKernel('gelu.forward', ({ x: xd, y, dy }: { x: Float64Array; y: Float64Array; dy: Float64Array }, lo: number, hi: number) => {
  const size = Math.min(CHUNK, Math.max(hi - lo, 0)) // a small call gets small lists
  const small = new Int32Array(size), rest = new Int32Array(size)
  for (let c0 = lo; c0 < hi; c0 += CHUNK) {
    const c1 = Math.min(hi, c0 + CHUNK)
    let ns = 0, nr = 0
    for (let i = c0; i < c1; i++) {
      const t = Number(Math.abs(-xd[i] * Math.SQRT1_2) <= THRESH) // NaN: 0, the rest
      small[ns] = i
      rest[nr] = i
      ns += t
      nr += 1 - t
    }
    for (let q = 0; q < ns; q++) { // a <= THRESH
      const i = small[q], v = xd[i]
      const phi = 0.5 * (1 - erfSmall(-v * Math.SQRT1_2)) // erf.ts (1), (4): the reference's Phi to the bit
      const e = fexp(-0.5 * v * v, 0) // the reference's argument
      y[i] = v * phi // (1)
      dy[i] = phi + v * INV_SQRT2PI * e // (2), small regime
    }
    for (let q = 0; q < nr; q++) {
      const i = rest[q], v = xd[i]
      const am = -v * Math.SQRT1_2, a = Math.abs(am)
      let phi: number, e: number // Phi(v), and exp(-a^2) ~ exp(-v^2/2)
      if (!(a <= A_FAST)) { // far tails, infinities, NaN: the reference's expressions
        phi = Gelu.normalCdf(v)
        e = Math.exp(-0.5 * v * v)
      } else {
        const s = Math.trunc(a * CUT) / CUT
        e = fexp(-s * s, -((a - s) * (a + s))) // exp(-a^2), (3)
        let r: number
        if (a <= 4) { // erf.ts (2), Horner unrolled in the reference's order
          const num = (((((((C8 * a + C0) * a + C1) * a + C2) * a + C3) * a + C4) * a + C5) * a + C6) * a
          const den = (((((((a + D0) * a + D1) * a + D2) * a + D3) * a + D4) * a + D5) * a + D6) * a
          r = e * ((num + C7) / (den + D7))
        } else { // erf.ts (3)
          const z = 1 / (a * a)
          let num = P[5] * z, den = z
          for (let k = 0; k < 4; k++) { num = (num + P[k]) * z; den = (den + Q[k]) * z }
          r = e * ((SQRPI - (z * (num + P[4])) / (den + Q[4])) / a)
        }
        // erf.ts (4), am < 0 ? 2 - r : r, by a 0/1 weight (the sign is a coin toss too):
        // exact, as r is finite and positive, so w (2 - r) + (1 - w) r is one of them plus +0
        const w = Number(am < 0)
        phi = 0.5 * (w * (2 - r) + (1 - w) * r)
      }
      y[i] = v * phi // (1)
      dy[i] = phi + v * INV_SQRT2PI * e // (2)
    }
  }
})

/** dx = g y'(x) over elements [lo, hi). */
export const geluBackward = rangeKernel('gelu.backward', ({ g, dy, dx }: { g: Float64Array; dy: Float64Array; dx: Float64Array }, lo: number, hi: number) => {
  for (let i = lo; i < hi; i++) dx[i] = g[i] * dy[i] // (2), the reference's g * y'(x)
})

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
    const n = x.data.length
    const y = allocate(n, { whole: true }), dy = allocate(n, { whole: true })
    parallelFor(geluForward, { x: x.data, y, dy }, n, n)
    return E.right({ outputs: { y: make(x.shape, y) }, cache: { ref: false as const, dy } })
  },
  backward: (a, cache, cot) => {
    if (cache.ref) return Gelu.op.backward(a, cache.cache as never, cot)
    const { dy } = cache, g = cot.y.data
    const dx = allocate(dy.length, { whole: true })
    parallelFor(geluBackward, { g, dy, dx }, dy.length, dy.length)
    return { x: make(cot.y.shape, dx) }
  },
})
