/**
 * Proof lines whose LaTeX is generated from the expression the check
 * evaluates (proofs/expr.ts): the page shows exactly what is computed, so a
 * LaTeX change is a value change (and breaks the chain; the mutation in
 * spec/docs/mutations.json plants r/2m in the normalization chain).
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { add, frac, mul, num, paren, sub, sym } from '../../proofs/expr.ts'
import { compactA, compactB } from '../../proofs/normalization/standardization.ts'
import { LINES } from '../../proofs/initialization/kaiming-relu.proof.ts'

const test = suite('docs: expressions that are LaTeX and numbers')

type Env = { a: number; b: number; c: number }
const A = sym<Env>('a', (e) => e.a), B = sym<Env>('b', (e) => e.b), C = sym<Env>('c', (e) => e.c)
const env: Env = { a: 2, b: 3, c: 5 }

test('parentheses exactly where precedence needs them, and values that agree with the LaTeX', () => {
  assert.is(sub(A, add(B, C)).tex, 'a - \\left(b + c\\right)')
  assert.is(sub(A, add(B, C)).ev(env), -6)
  assert.is(mul(add(A, B), C).tex, '\\left(a + b\\right)\\,c')
  assert.is(mul(add(A, B), C).ev(env), 25)
  assert.is(frac(A, mul(num(2), B)).tex, '\\frac{a}{2\\,b}')
  assert.is(frac(A, mul(num(2), B)).ev(env), 1 / 3)
  assert.is(frac(num(1), num(2), true).tex, '\\tfrac{1}{2}')
  assert.is(paren(A).tex, '\\left(a\\right)')
})

test("the normalization chain's last lines: (3) as printed, and r/m (not r/2m) in both the LaTeX and the value", () => {
  const e = { r: 0.5, m: 4, gi: 1, xi: 2, sg: 3, sgx: 7 }
  assert.is(compactB('m').tex, '\\frac{r}{m}\\,\\left(m\\,\\hat g_i - \\sum_j \\hat g_j - \\hat x_i\\,\\sum_j \\hat g_j\\,\\hat x_j\\right)')
  assert.is(compactB('m').ev(e), (0.5 / 4) * (4 * 1 - 3 - 2 * 7))
  assert.is(compactA('m').ev(e), 0.5 * (1 - 3 / 4) - (0.5 / 4) * 2 * 7)
  assert.ok(compactA('D').tex.includes('\\frac{r}{D}'), "the op's own symbol for the group size")
})

test("Kaiming's lines: the LaTeX names the quantities the values compute", () => {
  assert.is(LINES.variance.tex, '\\tfrac{1}{2}\\,n\\,\\operatorname{Var}(w)\\,\\operatorname{Var}(y)')
  assert.is(LINES.preserved.tex, '\\operatorname{Var}(y)')
})

test.run()
