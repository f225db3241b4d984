/**
 * `sgd_step`, the catalogue op: one PyTorch 1.13 SGD step on one tensor, the
 * update math of ./sgd.ts (equations (1)-(4) there):
 *   (1) d = g + lambda theta
 *   (2) b' = d (no buffer given)  or  mu b + (1 - tau) d
 *   (3) u = d + mu b' (Nesterov),  b' (momentum),  d (mu = 0: no buffer, no output buffer)
 *   (4) theta' = theta - lr u
 * Backward: the step is linear in (theta, g, b). With cotangents P = dL/dtheta'
 * and B = dL/db' (zero when not given), kappa = 1 on the first step and
 * 1 - tau otherwise:
 *   (5) B~ = B - lr mu P (Nesterov),  B - lr P (momentum)       all the weight on b'
 *   (6) D = kappa B~ - lr P (Nesterov),  kappa B~ (momentum),  -lr P (mu = 0)   on d
 *   (7) dtheta = P + lambda D,   dg = D,   db = mu B~
 * A momentum_buffer given with momentum 0 is ignored, as PyTorch's SGD never
 * reads it: its gradient is zero.
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { boolean, number, schema } from '../core/attrs.ts'
import { type OpError, fail, showShape } from '../core/errors.ts'
import { defineOp } from '../core/op.ts'
import { type Tensor, make, sameShape } from '../core/tensor.ts'
import * as Sgd from './sgd.ts'

export interface Attrs {
  readonly lr: number
  readonly momentum: number
  readonly dampening: number
  readonly weight_decay: number
  readonly nesterov: boolean
}

/** What (5)-(7) need besides the attributes: which buffers there were. */
export interface Cache { readonly shape: readonly number[]; readonly hadBuffer: boolean }

const fields = schema<Attrs>({
  lr: number(undefined, { min: 0 }),
  momentum: number(0, { min: 0 }),
  dampening: number(0),
  weight_decay: number(0, { min: 0 }),
  nesterov: boolean(false),
})

export const attrs = (op: string, raw: Readonly<Record<string, unknown>> | undefined): E.Either<OpError, Attrs> =>
  pipe(fields(op, raw), E.chain((a) => (!a.nesterov || Sgd.nesterovOk(a)
    ? E.right(a)
    : fail(op, 'attrs.nesterov', 'momentum > 0 and dampening 0 with Nesterov', `momentum ${a.momentum}, dampening ${a.dampening}`, "PyTorch's SGD raises the same ValueError"))))

export const toConfig = (a: Attrs): Sgd.Config =>
  ({ lr: a.lr, momentum: a.momentum, dampening: a.dampening, weightDecay: a.weight_decay, nesterov: a.nesterov })

export const op = defineOp<Attrs, Cache>({
  name: 'sgd_step',
  inputs: [{ name: 'param' }, { name: 'grad' }, { name: 'momentum_buffer', optional: true }],
  outputs: ['param', 'momentum_buffer'],
  attrs,
  forward: (a, { param, grad, momentum_buffer: buf }) => {
    const p = param!, g = grad!
    if (!sameShape(g.shape, p.shape)) return fail('sgd_step', 'inputs.grad', `shape ${showShape(p.shape)} (param's)`, showShape(g.shape))
    if (buf !== undefined && !sameShape(buf.shape, p.shape)) return fail('sgd_step', 'inputs.momentum_buffer', `shape ${showShape(p.shape)} (param's)`, showShape(buf.shape))
    const useBuf = a.momentum !== 0 ? buf : undefined
    const out = Sgd.step(toConfig(a), p, g, useBuf) // (1)-(4)
    const outputs: Record<string, Tensor> = { param: out.param }
    if (out.momentumBuffer !== undefined) outputs.momentum_buffer = out.momentumBuffer
    return E.right({ outputs, cache: { shape: p.shape, hadBuffer: buf !== undefined } })
  },
  backward: (a, { shape, hadBuffer }, cot) => {
    const P = cot.param.data
    const n = P.length
    const dParam = new Float64Array(n), dGrad = new Float64Array(n), dBuf = new Float64Array(n)
    const mu = a.momentum
    const kappa = hadBuffer ? 1 - a.dampening : 1
    const B = cot.momentum_buffer?.data
    for (let i = 0; i < n; i++) {
      let D: number
      if (mu === 0) {
        D = -a.lr * P[i] // (6)
      } else {
        const Bt = (B?.[i] ?? 0) - a.lr * (a.nesterov ? mu : 1) * P[i] // (5)
        D = kappa * Bt + (a.nesterov ? -a.lr * P[i] : 0) // (6)
        dBuf[i] = mu * Bt // (7)
      }
      dParam[i] = P[i] + a.weight_decay * D // (7)
      dGrad[i] = D // (7)
    }
    const grads: Record<string, Tensor> = { param: make(shape, dParam), grad: make(shape, dGrad) }
    if (hadBuffer) grads.momentum_buffer = make(shape, dBuf) // zero when mu = 0 or no buffer was read
    return grads
  },
})
