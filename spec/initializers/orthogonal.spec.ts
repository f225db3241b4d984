/**
 * Orthogonal initialization and the Householder QR under it.
 *
 * Tolerance (one formula, used throughout): Householder QR is backward
 * stable; for M [p, q] (Higham, Accuracy and Stability, Thm 19.4 and Lemma
 * 19.3) the computed factors satisfy M + dM = Q' R with ||dm_j|| <= g ||m_j|| and
 * the computed Q differs from an exactly orthonormal Q' by ||dq_j|| <= g in
 * every column, g = c p q u / (1 - c p q u), u = 2^-53, c a small integer
 * constant (Higham leaves it unnamed; we take c = 16, two to four times what his
 * proofs accumulate). Hence
 *   |(Q^T Q - I)_ij| <= 2 g + g^2 + p u        (the last term: the p-term dot product, Higham eq. 3.5)
 *   |(Q R - M)_ij|   <= (g + q u) ||M||_F
 * times gain^2 (or gain) when the gain scales Q, and one more ulp for that product.
 * Typical errors are about sqrt(p) u, so these bounds sit far above the noise and
 * far below any real mistake (a missed sign or transpose is an O(1) error).
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { keyFromSeed } from '../../src/core/random.ts'
import type { Shape, Tensor } from '../../src/core/tensor.ts'
import { gaussianOf, orthogonal } from '../../src/initializers/orthogonal.ts'
import { householderQR } from '../../src/initializers/qr.ts'
import { type Verdict, all, assertLaw, failed, ok } from '../laws/result.ts'
import { property } from '../support/property.ts'

const test = suite('initializers: orthogonal')

const U = 2 ** -53
const C = 16
const g = (p: number, q: number) => (C * p * q * U) / (1 - C * p * q * U)
const orthoTol = (p: number, q: number, gain: number) => gain * gain * (2 * g(p, q) + g(p, q) ** 2 + p * U + 2 * U)

const get = (r: E.Either<unknown, Tensor>): Tensor => {
  if (E.isLeft(r)) throw new Error(JSON.stringify(r.left))
  return r.right
}

/** Q^T Q for Q [p, q] row-major: the q x q Gram of the columns. */
const gramCols = (a: ArrayLike<number>, p: number, q: number): Float64Array => {
  const out = new Float64Array(q * q)
  for (let i = 0; i < p; i++) for (let j = 0; j < q; j++) for (let k = 0; k < q; k++) out[j * q + k] += a[i * q + j] * a[i * q + k]
  return out
}

/** The flattened weight as a tall [p, q] matrix Q (transposed when rows < cols), divided by the gain. */
const tallOf = (w: Tensor, gain: number): { q: Float64Array; p: number; qn: number; tall: boolean } => {
  const rows = w.shape[0], cols = w.data.length / rows
  const tall = rows >= cols
  const [p, qn] = tall ? [rows, cols] : [cols, rows]
  const q = new Float64Array(p * qn)
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
    const v = w.data[i * cols + j] / gain
    if (tall) q[i * qn + j] = v
    else q[j * qn + i] = v
  }
  return { q, p, qn, tall }
}

/** W^T W = gain^2 I (tall) or W W^T = gain^2 I (wide), entrywise within orthoTol. */
const orthonormalLaw = (w: Tensor, gain: number): Verdict => {
  const rows = w.shape[0], cols = w.data.length / rows
  const tall = rows >= cols
  const [p, q] = tall ? [rows, cols] : [cols, rows]
  // the Gram of W's own entries (not divided by the gain): gain^2 I
  const t = tallOf(w, 1)
  const G = gramCols(t.q, p, q)
  const tol = orthoTol(p, q, gain)
  for (let j = 0; j < q; j++) for (let k = 0; k < q; k++) {
    const e = (j === k ? gain * gain : 0)
    if (!(Math.abs(G[j * q + k] - e) <= tol)) return failed(`${tall ? 'W^T W' : 'W W^T'}[${j}, ${k}] = ${G[j * q + k]}, expected ${e} +- ${tol}`)
  }
  return ok
}

/**
 * The sign correction, as a law: with A the Gaussian the initializer drew
 * (normal(key, [rows, cols]), orthogonal.ts (1)) and M = A or A^T, the factor
 * R = Q^T M is upper triangular with a POSITIVE diagonal: Q is the unique QR
 * factor with diag(R) > 0, the Haar-distributed one (Mezzadri 2007).
 * |R_ij| below the diagonal within (g + q u) ||M||_F; R_kk > that bound.
 */
