/**
 * The blocked GEMM (src/fast/gemm.ts) against the plain sum it computes,
 *   C[i, j] + sum_{p < k} A(i, p) B(p, j)
 * for drawn sizes that cross every block edge (MR = NR = 4, KC = 256,
 * MC = 64; one fixed case crosses NC = 512), both operand orientations,
 * offsets, and C accumulated into (gemm adds). `gemmBlocked` forces the
 * packed path on sizes `gemm` would send to its small loop.
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { gemm, gemmBlocked } from '../../src/fast/gemm.ts'
import { type Verdict, failed, ok } from '../laws/result.ts'
import { property } from '../support/property.ts'
import { reorderTolerance } from './bound.ts'
import { SEED, drawer } from './support.ts'

const test = suite('fast: gemm')

type Gemm = typeof gemm

interface GemmCase { n: number; m: number; k: number; ta: boolean; tb: boolean; ao: number; bo: number; co: number; seed: number }

/** Run `f` on a drawn case and compare with the p-ordered sum; inputs must stay unwritten. */
const check = (f: Gemm, c: GemmCase): Verdict => {
  const { n, m, k, ta, tb, ao, bo, co } = c
  const d = drawer(c.seed)
  const a = d.normal([ao + n * k]).data, b = d.normal([bo + k * m]).data, c0 = d.normal([co + n * m]).data
  const [ars, acs] = ta ? [1, n] : [k, 1]
  const [brs, bcs] = tb ? [1, k] : [m, 1]
  const aCopy = Float64Array.from(a), bCopy = Float64Array.from(b)
  const out = Float64Array.from(c0)
  f(n, m, k, a, ao, ars, acs, b, bo, brs, bcs, out, co)
  if (!a.every((v, i) => v === aCopy[i]) || !b.every((v, i) => v === bCopy[i])) return failed('gemm wrote to A or B')
  for (let i = 0; i < co; i++) if (out[i] !== c0[i]) return failed(`gemm wrote before C's offset, at ${i}`)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = c0[co + i * m + j], sAbs = Math.abs(s)
      for (let p = 0; p < k; p++) {
        const t = a[ao + i * ars + p * acs] * b[bo + p * brs + j * bcs]
        s += t
        sAbs += Math.abs(t)
      }
      const got = out[co + i * m + j], tol = reorderTolerance(k + 1, sAbs)
      if (!(Math.abs(got - s) <= tol)) return failed(`C[${i}, ${j}] = ${got}, the plain sum ${s}, |diff| > ${tol} (${JSON.stringify(c)})`)
    }
  }
  return ok
}

const sizes = fc.record({
  n: fc.integer({ min: 1, max: 70 }), m: fc.integer({ min: 1, max: 40 }), k: fc.integer({ min: 1, max: 300 }),
  ta: fc.boolean(), tb: fc.boolean(),
  ao: fc.integer({ min: 0, max: 3 }), bo: fc.integer({ min: 0, max: 3 }), co: fc.integer({ min: 0, max: 3 }),
  seed: fc.integer(SEED),
})

property(test, 'the packed path equals the plain sum within the derived bound (block edges, transposes, offsets, accumulation)', sizes, (c) => check(gemmBlocked, c), 40)

property(test, 'gemm (small loop or packed path by size) equals the plain sum within the derived bound', sizes, (c) => check(gemm, c), 40)

test('a product crossing every block size at once (n 70 > MC, m 520 > NC, k 260 > KC)', () => {
  const v = check(gemm, { n: 70, m: 520, k: 260, ta: false, tb: true, ao: 1, bo: 2, co: 3, seed: 13 })
  assert.ok(v.ok, v.ok ? '' : v.message)
})

test('0 * Inf stays NaN and Inf survives: no zero-skipping, and padding never reaches a result', () => {
  const n = 5, m = 6, k = 7
  const a = new Float64Array(n * k).fill(1), b = new Float64Array(k * m).fill(1)
  a[2 * k + 3] = 0; b[3 * m + 4] = Infinity // row 2 of A times column 4 of B meets 0 * Inf
  b[1 * m + 5] = Infinity // column 5: Inf for every row whose A(i, 1) = 1
  const c = new Float64Array(n * m)
  gemmBlocked(n, m, k, a, 0, k, 1, b, 0, m, 1, c, 0)
  assert.ok(Number.isNaN(c[2 * m + 4]), `C[2, 4] = ${c[2 * m + 4]}, expected NaN`)
  assert.is(c[0 * m + 5], Infinity)
  assert.is(c[4 * m + 0], 7)
})

test.run()
