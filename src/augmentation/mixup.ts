/**
 * Mixup (Zhang, Cisse, Dauphin & Lopez-Paz 2018): each example is blended
 * with its partner perm[n], and so is its label distribution,
 * x [N, ...], target [N, C] probabilities, perm int64 [N]:
 *   (1) x'[n] = lam x[n] + (1 - lam) x[perm[n]]
 *   (2) t'[n] = lam t[n] + (1 - lam) t[perm[n]]     rows still sum to 1
 * Backward (the same for x and target), g = dL/dx':
 *   (3) dx[n] = lam g[n] + (1 - lam) sum_{m : perm[m] = n} g[m]
 * perm gets no gradient; a lam of 1 (or 0 with perm the identity) returns the pair unchanged.
 */
import * as E from 'fp-ts/lib/Either.js'
import { number, schema } from '../core/attrs.ts'
import { type OpError, fail } from '../core/errors.ts'
import { defineOp } from '../core/op.ts'
import { type Tensor, make } from '../core/tensor.ts'

export interface Attrs { readonly lam: number }
export interface Cache { readonly perm: Int32Array }

/** perm int64 [N], entries in [0, N). */
export const checkPerm = (op: string, perm: Tensor, n: number): E.Either<OpError, Int32Array> => {
  if (perm.shape.length !== 1 || perm.shape[0] !== n) return fail(op, 'inputs.perm', `shape [${n}] (one partner per example)`, `[${perm.shape}]`)
  for (const v of perm.data) if (!(v >= 0 && v < n)) return fail(op, 'inputs.perm', `indices in [0, ${n})`, String(v))
  return E.right(Int32Array.from(perm.data))
}

/** (1), (2): rows of length `row`. */
export const mix = (t: Tensor, perm: Int32Array, lam: number): Tensor => {
  const row = t.data.length / perm.length, out = new Float64Array(t.data.length)
  for (let n = 0; n < perm.length; n++) {
    for (let k = 0; k < row; k++) out[n * row + k] = lam * t.data[n * row + k] + (1 - lam) * t.data[perm[n] * row + k] // (1), (2)
  }
  return make(t.shape, out)
}

/** (3) */
export const mixT = (g: Tensor, perm: Int32Array, lam: number): Tensor => {
  const row = g.data.length / perm.length, dx = new Float64Array(g.data.length)
  for (let n = 0; n < perm.length; n++) {
    for (let k = 0; k < row; k++) {
      dx[n * row + k] += lam * g.data[n * row + k] // (3)
      dx[perm[n] * row + k] += (1 - lam) * g.data[n * row + k] // (3)
    }
  }
  return make(g.shape, dx)
}

const OP = 'mixup'

export const op = defineOp<Attrs, Cache>({
  name: OP,
  inputs: [{ name: 'x' }, { name: 'target' }, { name: 'perm', kind: 'int', grad: false }],
  outputs: ['x', 'target'],
  attrs: schema<Attrs>({ lam: number(undefined, { min: 0, max: 1 }) }),
  forward: (a, { x, target, perm }) => {
    if (x!.shape.length < 1) return fail(OP, 'inputs.x', 'a batch [N, ...]', 'a scalar')
    const n = x!.shape[0]
    if (target!.shape.length !== 2 || target!.shape[0] !== n) return fail(OP, 'inputs.target', `shape [${n}, C] (probabilities per example)`, `[${target!.shape}]`)
    return E.map((p: Int32Array) => ({
      outputs: { x: mix(x!, p, a.lam), target: mix(target!, p, a.lam) },
      cache: { perm: p },
    }))(checkPerm(OP, perm!, n))
  },
  backward: (a, { perm }, { x: gx, target: gt }) => ({ x: mixT(gx, perm, a.lam), target: mixT(gt, perm, a.lam) }),
})
