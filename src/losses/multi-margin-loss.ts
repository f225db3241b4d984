/**
 * Multi-class hinge loss, PyTorch `F.multi_margin_loss`. Input x [N, C],
 * target y int64 [N] in [0, C), weight w [C] (1 when absent), margin m, p in {1, 2}:
 *   (1) z_nj = m - x_{n y_n} + x_nj                        for j != y_n
 *   (2) l_n = (1 / C) sum_{j != y_n, z_nj > 0} w_{y_n} z_nj^p
 *       divided by C, all classes, as PyTorch does (not C - 1); a term counts
 *       only where z > 0 strictly, which is also why a NaN z adds nothing
 *       (PyTorch's CPU kernel tests z > 0 the same way)
 * Reduction: ./reduction.ts, a mean over the N samples (the weight does not
 * enter the divisor). Backward, d_n = dL/dl_n; at z = 0 the term's derivative is 0:
 *   (3) dx_nj = d_n w_{y_n} p z_nj^(p-1) / C                 for j != y_n, z_nj > 0
 *   (4) dx_{n y_n} = -sum_{j != y_n} dx_nj
 */
import * as E from 'fp-ts/lib/Either.js'
import { type AttrParser, number, schema } from '../core/attrs.ts'
import { fail, show, showShape } from '../core/errors.ts'
import { defineOp } from '../core/op.ts'
import { type Tensor, make } from '../core/tensor.ts'
import { type Reduction, reduce, reduction, spread } from './reduction.ts'

export interface Attrs {
  readonly p: 1 | 2
  readonly margin: number
  readonly reduction: Reduction
}

export interface Cache {
  readonly x: Tensor
  readonly y: Float64Array
  readonly w: Float64Array | undefined
}

/** p is 1 or 2 only, as in PyTorch ("only p == 1 and p == 2 supported"). */
const power: AttrParser<1 | 2> = (op, name, v) =>
  v === undefined ? E.right(1)
    : v === 1 || v === 2 ? E.right(v)
    : fail(op, `attrs.${name}`, '1 or 2', show(v))

export const op = defineOp<Attrs, Cache>({
  name: 'multi_margin_loss',
  inputs: [
    { name: 'input' },
    { name: 'target', kind: 'int' },
    { name: 'weight', optional: true, grad: false },
  ],
  outputs: ['loss'],
  attrs: schema<Attrs>({ p: power, margin: number(1), reduction }),
  forward: (attrs, { input, target, weight }) => {
    const x = input!, t = target!
    if (x.shape.length !== 2) return fail('multi_margin_loss', 'inputs.input', 'rank 2, [N, C]', showShape(x.shape))
    const [n, c] = x.shape
    if (t.shape.length !== 1 || t.shape[0] !== n) return fail('multi_margin_loss', 'inputs.target', `[${n}], one class per sample`, showShape(t.shape))
    for (let i = 0; i < n; i++) {
      const y = t.data[i]
      if (!Number.isInteger(y) || y < 0 || y >= c) return fail('multi_margin_loss', 'inputs.target', `class indices in [0, ${c})`, `${y} at position ${i}`)
    }
    if (weight !== undefined && (weight.shape.length !== 1 || weight.shape[0] !== c)) {
      return fail('multi_margin_loss', 'inputs.weight', `[${c}], one weight per class`, showShape(weight.shape))
    }
    const w = weight?.data
    const l = new Float64Array(n)
    for (let a = 0; a < n; a++) {
      const y = t.data[a]
      const xy = x.data[a * c + y]
      let s = 0
      for (let j = 0; j < c; j++) {
        if (j === y) continue
        const z = attrs.margin - xy + x.data[a * c + j] // (1)
        if (z > 0) s += (w === undefined ? 1 : w[y]) * (attrs.p === 1 ? z : z * z) // (2)
      }
      l[a] = s / c // (2)
    }
    return E.right({ outputs: { loss: reduce(l, [n], attrs.reduction, n) }, cache: { x, y: t.data, w } })
  },
  backward: (attrs, { x, y, w }, { loss: g }) => {
    const [n, c] = x.shape
    const d = spread(g, n, attrs.reduction, n)
    const dx = new Float64Array(n * c)
    for (let a = 0; a < n; a++) {
      const ya = y[a]
      const xy = x.data[a * c + ya]
      const scale = (d[a] * (w === undefined ? 1 : w[ya])) / c
      let dxy = 0
      for (let j = 0; j < c; j++) {
        if (j === ya) continue
        const z = attrs.margin - xy + x.data[a * c + j] // (1)
        if (!(z > 0)) continue
        dx[a * c + j] = scale * (attrs.p === 1 ? 1 : 2 * z) // (3)
        dxy -= dx[a * c + j] // (4)
      }
      dx[a * c + ya] = dxy // (4)
    }
    return { input: make(x.shape, dx) }
  },
})
