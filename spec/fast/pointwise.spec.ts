/**
 * Fast GELU, max pooling and cross entropy against their readable references.
 * Max pooling runs the reference's arithmetic in the reference's order
 * (./bound.ts), so outputs, indices and gradients must be identical to the
 * bit, including the conventions that live in the details: the first maximum
 * on a tie and the last NaN, padding that never wins, empty windows (-inf,
 * index -1), in the generic loop and in the unrolled 2 x 2 one. GELU and
 * cross entropy take their exp from src/fast/exp.ts: each must stay within a
 * bound derived below (`geluWithin`, `ceWithin`), and be identical where no
 * exp enters (GELU near 0 and in its far tails, ignored positions, the
 * tanh and sigmoid forms). Cross entropy: ignored positions, class weights,
 * label smoothing, the three reductions, the spatial layout [N, C, d1, ...].
 * The Adam step takes the reference's expressions in the reference's order:
 * identical to the bit (Adam and AdamW, with and without weight decay).
 */
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { suite } from 'uvu'
import type { Tensor } from '../../src/core/tensor.ts'
import { cody, erfc } from '../../src/activations/erf.ts'
import { normalCdf } from '../../src/activations/gelu.ts'
import { A_FAST, CHUNK } from '../../src/fast/activations.ts'
import { type Verdict, all, failed, ok } from '../laws/result.ts'
import { property } from '../support/property.ts'
import { identicalAll } from './bound.ts'
import { SEED, both, drawer, dualOf } from './support.ts'

const test = suite('fast: gelu, max_pool2d, cross_entropy, adam_step')

const same = (name: string, attrs: Record<string, unknown>, inputs: Record<string, Tensor>, cot: Record<string, Tensor>) =>
  both(dualOf(name), attrs, inputs, cot, (f, r) => all(identicalAll(`${name} outputs`, f.outputs, r.outputs), identicalAll(`${name} gradients`, f.gradients, r.gradients)))

/**
 * GELU's bound (src/fast/activations.ts), per element, u = 2^-53, a = |fl(-x / sqrt 2)|:
 *  - a <= 0.46875: Phi is the reference's to the bit, so y is too.
 *  - a > 26, infinities, NaN: every value is the reference's expression: y and dx identical.
 *  - otherwise the erfc part r = exp(-a^2) R(a) (erf.ts (2), (3)) differs only
 *    in its exp: fast <= 4.1 u (exp.ts (4)) plus 2u |del| <= 2^-13 u for its
 *    own del; the reference's Math.exp(-s^2) Math.exp(-del) <= 2u + 2u + u,
 *    its del = (a - s)(a + s), s = a cut to 1/16, carries <= 2u |del| <= u a/4
 *    (|del| <= 2a/16); the product with R rounds once on each side: 2u. So
 *      |dr| <= (12 + a/4) u r,   (4.1 + 5 + 2 = 11.1, with margin)
 *    Phi = (2 - r)/2 (x > 0: each side rounds 2 - r, <= u Phi each) or r/2:
 *      |dPhi| <= |dr|/2 + (x > 0 ? 2u Phi : 0),   |dy| <= |x| |dPhi| + 2u |y|  (y = x Phi rounds on each side)
 *  - x phi(x) = x exp(-x^2/2)/sqrt(2 pi): the fast path takes exp(-a^2) (<= 4.1 u
 *    from exact) for exp(-x^2/2): a^2 = x^2/2 (1 + d)^2 with |d| <= 2u (SQRT1_2
 *    and the product), a relative 2 x^2 u; the reference's Math.exp(-0.5 x x)
 *    carries x^2/2 u from x x and 2u from exp. The two products by x and
 *    1/sqrt(2 pi) round on each side: 4u. So |dt| <= ((2.5 x^2 + 6.1) 1.0001 + 4) u |t|
 *    <= (2.5 x^2 + 10.2) u |t| (for a <= 0.46875 the fast exp takes the
 *    reference's argument: 6.1 u + 4u, inside the same bound).
 *    y' = Phi + t rounds on each side: |dy'| <= |dPhi| + |dt| + 2u |y'|;
 *    dx = g y': |ddx| <= |g| |dy'| + 2u |dx|.
 * A wrong sign of the exp's low part moves r by 2 |del| ~ 1e-4 relative; a
 * dropped term of (2), a wrong coefficient: far more.
 */
const U = 2 ** -53
const INV_SQRT2PI = 0.3989422804014327

