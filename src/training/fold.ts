/**
 * Training as a pure fold over batches (issue 12):
 *
 *   step : (carry = {params, state, buffers}, key, batch) -> Either<OpError, {carry', metrics}>
 *
 *   (1) values = forward(graph, fixed + buffers + params + batch, key)  key: dropout masks
 *   (2) loss   = values[objective.loss]                               a scalar
 *   (3) grads  = backward(values, {loss: 1})                           for trainable params the loss reaches
 *   (4) params', state' = optimizer.update(grads, state, params)       unreached: no update at all
 *   (5) buffers' = values[updates[b]] for each buffer b                batch norm running statistics
 * `metrics.loss` is the loss BEFORE the update, as PyTorch's loop reports it.
 * Nothing is mutated; the carry of step i is an ordinary value that can be
 * kept, compared or restarted from (early stopping keeps the best one).
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, invalid, show, showShape } from '../core/errors.ts'
import type { Tensors } from '../core/op.ts'
import { type Key, foldIn, split } from '../core/random.ts'
import { type Tensor, scalar, sizeOf } from '../core/tensor.ts'
import type { Compiled } from '../graph/graph.ts'
import { backward, forward } from '../graph/interpret.ts'
import type { Optimizer } from '../optimizers/optimizer.ts'

export interface Objective {
  readonly compiled: Compiled
  /** The scalar value to minimise. */
  readonly loss: string
  /** Inputs that are the same at every step and never trained (frozen parameters, constants). */
  readonly fixed: Tensors
  /** The names that are trained (their gradients go to the optimizer). */
  readonly trainable: readonly string[]
  /** buffer -> the value holding its next value (5); empty when buffers are not fed back. */
  readonly updates?: Readonly<Record<string, string>>
}

export interface Carry<S> {
  readonly params: Tensors
  readonly state: S
  readonly buffers: Tensors
}

export interface Metrics {
  /** The loss before this step's update. */
  readonly loss: number
  /** Gradients of the trainable parameters the loss reached. */
  readonly grads: Tensors
  /** Every value of the forward pass (activations, logits), for babysitting statistics. */
  readonly values: Tensors
}

/** (1)-(3): the loss, and the gradients of the reached trainable parameters. */
export const lossAndGrads = (obj: Objective, params: Tensors, buffers: Tensors, batch: Tensors, key?: Key): E.Either<OpError, Metrics> => {
  const run = forward(obj.compiled, { ...obj.fixed, ...buffers, ...params, ...batch }, key === undefined ? {} : { key }) // (1)
  if (E.isLeft(run)) return run
  const l = run.right.values[obj.loss]
  if (l === undefined) return E.left(invalid('train', 'loss', 'the name of a value of the graph', show(obj.loss)))
  if (sizeOf(l.shape) !== 1) return E.left(invalid('train', 'loss', 'a scalar value (one element), as loss.backward() needs', `shape ${showShape(l.shape)}`)) // (2)
  if (!run.right.compiled.producer.has(obj.loss)) return E.left(invalid('train', 'loss', 'a node output', `${show(obj.loss)}, an input`))
  const { grads: all } = backward(run.right, { [obj.loss]: { ...scalar(1), shape: l.shape } }) // (3)
  const grads: Record<string, Tensor> = {}
  for (const k of obj.trainable) if (all[k] !== undefined) grads[k] = all[k]
  return E.right({ loss: l.data[0], grads, values: run.right.values })
}

/** One step of the fold, (1)-(5). */
export const step = <S>(obj: Objective, optimizer: Optimizer<S>) =>
  (carry: Carry<S>, key: Key | undefined, batch: Tensors): E.Either<OpError, { readonly carry: Carry<S>; readonly metrics: Metrics }> => {
    const m = lossAndGrads(obj, carry.params, carry.buffers, batch, key)
    if (E.isLeft(m)) return m
    const u = optimizer.update(m.right.grads, carry.state, carry.params) // (4)
    if (E.isLeft(u)) return u
    const updates = obj.updates ?? {}
    const buffers = Object.fromEntries(Object.entries(carry.buffers).map(([k, v]) => [k, m.right.values[updates[k]] ?? v])) // (5)
    return E.right({ carry: { params: u.right.params, state: u.right.state, buffers }, metrics: m.right })
  }

export interface FoldResult<S> {
  readonly carry: Carry<S>
  readonly losses: readonly number[]
}

/**
 * k steps over explicit batches; step i uses key foldIn(key, i) for its
 * dropout masks. `onStep` sees every step's metrics (a progress bar, statistics).
 */
export const fold = <S>(
  obj: Objective, optimizer: Optimizer<S>, init: Carry<S>, batches: readonly Tensors[], key?: Key,
  onStep?: (i: number, m: Metrics, c: Carry<S>) => void,
): E.Either<OpError, FoldResult<S>> => {
  let carry = init
  const losses: number[] = []
  const one = step(obj, optimizer)
  for (let i = 0; i < batches.length; i++) {
    const r = one(carry, key === undefined ? undefined : foldIn(key, i), batches[i])
    if (E.isLeft(r)) return E.left({ ...r.left, arg: `steps[${i}]: ${r.left.arg}` })
    carry = r.right.carry
    losses.push(r.right.metrics.loss)
    onStep?.(i, r.right.metrics, carry)
  }
  return E.right({ carry, losses })
}

/**
 * k steps whose batches come from the key too: step i splits foldIn(key, i)
 * into a batch key (for `batch(i, key)`, e.g. a shuffled minibatch) and a
 * dropout key.
 */
export const train = <S>(
  obj: Objective, optimizer: Optimizer<S>, init: Carry<S>, steps: number, key: Key,
  batch: (i: number, key: Key) => Tensors, onStep?: (i: number, m: Metrics, c: Carry<S>) => void,
): E.Either<OpError, FoldResult<S>> => {
  let carry = init
  const losses: number[] = []
  const one = step(obj, optimizer)
  for (let i = 0; i < steps; i++) {
    const [kb, kd] = split(foldIn(key, i))
    const r = one(carry, kd, batch(i, kb))
    if (E.isLeft(r)) return E.left({ ...r.left, arg: `steps[${i}]: ${r.left.arg}` })
    carry = r.right.carry
    losses.push(r.right.metrics.loss)
    onStep?.(i, r.right.metrics, carry)
  }
  return E.right({ carry, losses })
}

/** The starting carry: the optimizer's init on the trainable parameters. */
export const start = <S>(optimizer: Optimizer<S>, params: Tensors, buffers: Tensors = {}): Carry<S> =>
  ({ params, state: optimizer.init(params), buffers })