const signLaw = (key: ReturnType<typeof keyFromSeed>, shape: Shape, w: Tensor, gain: number): Verdict => {
  const a = gaussianOf(key, shape)
  const rows = shape[0], cols = a.length / rows
  const t = tallOf(w, gain)
  const { p, qn } = t
  const m = new Float64Array(p * qn)
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
    if (t.tall) m[i * qn + j] = a[i * cols + j]
    else m[j * qn + i] = a[i * cols + j]
  }
  let mf = 0
  for (const v of m) mf += v * v
  const tol = (g(p, qn) + qn * U + 4 * U) * Math.sqrt(mf)
  for (let i = 0; i < qn; i++) for (let j = 0; j < qn; j++) {
    let r = 0
    for (let k = 0; k < p; k++) r += t.q[k * qn + i] * m[k * qn + j]
    if (i > j && !(Math.abs(r) <= tol)) return failed(`R[${i}, ${j}] = ${r} below the diagonal (tol ${tol})`)
    if (i === j && !(r > tol)) return failed(`R[${i}, ${i}] = ${r}: diag(R) must be positive after the sign correction`)
  }
  return ok
}

const shapeArb = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 })).map(([a, b]) => [a, b]),
  fc.tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })).map(([a, b, c, d]) => [a, b, c, d]),
)
const caseArb = fc.record({ shape: shapeArb, gain: fc.constantFrom(1, Math.SQRT2, 0.5, 5 / 3), seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }) })

property(test, 'orthogonal: W^T W = gain^2 I (rows >= cols) or W W^T = gain^2 I, conv shapes flattened as [rows, prod(rest)]', caseArb, ({ shape, gain, seed }) =>
  orthonormalLaw(get(orthogonal(keyFromSeed(seed), shape, { gain })), gain))

property(test, 'orthogonal: sign-corrected, Q^T A is upper triangular with a positive diagonal (the Haar factor)', caseArb, ({ shape, gain, seed }) =>
  signLaw(keyFromSeed(seed), shape, get(orthogonal(keyFromSeed(seed), shape, { gain })), gain))

test('orthogonal at layer sizes: [300, 120] tall, [64, 2, 8, 8] wide (rows < cols: QR of A^T, then transposed)', () => {
  for (const [shape, gain] of [[[300, 120], Math.SQRT2], [[64, 2, 8, 8], 1]] as const) {
    const key = keyFromSeed(shape.length * 7919)
    const w = get(orthogonal(key, shape, { gain }))
    assert.equal(w.shape, [...shape])
    assertLaw(all(orthonormalLaw(w, gain), signLaw(key, shape, w, gain)))
  }
})

property(test, 'householder QR: Q R = M, Q^T Q = I, R upper triangular',
  fc.record({ p: fc.integer({ min: 1, max: 10 }), dq: fc.integer({ min: 0, max: 9 }), seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }) }),
  ({ p, dq, seed }) => {
    const q = Math.max(1, p - dq)
    const m = gaussianOf(keyFromSeed(seed), [p, q])
    const f = householderQR(m, p, q)
    let mf = 0
    for (const v of m) mf += v * v
    const tol = (g(p, q) + q * U + 4 * U) * Math.sqrt(mf)
    for (let i = 0; i < p; i++) for (let j = 0; j < q; j++) {
      let s = 0
      for (let k = 0; k < q; k++) s += f.q[i * q + k] * f.r[k * q + j]
      if (!(Math.abs(s - m[i * q + j]) <= tol)) return failed(`(QR - M)[${i}, ${j}] = ${s - m[i * q + j]}`)
    }
    for (let i = 0; i < q; i++) for (let j = 0; j < i; j++) if (f.r[i * q + j] !== 0) return failed(`R[${i}, ${j}] = ${f.r[i * q + j]}`)
    const G = gramCols(f.q, p, q)
    for (let j = 0; j < q; j++) for (let k = 0; k < q; k++) {
      if (!(Math.abs(G[j * q + k] - (j === k ? 1 : 0)) <= orthoTol(p, q, 1))) return failed(`Q^T Q[${j}, ${k}] = ${G[j * q + k]}`)
    }
    return ok
  })

test('householder QR does not write into its argument, and a zero column gives R_kk = 0 with Q still orthonormal', () => {
  const m = Float64Array.of(0, 1, 0, 2, 0, 3) // [3, 2], first column zero
  const copy = Float64Array.from(m)
  const f = householderQR(m, 3, 2)
  assert.equal([...m], [...copy])
  assert.is(f.r[0], 0)
  const G = gramCols(f.q, 3, 2)
  assert.ok(Math.abs(G[0] - 1) < 1e-15 && Math.abs(G[3] - 1) < 1e-15 && Math.abs(G[1]) < 1e-15)
})

test('orthogonal: fewer than 2 dimensions is an error value; zero elements an empty tensor', () => {
  const r = orthogonal(keyFromSeed(1), [4])
  assert.ok(E.isLeft(r))
  assert.equal(get(orthogonal(keyFromSeed(1), [0, 4])).shape, [0, 4])
})

test.run()