const geluWithin = (x: Tensor, g: Tensor, f: { y: Tensor; dx: Tensor }, r: { y: Tensor; dx: Tensor }): Verdict => {
  for (let i = 0; i < x.data.length; i++) {
    const v = x.data[i], a = Math.abs(-v * Math.SQRT1_2)
    const yf = f.y.data[i], yr = r.y.data[i], df = f.dx.data[i], dr = r.dx.data[i]
    if (!(a <= A_FAST) || a <= cody.THRESH) {
      if (!Object.is(yf, yr)) return failed(`gelu y[${i}] (x = ${v}): fast ${yf}, reference ${yr} (must be identical here)`)
      if (!(a <= A_FAST)) {
        if (!Object.is(df, dr)) return failed(`gelu dx[${i}] (x = ${v}): fast ${df}, reference ${dr} (must be identical here)`)
        continue
      }
    }
    const phi = normalCdf(v), t = v * INV_SQRT2PI * Math.exp(-0.5 * v * v), d = phi + t
    const dPhi = a <= cody.THRESH ? 0 : ((12 + a / 4) * U * erfc(a)) / 2 + (v > 0 ? 2 * U * phi : 0)
    const tolY = Math.abs(v) * dPhi + 2 * U * Math.abs(yr)
    const dT = (2.5 * v * v + 10.2) * U * Math.abs(t)
    const tolDx = Math.abs(g.data[i]) * (dPhi + dT + 2 * U * Math.abs(d)) + 2 * U * Math.abs(dr)
    if (!(Math.abs(yf - yr) <= tolY)) return failed(`gelu y[${i}] (x = ${v}): fast ${yf}, reference ${yr}, |diff| ${Math.abs(yf - yr)} > derived bound ${tolY}`)
    if (!(Math.abs(df - dr) <= tolDx)) return failed(`gelu dx[${i}] (x = ${v}): fast ${df}, reference ${dr}, |diff| ${Math.abs(df - dr)} > derived bound ${tolDx}`)
  }
  return ok
}

property(test, 'gelu "none": fast within the derived bound of the reference (identical where no exp enters Phi; tails, zeros, infinities, NaN)',
  fc.record({ n: fc.integer({ min: 0, max: 64 }), scale: fc.constantFrom(0.5, 1, 5, 40), special: fc.boolean(), seed: fc.integer(SEED) }),
  ({ n, scale, special, seed }) => {
    const d = drawer(seed)
    const x = d.normal([n], scale)
    if (special && n >= 5) { x.data[0] = 0; x.data[1] = -0; x.data[2] = Infinity; x.data[3] = -Infinity; x.data[4] = NaN }
    const g = d.normal([n])
    return both(dualOf('gelu'), { approximate: 'none' }, { x }, { y: g }, (f, r) =>
      geluWithin(x, g, { y: f.outputs.y, dx: f.gradients.x }, { y: r.outputs.y, dx: r.gradients.x }))
  }, 100)

property(test, 'gelu "none" across the forward\'s chunks: every element of every chunk (the last one partial) within the bound, specials at the chunk edges',
  fc.record({ chunks: fc.integer({ min: 1, max: 3 }), extra: fc.integer({ min: -2, max: 2 }), scale: fc.constantFrom(1, 5), seed: fc.integer(SEED) }),
  ({ chunks, extra, scale, seed }) => {
    const n = chunks * CHUNK + extra
    const d = drawer(seed)
    const x = d.normal([n], scale)
    const specials = [0, -0, Infinity, -Infinity, NaN, 30, -30, 0.5, -0.5]
    for (let c = 0; c <= chunks; c++) {
      for (const at of [c * CHUNK - 1, c * CHUNK]) if (at >= 0 && at < n) x.data[at] = specials[(seed + c + at) % specials.length]
    }
    const g = d.normal([n])
    return both(dualOf('gelu'), { approximate: 'none' }, { x }, { y: g }, (f, r) =>
      geluWithin(x, g, { y: f.outputs.y, dx: f.gradients.x }, { y: r.outputs.y, dx: r.gradients.x }))
  }, 12)

