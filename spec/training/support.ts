/** Small networks and runs shared by the training specs. */
import * as E from 'fp-ts/lib/Either.js'
import { formatError } from '../../src/core/errors.ts'
import type { Tensors } from '../../src/core/op.ts'
import { type Key, foldIn, normal, split, uniformArray } from '../../src/core/random.ts'
import { type Tensor, make } from '../../src/core/tensor.ts'
import * as G from '../../src/graph/index.ts'

export const unwrap = <A>(r: E.Either<Parameters<typeof formatError>[0], A>): A => {
  if (E.isLeft(r)) throw new Error(formatError(r.left))
  return r.right
}

export const bitwiseEqual = (a: Float64Array, b: Float64Array): boolean =>
  a.length === b.length && a.every((v, i) => Object.is(v, b[i]))

/** Class labels in [0, classes) from a key, int64 [n]. */
export const labels = (key: Key, n: number, classes: number): Tensor =>
  make([n], Float64Array.from(uniformArray(key, n), (u) => Math.floor(u * classes)), 'int64')

/** k batches {x [n, d], t [n]} drawn from a key. */
export const batches = (key: Key, k: number, n: number, d: number, classes: number): Tensors[] =>
  Array.from({ length: k }, (_, i) => {
    const [kx, kt] = split(foldIn(key, i))
    return { x: normal(kx, [n, d]), t: labels(kt, n, classes) }
  })

export const mlp = (key: Key, sizes: readonly number[]): G.Network => unwrap(G.mlp(key, { sizes }))
