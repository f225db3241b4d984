/** Binding graphs (src/graph) to the law interfaces of spec/laws. */
import * as E from 'fp-ts/lib/Either.js'
import { formatError } from '../../src/core/errors.ts'
import type { Tensors } from '../../src/core/op.ts'
import type { Key } from '../../src/core/random.ts'
import * as G from '../../src/graph/index.ts'
import type { Differentiable } from '../laws/gradient.ts'

export const unwrap = <A>(r: E.Either<Parameters<typeof formatError>[0], A>): A => {
  if (E.isLeft(r)) throw new Error(formatError(r.left))
  return r.right
}

/**
 * A compiled graph as a Differentiable over the values named in `free`, the
 * other inputs held at `fixed`; outputs are every value of the run.
 */
export const graphFn = (compiled: G.Compiled, fixed: Tensors, key?: Key): Differentiable => ({
  forward: (inputs) => unwrap(G.forward(compiled, { ...fixed, ...inputs }, key === undefined ? {} : { key })).values,
  vjp: (inputs, cot) => unwrap(G.vjp(compiled, { ...fixed, ...inputs }, cot, Object.keys(inputs), key === undefined ? {} : { key })).gradients,
})

/** Elementwise identity, -0 and NaN payload aside: the same float64 bits. */
export const bitwiseEqual = (a: Float64Array, b: Float64Array): boolean =>
  a.length === b.length && a.every((v, i) => Object.is(v, b[i]))

export const pick = (ts: Tensors, names: readonly string[]): Tensors => Object.fromEntries(names.map((k) => [k, ts[k]]))
export const omit = (ts: Tensors, names: readonly string[]): Tensors => Object.fromEntries(Object.entries(ts).filter(([k]) => !names.includes(k)))

import { setReference } from '../../src/fast/mode.ts'

/**
 * The catalogue runs each op's fast path unless the readable reference is
 * forced (src/fast/mode.ts). A law about the ops must hold on both, so the
 * graph specs run it under each: `paths` names them, `onPath` runs a law on one.
 */
export const paths = ['fast', 'reference'] as const
export const onPath = <A>(path: (typeof paths)[number], f: () => A): A => {
  const was = setReference(path === 'reference')
  try { return f() } finally { setReference(was) }
}