property(test, 'gelu "tanh" and "sigmoid" take the reference: identical to the bit',
  fc.record({ n: fc.integer({ min: 0, max: 64 }), scale: fc.constantFrom(1, 5, 40), approximate: fc.constantFrom('tanh', 'sigmoid'), special: fc.boolean(), seed: fc.integer(SEED) }),
  ({ n, scale, approximate, special, seed }) => {
    const d = drawer(seed)
    const x = d.normal([n], scale)
    if (special && n >= 5) { x.data[0] = 0; x.data[1] = -0; x.data[2] = Infinity; x.data[3] = -Infinity; x.data[4] = NaN }
    return same('gelu', { approximate }, { x }, { y: d.normal([n]) })
  }, 50)

property(test, 'max_pool2d: fast equals the reference to the bit (ties, NaN, padding, dilation, stride, ceil_mode, empty windows)',
  fc.record({
    n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 1, max: 9 }), w: fc.integer({ min: 1, max: 9 }),
    k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })), s: fc.option(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })), { nil: undefined }),
    dil: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })), pad: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })),
    ceil: fc.boolean(), ties: fc.boolean(), nans: fc.integer({ min: 0, max: 3 }), seed: fc.integer(SEED),
  }),
  ({ n, c, h, w, k, s, dil, pad, ceil, ties, nans, seed }) => {
    const d = drawer(seed)
    const x = ties ? d.ints([n, c, h, w], 3) : d.normal([n, c, h, w])
    for (let i = 0; i < nans; i++) x.data[(seed + 7 * i) % x.data.length] = NaN
    const attrs = { kernel_size: k, ...(s ? { stride: s } : {}), dilation: dil, padding: pad, ceil_mode: ceil }
    // the cotangent's shape is the output's: take it from the reference's forward inside `both`
    const op = dualOf('max_pool2d')
    return both(op, attrs, { x }, undefined, (f, r) => {
      const first = identicalAll('max_pool2d outputs', f.outputs, r.outputs)
      if (!first.ok) return first
      return same('max_pool2d', attrs, { x }, { y: d.normal([...r.outputs.y.shape]) })
    })
  }, 150)

/**
 * max_pool2d's one-pass product (pooling.ts (5), `fused`) must give what
 * forward then backward give, to the bit: y, the indices and dx, including
 * the -0 a gradient of -0 becomes at its winner (0 + g, as the zeroed plane
 * plus g), NaN and infinite gradients, and the zeros of an odd last row or
 * column no window covers. It takes exactly `pool2x2`'s windows (2 x 2,
 * stride 2, no padding or dilation, every window inside the image, so also
 * ceil_mode where it adds no window) with a well-formed cotangent of y alone,
 * and declines every other call (other windows, a cotangent of the wrong
 * shape, one for the indices, a bad input).
 */
property(test, 'max_pool2d: the one-pass product equals forward then backward to the bit, and takes exactly the calls it is meant for',
  fc.record({
    n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 1, max: 9 }), w: fc.integer({ min: 1, max: 9 }),
    window: fc.constantFrom('2x2', '2x2', '2x2', 'ceil', 'stride1', 'pad', 'dilation', '3x3'), ties: fc.boolean(), nans: fc.integer({ min: 0, max: 3 }),
    special: fc.constantFrom(0, 0, -0, NaN, Infinity), cot: fc.constantFrom('y', 'y', 'y', 'shape', 'indices', 'none'), rank3: fc.constantFrom(false, false, false, false, true),
    seed: fc.integer(SEED),
  }),
  ({ n, c, h, w, window, ties, nans, special, cot, rank3, seed }) => {
    const d = drawer(seed)
    const op = dualOf('max_pool2d').fastPath
    const x = rank3 ? d.normal([c, h, w]) : ties ? d.ints([n, c, h, w], 2) : d.normal([n, c, h, w])
    for (let i = 0; i < nans; i++) x.data[(seed + 7 * i) % x.data.length] = NaN
    const raw = {
      '2x2': { kernel_size: 2 }, ceil: { kernel_size: 2, ceil_mode: true }, stride1: { kernel_size: 2, stride: 1 },
      pad: { kernel_size: 2, padding: 1 }, dilation: { kernel_size: 2, dilation: 2 }, '3x3': { kernel_size: 3, stride: 2 },
    }[window]
    const attrs = op.parseAttrs(raw)
    if (E.isLeft(attrs)) return failed('attrs')
    const f = op.forward(attrs.right, { x })
    const one = (shape: number[]) => {
      const g = d.normal(cot === 'shape' ? [...shape, 1] : shape)
      if (!Object.is(special, 0) && g.data.length > 0) g.data[seed % g.data.length] = special
      const cots: Record<string, Tensor> = cot === 'none' ? {} : cot === 'indices' ? { y: g, indices: g } : { y: g }
      return { cots, r: op.fused!(attrs.right, { x }, cots) }
    }
    if (E.isLeft(f)) return one([n, c, 1, 1]).r === undefined ? ok : failed('the one-pass product took a call the forward refuses')
    const yShape = [...f.right.outputs.y.shape]
    const { cots, r } = one(yShape)
    const ho = yShape[2], wo = yShape[3]
    const meant = (window === '2x2' || (window === 'ceil' && 2 * ho <= h && 2 * wo <= w)) && cot === 'y'
    if (r === undefined) return meant ? failed('the one-pass product declined a call it is meant for') : ok
    if (!meant) return failed(`the one-pass product took a call it is not meant for (${window}, cot ${cot})`)
    const dx = op.backward(attrs.right, f.right.cache, cots).x!
    return all(
      identicalAll('max_pool2d outputs (one pass against two)', r.outputs, f.right.outputs),
      identicalAll('max_pool2d dx (one pass against two)', r.gradients, { x: dx }),
    )
  }, 300)

