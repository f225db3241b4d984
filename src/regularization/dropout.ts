/**
 * Dropout (Srivastava et al. 2014), PyTorch's `F.dropout` with a given mask.
 * `p` is the probability of DROPPING a unit (PyTorch, Keras, ONNX); the keep
 * probability is 1 - p (cs231n's `p` is the keep probability: not ours).
 * A keep mask m in {0, 1} (m_i = 1 keeps unit i) drawn as
 *   (1) m_i ~ Bernoulli(1 - p), independently
 * Every mode is y = x * k for a fixed multiplier k:
 *   (2) training, inverted:  k = m / (1 - p)      at p = 1, k = 0 (all units dropped)
 *   (3) training, vanilla:   k = m                 at p = 1, k = 0 as well
 *   (4) evaluation:          k = 1 (inverted, the identity), 1 - p (vanilla); the mask is ignored
 *   (5) y = x * k            x * 0 keeps NaN and turns Inf into NaN, as PyTorch's p = 1 does
 * Expectation over (1): E[m] = 1 - p, so E[(2)] = 1 = (4 inverted) and
 * E[(3)] = 1 - p = (4 vanilla): each pair of scales agrees in the mean.
 * Backward, g = dL/dy (y is linear in x; the mask gets no gradient):
 *   (6) dx = g * k        the mask times the same scale as the forward
 */
import * as E from 'fp-ts/lib/Either.js'
import { boolean, number, schema } from '../core/attrs.ts'
import { type OpError, fail, show, showShape } from '../core/errors.ts'
import { type Forward, defineOp } from '../core/op.ts'
import { type Key, bernoulli } from '../core/random.ts'
import { type Shape, type Tensor, make, sameShape } from '../core/tensor.ts'

export interface Attrs { readonly p: number; readonly training: boolean; readonly inverted: boolean }
export interface Cache { readonly k: Float64Array } // what (6) needs

export const attrs = schema<Attrs>({ p: number(0.5, { min: 0, max: 1 }), training: boolean(true), inverted: boolean(true) })

/**
 * The scale applied to kept units in training. p = 1 is all zeros in both
 * modes (case format, "Settled details"): 1 / (1 - p) would be Inf, and a mask
 * keeping a unit at p = 1 is an event of probability zero.
 */
// #region scales
export const trainScale = (a: Attrs): number => (a.p === 1 ? 0 : a.inverted ? 1 / (1 - a.p) : 1) // (2), (3)

/** The evaluation multiplier (4). */
export const evalScale = (a: Attrs): number => (a.inverted ? 1 : 1 - a.p) // (4)
// #endregion scales

/** A keep mask (1), as a bool tensor: 1 with probability 1 - p. */
export const sampleMask = (key: Key, p: number, shape: Shape): Tensor => {
  const m = bernoulli(key, 1 - p, shape) // (1)
  return make(m.shape, m.data, 'bool')
}

const checkMask = (op: string, x: Tensor, mask: Tensor): E.Either<OpError, Tensor> => {
  if (!sameShape(mask.shape, x.shape)) return fail(op, 'inputs.mask', `shape ${showShape(x.shape)} (x's)`, showShape(mask.shape))
  const bad = mask.data.findIndex((v) => v !== 0 && v !== 1)
  if (bad >= 0) {
    return fail(op, 'inputs.mask', 'values 0 or 1 (1 keeps a unit)', `${show(mask.data[bad])} at flat index ${bad}`, 'a bool, int64 or float 0/1 tensor')
  }
  return E.right(mask)
}

// #region forward
export const forward = (a: Attrs, x: Tensor, mask: Tensor | undefined): E.Either<OpError, Forward<Cache>> => {
  const n = x.data.length
  const k = new Float64Array(n)
  if (!a.training) {
    k.fill(evalScale(a)) // (4)
  } else {
    if (mask === undefined) {
      return fail('dropout', 'inputs.mask', 'a keep mask when training is true', 'nothing',
        'training dropout draws a random mask, so fixed numbers need the mask; use withKey to draw one, or training false')
    }
    const checked = checkMask('dropout', x, mask)
    if (E.isLeft(checked)) return checked
    const s = trainScale(a)
    for (let i = 0; i < n; i++) k[i] = mask.data[i] * s // (2), (3)
  }
  const y = new Float64Array(n)
  for (let i = 0; i < n; i++) y[i] = x.data[i] * k[i] // (5)
  return E.right({ outputs: { y: make(x.shape, y) }, cache: { k } })
}
// #endregion forward

// #region backward
export const backward = ({ k }: Cache, g: Tensor): Tensor => {
  const dx = new Float64Array(k.length)
  for (let i = 0; i < k.length; i++) dx[i] = g.data[i] * k[i] // (6)
  return make(g.shape, dx)
}
// #endregion backward

export const op = defineOp<Attrs, Cache>({
  name: 'dropout',
  inputs: [{ name: 'x' }, { name: 'mask', optional: true, grad: false, kind: 'any' }],
  outputs: ['y'],
  attrs,
  forward: (a, { x, mask }) => forward(a, x!, mask),
  backward: (_a, cache, { y: g }) => ({ x: backward(cache, g) }),
})

/**
 * Dropout with the mask drawn from `key` by (1): the random layer a model
 * uses. In evaluation no mask is drawn and the key is unused.
 */
export const withKey = (a: Attrs, key: Key, x: Tensor): E.Either<OpError, Forward<Cache> & { readonly mask?: Tensor }> => {
  if (!a.training) return forward(a, x, undefined)
  const mask = sampleMask(key, a.p, x.shape)
  return E.map((f: Forward<Cache>) => ({ ...f, mask }))(forward(a, x, mask))
}
