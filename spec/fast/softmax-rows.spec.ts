/**
 * src/fast/softmax-rows.ts against the scalar definition it must equal to the
 * bit: per row, m = Math.max over the row, q_c = fexp(x_c - m, 0), s summed
 * in the kernel's lane order (even classes, odd classes, their sum, then the
 * last class of an odd row). Nothing is derived here: the
 * kernel runs fexp's operations in fexp's order, so any difference at all is
 * a bug. The row must take the scalar loop (-1) exactly when it is outside
 * fexp's domain: a NaN, an infinity, or fl(min - max) < -708.
 *
 * Rows: lengths 1 to 40, up to 300, and 9000 (past the first 64 KiB page, so
 * the memory grows); values at three scales; and the cases the kernel treats
 * apart: a NaN or an infinity at an even (SIMD) or at the last (odd tail)
 * position, spreads just inside and outside 708 (and inside exp's subnormal
 * range, where the exponent-field add would be wrong), and a maximum of zero
 * whose sign pmax cannot see (-0 first, +0 later in the same lane).
 *
 * The kept row leaves three ways, each checked to the bit: `keptTerm` (q_j),
 * `rowOut` (q into a longer array, nothing around it written; the array plain,
 * or a view into shared memory that starts inside its buffer, which takes
 * the byte copy) and `rowOut` with a factor f (f * q_c for every c, even and
 * odd tail alike), f drawn
 * with its specials: zeros of both signs, a negative, a subnormal, a huge
 * value, an infinity, NaN.
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { fexp } from '../../src/fast/exp.ts'
import { keptTerm, rowOut, simdAvailable, softmaxRow } from '../../src/fast/softmax-rows.ts'
import { failed, ok } from '../laws/result.ts'
import { property } from '../support/property.ts'
import { SEED, drawer } from './support.ts'

const test = suite('fast: softmax rows (WebAssembly SIMD)')

test('WebAssembly SIMD is available here (Node >= 20), so the rows below run through it', () => {
  assert.ok(simdAvailable())
})

type Special = 'none' | 'nan' | 'inf' | '-inf' | 'spread' | 'zeros'

const withSpecial = (row: Float64Array, kind: Special, at: number, spread: number): void => {
  const n = row.length
  if (kind === 'nan') row[at] = NaN
  if (kind === 'inf') row[at] = Infinity
  if (kind === '-inf') row[at] = -Infinity
  if (kind === 'spread') {
    let m = -Infinity
    for (const v of row) m = Math.max(m, v)
    row[at] = m - spread
  }
  if (kind === 'zeros') {
    for (let c = 0; c < n; c++) row[c] = -Math.abs(row[c]) - 1e-3
    row[at] = -0
    if (at + 2 < n) row[at + 2] = 0
  }
}

/** The scalar definition: m, the terms, the sum in the kernel's lane order. */
const scalar = (x: Float64Array) => {
  let m = -Infinity
  for (const v of x) m = Math.max(m, v)
  const q = Float64Array.from(x, (v) => fexp(v - m, 0))
  let even = 0, odd = 0
  const pairs = x.length & ~1
  for (let c = 0; c < pairs; c += 2) { even += q[c]; odd += q[c + 1] }
  let s = even + odd
  if (x.length & 1) s += q[x.length - 1]
  return { m, s, q }
}