property(test, 'max_pool2d 2 x 2, stride 2 (its own unrolled loop): fast equals the reference to the bit (ties, NaN, odd sizes, ceil_mode)',
  fc.record({
    n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 2, max: 9 }), w: fc.integer({ min: 2, max: 9 }),
    ceil: fc.boolean(), ties: fc.boolean(), nans: fc.integer({ min: 0, max: 3 }), seed: fc.integer(SEED),
  }),
  ({ n, c, h, w, ceil, ties, nans, seed }) => {
    const d = drawer(seed)
    const x = ties ? d.ints([n, c, h, w], 2) : d.normal([n, c, h, w])
    for (let i = 0; i < nans; i++) x.data[(seed + 7 * i) % x.data.length] = NaN
    const attrs = { kernel_size: 2, ceil_mode: ceil }
    return both(dualOf('max_pool2d'), attrs, { x }, undefined, (f, r) => {
      const first = identicalAll('max_pool2d outputs', f.outputs, r.outputs)
      if (!first.ok) return first
      return same('max_pool2d', attrs, { x }, { y: d.normal([...r.outputs.y.shape]) })
    })
  }, 100)

/**
 * Cross entropy's bound (src/fast/losses.ts: the reference's expressions and
 * orders but s's, exp through fexp), per position i with c classes, u = 2^-53,
 * g_c = c u / (1 - c u) (./bound.ts), E_c = exp(x_c - m) (arguments identical
 * on both sides):
 *  - s = sum_c E_c (the fast SIMD rows sum two lanes, the reference in class
 *    order): fexp within 4.1 u, Math.exp within 2u, each computed sum, in
 *    any order, within g_{c-1} <= g_c of its own terms' sum (Higham (4.4)):
 *      |ds| <= rho s,  rho = (6.1 u + 2 g_c)(1 + 1e-9)
 *  - l = log s (Math.log within 1 ulp, 2u relative, on each side):
 *      |dl| <= lam = rho / (1 - rho) + 4u |l| (1 + 1e-9)
 *  - logp = (x - m) - l rounds once on each side: |dlogp| <= lam (1 + u) + 2u |logp|
 *  - nll = -w_y logp_y: |dnll| <= |w_y| |dlogp_y| (1 + u) + 2u |nll|;
 *    the smoothing sum t = -sum_c w_c logp_c: |dt| <= (1 + g_c) sum_c |w_c| |dlogp_c| (1 + u) + 2 g_c sum_c |w_c logp_c|
 *  - the reduction (same order, ./reduction.ts): |dR| <= (1 + g_N) sum |d_i| + 2 g_N sum |v_i|,
 *    then / divisor (mean) rounds on each side: + 2u |R|
 *  - smoothing's (4): |dL| <= |1 - e| |dRn| (1 + u) + (e/c) |dRs| (1 + u) + 4u (|(1 - e) Rn| + |(e/c) Rs|) + 2u |L|
 *  - backward (7): the fast p = q (1/s), q = fexp(x - m) (losses.ts (8)), is
 *    within 4.1 u (q) + 4.1 u + g_c (s) + 2u (two roundings) of the exact
 *    p = E / s (away from the target the fast path forms K p as (K (1/s)) q:
 *    the same roundings, 1/s and two products, one of them counted with A's
 *    below, in another order, so the same bound); the reference's
 *    p = Math.exp(logp) carries its logp's error (s: 2u + g_c; log: 2u |l|;
 *    the subtraction: u |logp|) and exp's 2u:
 *      |dp| <= p (14.2 u + 2 g_c + 2u |l| + u |logp|) (1 + 1e-9) + 3 MIN_VALUE
 *    (the last term: where x - m lies in (-745, -708) q and p are subnormal and
 *    err absolutely: Math.exp's ulp for q, the product's half ulp, the reference's ulp)
 *    A = K (p - [c = y]), K = (1 - e) d w_y the same on both sides:
 *      |dA| <= |K| (|dp| + 2u |p - [c = y]|) (1 + u) + 2u |A|
 *    B = K2 (sw p - w_c), K2 = (e/c) d: |dB| <= |K2| (sw |dp| + 2u |sw p| + 2u |sw p - w_c|) (1 + u) + 2u |B|
 *    dx = A + B: |ddx| <= |dA| + |dB| + 2u |dx|
 *    Without smoothing B is a zero (finite d and weights) and the fast path
 *    leaves it out, so a zero dx may carry the other sign: zeros of either
 *    sign are taken as equal (where p = 0 at a -Infinity logit the bound
 *    itself is 0 times infinity).
 * A log-sum-exp that drops a term, a wrong class's log-probability or a
 * gradient off by one class moves the result by O(p) or O(1/c), far above it.
 */
