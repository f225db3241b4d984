/**
 * What the derivations of pointwise activations share. A pointwise f has a
 * diagonal Jacobian, so its backward with the upstream gradient g = 1 returns
 * f'(x_i) for every i; the lines below compute f'(x) elementwise.
 */
import fc from 'fast-check'
import { make } from '../../src/core/tensor.ts'
import type { Step } from '../derivation.ts'
import { gradients } from '../library.ts'
import { vector } from '../points.ts'
import { type Objective, centralDifferences, differenceTolerance, roundingEach } from '../tolerance.ts'

export interface Point { readonly x: Float64Array }

/**
 * x in [-5, 5]^n, n <= 8: spec/laws/tolerance.ts's bound on third derivatives
 * (M3_REL) is argued for inputs in that range.
 */
export const points: fc.Arbitrary<Point> = fc.integer({ min: 1, max: 8 }).chain((n) => vector(n, -5, 5)).map((x) => ({ x }))

/**
 * L(x) = sum_j f(x_j): its partial derivative in x_i is f'(x_i). The rounding
 * scale counts |f(x_j)| + 1 per term: a difference of exponentials such as
 * tanh's numerator is accurate to a few ulps of 1, not of its small value.
 */
export const sumOf = (f: (x: number) => number) => (_p: Point): Objective => (x) => {
  let s = 0, a = 0
  for (let j = 0; j < x.length; j++) { const v = f(x[j]); s += v; a += Math.abs(v) + 1 }
  return { f: s, n: x.length, s: a }
}

/** The top line: f'(x_i) measured by a central difference of f as written. */
export const measured = (latex: string, reason: string, f: (x: number) => number): Step<Point> => ({
  latex, reason,
  value: (p) => centralDifferences(sumOf(f)(p), p.x),
  tolerance: differenceTolerance((p: Point) => p.x, sumOf(f)),
})

export const elementwise = (f: (x: number) => number) => (p: Point): Float64Array => Float64Array.from(p.x, f)

/** The bottom line: the op's backward with g = 1, through vjp. */
export const library = (op: string, attrs: Record<string, unknown>, latex: string, reason: string): Step<Point> => ({
  latex, reason,
  value: (p) => gradients(op, attrs, { x: make([p.x.length], p.x) }, { y: make([p.x.length], new Float64Array(p.x.length).fill(1)) }).x,
})

/**
 * Rounding of the algebraic lines: each is a handful of exp, tanh, erf and
 * arithmetic operations on terms of size at most (1 + |x|)^3 (the x u'(x)
 * term of GELU's tanh form is the largest); 64 ulps of that, as OP_ULPS.
 */
export const pointwiseTolerance = roundingEach<Point>(64, (p, i) => (1 + Math.abs(p.x[i])) ** 3, '64 eps (1 + |x|)^3, the size of the terms')
