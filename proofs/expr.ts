/**
 * Expressions that are both LaTeX and a number: a proof line built from them
 * shows the LaTeX generated from the very expression its check evaluates
 * (./derivation.ts). Writing the LaTeX by hand next to a separate `value`
 * lets the two drift apart: `\frac{r}{2m}` on the page over code that
 * computes r / m passes every check. With an Expr there is one object:
 * change `frac(r, m)` to `frac(r, mul(two, m))` and both the page and the
 * number change, so the line disagrees with its neighbours and the chain
 * breaks (spec/proofs/expr.spec.ts shows it; spec/docs/mutations.json plants it).
 *
 *   (1) tex(e) is the LaTeX of e, with parentheses only where precedence needs them
 *   (2) ev(e, env) is e's value in the environment env (symbols read their value from it)
 * Precedence: 1 sum/difference, 2 product, 3 atom (symbol, number, fraction, bracket).
 */

export interface Expr<E> {
  readonly tex: string
  /** 1: sum or difference, 2: product, 3: atom */
  readonly prec: 1 | 2 | 3
  readonly ev: (env: E) => number
}

/** A symbol: its LaTeX, and how to read its value. */
export const sym = <E>(tex: string, ev: (env: E) => number): Expr<E> => ({ tex, prec: 3, ev })

/** A number, written as an integer or a decimal. */
export const num = <E>(v: number): Expr<E> => ({ tex: String(v), prec: 3, ev: () => v })

const wrap = <E>(e: Expr<E>, below: number): string => (e.prec <= below ? `\\left(${e.tex}\\right)` : e.tex)

/** a + b + ... */
export const add = <E>(...es: Expr<E>[]): Expr<E> => ({
  tex: es.map((e) => e.tex).join(' + '), prec: 1, ev: (env) => es.reduce((s, e) => s + e.ev(env), 0),
})

/** a - b (b in parentheses when it is a sum or difference) */
export const sub = <E>(a: Expr<E>, b: Expr<E>): Expr<E> => ({
  tex: `${a.tex} - ${wrap(b, 1)}`, prec: 1, ev: (env) => a.ev(env) - b.ev(env),
})

/** a b ... (a factor that is a sum or difference in parentheses), thin spaces between factors */
export const mul = <E>(...es: Expr<E>[]): Expr<E> => ({
  tex: es.map((e) => wrap(e, 1)).join('\\,'), prec: 2, ev: (env) => es.reduce((s, e) => s * e.ev(env), 1),
})

/** a / b as \frac{a}{b}; `small` writes \tfrac (an inline-sized fraction) */
export const frac = <E>(a: Expr<E>, b: Expr<E>, small = false): Expr<E> => ({
  tex: `\\${small ? 't' : ''}frac{${a.tex}}{${b.tex}}`, prec: 3, ev: (env) => a.ev(env) / b.ev(env),
})

/** (a), always bracketed (for a factor the reader should see grouped) */
export const paren = <E>(a: Expr<E>): Expr<E> => ({ tex: `\\left(${a.tex}\\right)`, prec: 3, ev: a.ev })

/** The value of e at every element i of a point: a line's `value` from an environment per element. */
export const evalEach = <E>(e: Expr<E>, n: number, envOf: (i: number) => E): Float64Array => {
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) out[i] = e.ev(envOf(i))
  return out
}

/** a^k for an integer k, as a^{k} (a base that is not an atom in parentheses) */
export const pow = <E>(a: Expr<E>, k: number): Expr<E> => ({
  tex: `${wrap(a, 2)}^{${k}}`, prec: 3, ev: (env) => a.ev(env) ** k,
})

/** e^{a} */
export const exp = <E>(a: Expr<E>): Expr<E> => ({ tex: `e^{${a.tex}}`, prec: 3, ev: (env) => Math.exp(a.ev(env)) })

/** -a (a sum or difference in parentheses) */
export const neg = <E>(a: Expr<E>): Expr<E> => ({ tex: `-${wrap(a, 2)}`, prec: 2, ev: (env) => -a.ev(env) })

/** A named function of one argument, f(a), written with its LaTeX name. */
export const call = <E>(name: string, a: Expr<E>, f: (v: number) => number): Expr<E> => ({
  tex: `${name}(${a.tex})`, prec: 3, ev: (env) => f(a.ev(env)),
})