const gam = (m: number): number => (m * U) / (1 - m * U)

const ceWithin = (input: Tensor, cls: Int32Array, w: Float64Array, e: number, reduction: string, cot: Tensor, f: { loss: Tensor; dx: Tensor }, r: { loss: Tensor; dx: Tensor }): Verdict => {
  const [n, c] = input.shape, k = input.data.length / (n * c), N = n * k, x = input.data
  const rho = (6.1 * U + 2 * gam(c)) * (1 + 1e-9)
  const dNll = new Float64Array(N), vNll = new Float64Array(N), dS = new Float64Array(N), vS = new Float64Array(N)
  const dLogp = new Float64Array(x.length), logp = new Float64Array(x.length), logS = new Float64Array(N)
  let divisor = 0, sw = 0
  for (let cc = 0; cc < c; cc++) sw += w[cc]
  for (let i = 0; i < N; i++) {
    const j = i % k, base = (i - j) * c + j
    let m = -Infinity, s = 0
    for (let cc = 0; cc < c; cc++) m = Math.max(m, x[base + cc * k])
    for (let cc = 0; cc < c; cc++) s += Math.exp(x[base + cc * k] - m)
    const l = Math.log(s)
    logS[i] = l
    const lam = rho / (1 - rho) + 4 * U * Math.abs(l) * (1 + 1e-9)
    let sumD = 0, sumV = 0
    for (let cc = 0, q = base; cc < c; cc++, q += k) {
      logp[q] = (x[q] - m) - l
      dLogp[q] = lam * (1 + U) + 2 * U * Math.abs(logp[q])
      sumD += Math.abs(w[cc]) * dLogp[q]
      sumV += Math.abs(w[cc] * logp[q])
    }
    const y = cls[i]
    if (y < 0) continue
    divisor += w[y]
    const q = base + y * k
    vNll[i] = Math.abs(w[y] * logp[q])
    dNll[i] = Math.abs(w[y]) * dLogp[q] * (1 + U) + 2 * U * vNll[i]
    vS[i] = sumV
    dS[i] = (1 + gam(c)) * sumD * (1 + U) + 2 * gam(c) * sumV
  }
  const reduced = (d: Float64Array, v: Float64Array): { d: Float64Array; v: Float64Array } => {
    if (reduction === 'none') return { d, v }
    let sd = 0, sv = 0
    for (let i = 0; i < N; i++) { sd += d[i]; sv += v[i] }
    const R = (1 + gam(N)) * sd + 2 * gam(N) * sv
    return reduction === 'sum' ? { d: Float64Array.of(R), v: Float64Array.of(sv) } : { d: Float64Array.of(R / divisor + 2 * U * sv / divisor), v: Float64Array.of(sv / divisor) }
  }
  const rn = reduced(dNll, vNll), rs = reduced(dS, vS)
  for (let i = 0; i < r.loss.data.length; i++) {
    const tol = e > 0
      ? Math.abs(1 - e) * rn.d[i] * (1 + U) + (e / c) * rs.d[i] * (1 + U) + 4 * U * (Math.abs(1 - e) * rn.v[i] + (e / c) * rs.v[i]) + 2 * U * Math.abs(r.loss.data[i])
      : rn.d[i]
    const diff = Math.abs(f.loss.data[i] - r.loss.data[i])
    if (!(diff <= tol) && !Object.is(f.loss.data[i], r.loss.data[i])) return failed(`cross_entropy loss[${i}]: fast ${f.loss.data[i]}, reference ${r.loss.data[i]}, |diff| ${diff} > derived bound ${tol}`)
  }
  const d = reduction === 'none' ? cot.data : new Float64Array(N).fill(reduction === 'sum' ? cot.data[0] : cot.data[0] / divisor)
  for (let i = 0; i < N; i++) {
    const y = cls[i], j = i % k, base = (i - j) * c + j
    for (let cc = 0, q = base; cc < c; cc++, q += k) {
      if (y < 0) {
        if (!Object.is(f.dx.data[q], r.dx.data[q])) return failed(`cross_entropy dx[${q}] at an ignored position: fast ${f.dx.data[q]}, reference ${r.dx.data[q]}`)
        continue
      }
      const p = Math.exp(logp[q]), dp = p * (14.2 * U + 2 * gam(c) + 2 * U * Math.abs(logS[i]) + U * Math.abs(logp[q])) * (1 + 1e-9) + 3 * Number.MIN_VALUE
      const K = (1 - e) * d[i] * w[y], K2 = (e / c) * d[i], dlt = cc === y ? 1 : 0
      const A = K * (p - dlt), B = K2 * (sw * p - w[cc])
      const tol = Math.abs(K) * (dp + 2 * U * Math.abs(p - dlt)) * (1 + U) + 2 * U * Math.abs(A) +
        Math.abs(K2) * (sw * dp + 2 * U * Math.abs(sw * p) + 2 * U * Math.abs(sw * p - w[cc])) * (1 + U) + 2 * U * Math.abs(B) + 2 * U * Math.abs(r.dx.data[q])
      const diff = Math.abs(f.dx.data[q] - r.dx.data[q])
      if (!(diff <= tol) && f.dx.data[q] !== r.dx.data[q] && !Object.is(f.dx.data[q], r.dx.data[q])) return failed(`cross_entropy dx[${q}]: fast ${f.dx.data[q]}, reference ${r.dx.data[q]}, |diff| ${diff} > derived bound ${tol}`)
    }
  }
  return ok
}