property(test, 'softmaxRow equals the scalar definition to the bit, and falls back exactly outside exp\'s domain; the kept row leaves as q, and as f q',
  fc.record({
    n: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 41, max: 300 }), fc.constant(9000)),
    scale: fc.constantFrom(1, 30, 300),
    shared: fc.boolean(), lead: fc.integer({ min: 0, max: 3 }),
    factor: fc.oneof(fc.double({ noNaN: true, min: -1e3, max: 1e3 }), fc.constantFrom(0, -0, -1.5, 5e-324, 1e300, Infinity, NaN)),
    kind: fc.constantFrom<Special>('none', 'none', 'nan', 'inf', '-inf', 'spread', 'zeros'),
    tail: fc.boolean(),
    spread: fc.constantFrom(707.5, 708, 708 + 2 ** -40, 708.5, 720, 744, 800),
    offset: fc.integer({ min: 0, max: 5 }),
    seed: fc.integer(SEED),
  }),
  ({ n, scale, shared, lead, factor, kind, tail, spread, offset, seed }) => {
    const d = drawer(seed)
    const row = d.normal([n], scale).data
    withSpecial(row, kind, tail ? n - 1 : 0, spread)
    // the row sits at `offset` inside a longer input, and out is poisoned around it
    const x = new Float64Array(n + offset + 3).fill(7)
    x.set(row, offset)
    const before = Float64Array.from(x)
    // out: plain, or a view into shared memory that starts `lead` elements in (rowOut's byte copy must add its offset)
    const outArray = (): Float64Array => (shared ? new Float64Array(new SharedArrayBuffer(8 * (x.length + lead + 2)), 8 * lead, x.length) : new Float64Array(x.length)).fill(-5)
    const out = outArray(), scaled = outArray()
    const max = new Float64Array(1)
    const s = softmaxRow(x, offset, n, max)
    if (!x.every((v, i) => Object.is(v, before[i]))) return failed('softmaxRow wrote to its input')
    let lo = Infinity, hi = -Infinity
    for (const v of row) { lo = Math.min(lo, v); hi = Math.max(hi, v) }
    const inside = lo - hi >= -708 // fexp's domain for every x - m (rounding is monotonic)
    if (!inside) {
      return s === -1 ? ok : failed(`row outside exp's domain (min - max = ${lo - hi}): expected -1, got ${s}`)
    }
    if (s === -1) return failed(`row inside exp's domain (min - max = ${lo - hi}, ${kind}) fell back`)
    const want = scalar(row)
    for (let c = 0; c < n; c++) if (!Object.is(keptTerm(c), want.q[c])) return failed(`keptTerm(${c}): got ${keptTerm(c)}, scalar ${want.q[c]}`)
    rowOut(n, out, offset)
    rowOut(n, scaled, offset, factor)
    if (!Object.is(max[0], want.m)) return failed(`m: got ${max[0]}, Math.max gives ${want.m}`)
    if (!Object.is(s, want.s)) return failed(`s: got ${s}, the lane-order sum of fexp terms is ${want.s}`)
    for (let c = 0; c < n; c++) {
      if (!Object.is(out[offset + c], want.q[c])) return failed(`q[${c}] (x = ${row[c]}, m = ${want.m}): got ${out[offset + c]}, scalar ${want.q[c]}`)
    }
    for (let c = 0; c < n; c++) {
      const f = factor * want.q[c]
      if (!Object.is(scaled[offset + c], f)) return failed(`rowOut scaled by ${factor}, [${c}]: got ${scaled[offset + c]}, ${factor} * ${want.q[c]} = ${f}`)
    }
    for (let i = 0; i < out.length; i++) {
      if ((i < offset || i >= offset + n) && (out[i] !== -5 || scaled[i] !== -5)) return failed(`out[${i}] outside the row was written`)
    }
    return ok
  }, 300)

test('rowOut to shared memory, row after row of other lengths and across the memory\'s growth, gives what a plain array gets', () => {
  const d = drawer(11)
  const max = new Float64Array(1)
  // a short row first, then longer ones (the byte view must follow n), one past the memory's size so far (growth), then short again
  for (const n of [2, 5, 1, 64, 3, 20000, 7, 20001, 4]) {
    const x = d.normal([n], 3).data
    const plain = new Float64Array(n), shared = new Float64Array(new SharedArrayBuffer(8 * (n + 1)), 8, n)
    assert.ok(softmaxRow(x, 0, n, max) >= 0)
    rowOut(n, plain, 0)
    rowOut(n, shared, 0, 1)
    for (let c = 0; c < n; c++) if (!Object.is(shared[c], plain[c])) assert.unreachable(`n = ${n}, [${c}]: shared ${shared[c]}, plain ${plain[c]}`)
  }
})

test.run()