property(test, 'cross_entropy (class targets): fast within the derived bound of the reference (weights, ignore_index, label smoothing, reductions, spatial dims, infinite logits)',
  fc.record({
    n: fc.integer({ min: 1, max: 4 }), c: fc.integer({ min: 1, max: 40 }), spatial: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
    weight: fc.boolean(), ignore: fc.boolean(), smoothing: fc.constantFrom(0, 0, 0.1, 1), reduction: fc.constantFrom('mean', 'sum', 'none'),
    scale: fc.constantFrom(1, 30, 1e5), inf: fc.boolean(), seed: fc.integer(SEED),
  }),
  ({ n, c, spatial, weight, ignore, smoothing, reduction, scale, inf, seed }) => {
    const d = drawer(seed)
    const input = d.normal([n, c, ...spatial], scale)
    if (inf) input.data[seed % input.data.length] = -Infinity
    const target = d.labels([n, ...spatial], c)
    const ignoreIndex = ignore ? Math.min(c - 1, 1) : -100
    const attrs = { ignore_index: ignoreIndex, label_smoothing: smoothing, reduction }
    const wt = weight ? d.uniform([c], 0, 2) : undefined
    const inputs: Record<string, Tensor> = { input, target, ...(wt ? { weight: wt } : {}) }
    const lossShape = reduction === 'none' ? [n, ...spatial] : []
    const cot = d.normal(lossShape)
    const cls = Int32Array.from(target.data, (t) => (t === ignoreIndex ? -1 : t))
    const w = wt ? wt.data : new Float64Array(c).fill(1)
    return both(dualOf('cross_entropy'), attrs, inputs, { loss: cot }, (f, r) =>
      ceWithin(input, cls, w, smoothing, reduction, cot, { loss: f.outputs.loss, dx: f.gradients.input }, { loss: r.outputs.loss, dx: r.gradients.input }))
  }, 150)

/**
 * The first backward on a forward writes dx over the forward's q (losses.ts,
 * `handOnce`); a second backward on the same forward must recompute q and
 * leave the first dx alone. Both must equal what a fresh forward gives for
 * their cotangent, to the bit (the recomputed q is the same kernel on the
 * same rows).
 */
property(test, 'cross_entropy: two backwards on one forward give each its own dx, equal to a fresh forward\'s, and the second leaves the first alone',
  fc.record({ n: fc.integer({ min: 1, max: 6 }), c: fc.integer({ min: 1, max: 30 }), spatial: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 1 }), smoothing: fc.constantFrom(0, 0.1), seed: fc.integer(SEED) }),
  ({ n, c, spatial, smoothing, seed }) => {
    const d = drawer(seed)
    const op = dualOf('cross_entropy').fastPath
    const attrs = op.parseAttrs({ reduction: 'none', label_smoothing: smoothing })
    if (E.isLeft(attrs)) return failed('attrs')
    const inputs = { input: d.normal([n, c, ...spatial]), target: d.labels([n, ...spatial], c) }
    const cots = [d.normal([n, ...spatial]), d.normal([n, ...spatial])]
    const dxOf = (cache: unknown, cot: Tensor) => op.backward(attrs.right, cache, { loss: cot }).input!.data
    const fresh = (cot: Tensor) => {
      const f = op.forward(attrs.right, inputs)
      return E.isLeft(f) ? undefined : dxOf(f.right.cache, cot)
    }
    const f = op.forward(attrs.right, inputs)
    if (E.isLeft(f)) return failed('forward failed')
    const first = dxOf(f.right.cache, cots[0]), copy = Float64Array.from(first)
    const second = dxOf(f.right.cache, cots[1])
    if (!first.every((v, i) => Object.is(v, copy[i]))) return failed('the second backward wrote over the first backward\'s dx')
    const want = cots.map(fresh)
    for (const [name, got, w] of [['first', copy, want[0]], ['second', second, want[1]]] as const) {
      if (w === undefined || !got.every((v, i) => Object.is(v, w[i]))) return failed(`the ${name} backward differs from a fresh forward's`)
    }
    return ok
  }, 60)

/**
 * The one-pass product (losses.ts (9), `fused`) must give what forward then
 * backward give, to the bit: loss and dx, every element (it runs the same
 * operations on the same values; any difference is a bug, and the bound
 * above then holds for it too). It must take exactly the calls it is meant
 * for, [n, c] logits (or [n, c, 1, ...]: one position a row) with class
 * targets, no label smoothing, a finite spread of the cotangent and a finite
 * sum of weights, and decline every other (spatial dims above 1, smoothing, a non-finite cotangent or weight, a cotangent of
 * the wrong shape or name, a bad target, an unknown input: the two passes
 * report those), so
 * that this law compares two paths and not one with itself. Logits at the
 * scale of 1e5 leave exp's domain (the row takes the scalar loop inside the
 * fused kernel); infinities and NaN in a row do too.
 */
property(test, 'cross_entropy: the one-pass product equals forward then backward to the bit, and takes exactly the calls it is meant for',
  fc.record({
    n: fc.integer({ min: 1, max: 6 }), c: fc.integer({ min: 1, max: 40 }), spatial: fc.constantFrom<number[]>([], [], [], [1], [2]),
    weight: fc.constantFrom('none', 'none', 'drawn', 'infinite'), ignore: fc.boolean(), smoothing: fc.constantFrom(0, 0, 0, 0.1),
    reduction: fc.constantFrom('mean', 'sum', 'none'), scale: fc.constantFrom(1, 30, 1e5), special: fc.constantFrom(0, 0, -Infinity, Infinity, NaN),
    cot: fc.constantFrom('drawn', 'drawn', 'drawn', 'zero', 'infinite', 'nan', 'shape', 'name', 'float32'),
    bad: fc.constantFrom('none', 'none', 'none', 'none', 'target', 'input'), seed: fc.integer(SEED),
  }),
  ({ n, c, spatial, weight, ignore, smoothing, reduction, scale, special, cot, bad, seed }) => {
    const d = drawer(seed)
    const op = dualOf('cross_entropy').fastPath
    const input = d.normal([n, c, ...spatial], scale)
    if (special !== 0) input.data[seed % input.data.length] = special
    const target = d.labels([n, ...spatial], c)
    if (bad === 'target') target.data[seed % target.data.length] = c
    const wt = weight === 'none' ? undefined : d.uniform([c], 0, 2)
    if (wt !== undefined && weight === 'infinite') { wt.data[0] = Number.MAX_VALUE; wt.data[c - 1] = Number.MAX_VALUE } // finite weights, their sum overflows when c > 1
    const raw = { ignore_index: ignore ? Math.min(c - 1, 1) : -100, label_smoothing: smoothing, reduction }
    const attrs = op.parseAttrs(raw)
    if (E.isLeft(attrs)) return failed('attrs')
    const inputs: Record<string, Tensor> = { input, target, ...(wt ? { weight: wt } : {}), ...(bad === 'input' ? { bias: d.normal([c]) } : {}) }
    const lossShape = reduction === 'none' ? [n, ...spatial] : []
    const g = d.normal(cot === 'shape' ? [...lossShape, 2] : lossShape)
    if (cot === 'zero') g.data.fill(0)
    if (cot === 'infinite' || cot === 'nan') g.data[seed % Math.max(1, g.data.length)] = cot === 'nan' ? NaN : Infinity
    const gt: Tensor = cot === 'float32' ? { ...g, dtype: 'float32' } : g
    const cots: Record<string, Tensor> = cot === 'name' ? { losses: gt } : { loss: gt }
    // what the two passes give, or their error
    const f = op.forward(attrs.right, inputs)
    const one = op.fused!(attrs.right, inputs, cots)
    // the spread d_i (reduction.ts (4)): g itself, g, or g / divisor with divisor the weights of the counted targets
    const wOf = (y: number) => (wt === undefined ? 1 : wt.data[y])
    const divisor = Array.from(target.data).reduce((a, y) => (y === raw.ignore_index ? a : a + wOf(y)), 0)
    const spreadFinite = g.data.every((v) => Number.isFinite(reduction === 'mean' ? v / divisor : v))
    const sw = wt === undefined ? c : wt.data.reduce((a, b) => a + b, 0)
    const meant = spatial.every((s) => s === 1) && smoothing === 0 && bad === 'none' && Number.isFinite(sw) && spreadFinite && cot !== 'shape' && cot !== 'name'
    if (E.isLeft(f)) return one === undefined ? ok : failed(`the one-pass product took a call the forward refuses (${f.left.arg}: ${f.left.received})`)
    if (one === undefined) return meant ? failed('the one-pass product declined a call it is meant for') : ok
    if (!meant) return failed(`the one-pass product took a call it is not meant for (spatial ${spatial}, smoothing ${smoothing}, cot ${cot}, weights ${weight})`)
    const dx = op.backward(attrs.right, f.right.cache, cots).input!
    return all(
      identicalAll('cross_entropy loss (one pass against two)', one.outputs, f.right.outputs),
      identicalAll('cross_entropy dx (one pass against two)', one.gradients, { input: dx }),
    )
  }, 300)

property(test, 'cross_entropy (probability targets) takes the reference, and bad targets get the reference\'s error',
  fc.record({ n: fc.integer({ min: 1, max: 3 }), c: fc.integer({ min: 2, max: 5 }), bad: fc.boolean(), seed: fc.integer(SEED) }),
  ({ n, c, bad, seed }) => {
    const d = drawer(seed)
    const input = d.normal([n, c])
    const target = bad ? d.labels([n + 1], c) : d.uniform([n, c], 0, 1)
    return same('cross_entropy', { reduction: 'sum' }, { input, target }, { loss: d.normal([]) })
  }, 40)

property(test, 'adam_step: fast equals the reference to the bit (Adam and AdamW, weight decay or none, steps 1 to 1000, zero moments)',
  fc.record({
    n: fc.integer({ min: 1, max: 200 }), decoupled: fc.boolean(), decay: fc.constantFrom(0, 0, 1e-2, 0.5), step: fc.integer({ min: 1, max: 1000 }),
    lr: fc.constantFrom(1e-3, 0.1), zero: fc.boolean(), seed: fc.integer(SEED),
  }),
  ({ n, decoupled, decay, step, lr, zero, seed }) => {
    const d = drawer(seed)
    const inputs = { param: d.normal([n]), grad: d.normal([n], 0.1), exp_avg: zero ? d.normal([n], 0) : d.normal([n], 0.1), exp_avg_sq: zero ? d.normal([n], 0) : d.uniform([n], 0, 0.01) }
    return same('adam_step', { lr, step, decoupled, weight_decay: decay }, inputs, { param: d.normal([n]), exp_avg: d.normal([n]), exp_avg_sq: d.normal([n]) })
  }, 100)

test.run()
