/**
 * Transfer learning, as cs231n lecture 7 describes it, on a trained network:
 *   feature extraction: keep every layer but the last, frozen (in no
 *     parameter group, so bitwise unchanged), and train a new linear head
 *   fine-tuning: train the new head at the base lr and the copied layers at
 *     lr * backboneLrFactor (0.1 by default: "a lower learning rate")
 * The new head is drawn from `key` with PyTorch's default init and may have a
 * different number of classes. Batch norm running statistics are copied.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail } from '../core/errors.ts'
import type { Key } from '../core/random.ts'
import { make } from '../core/tensor.ts'
import type { Dataset } from '../data/dataset.ts'
import { subset } from '../data/dataset.ts'
import type { Network } from '../graph/index.ts'
import { buildModel } from './model.ts'
import { type Setup, type TrainOptions, decayGroups } from './training-run.ts'

export type TransferMode = 'feature-extraction' | 'fine-tune' | 'scratch'

export interface Trained {
  readonly network: Network
  readonly params: Readonly<Record<string, import('../core/tensor.ts').Tensor>>
  readonly buffers: Readonly<Record<string, import('../core/tensor.ts').Tensor>>
}

/** The head: the network's last layer (the linear producing the logits). */
export const headOf = (net: Network): readonly string[] => net.layers.at(-1)?.params ?? []

/**
 * A Setup for fitSetup (./training-run.ts): the architecture of `o` with
 * `classes` outputs, the trained values copied into every layer but the head.
 */
export const transferSetup = (key: Key, o: TrainOptions, trained: Trained, sample: readonly number[], classes: number, mode: TransferMode, backboneLrFactor = 0.1): E.Either<OpError, Setup> => {
  const net = buildModel(key, o, sample, classes)
  if (E.isLeft(net)) return net
  const head = new Set(headOf(net.right))
  const names = Object.keys(net.right.params)
  const params: Record<string, (typeof net.right.params)[string]> = { ...net.right.params }
  if (mode !== 'scratch') {
    for (const k of names) {
      if (head.has(k)) continue
      const t = trained.params[k]
      if (t === undefined || t.data.length !== params[k].data.length) return fail('transfer', k, 'a trained parameter of the same shape (the same architecture)', t === undefined ? 'nothing' : `shape [${t.shape.join(', ')}]`)
      params[k] = t
    }
  }
  const buffers = mode === 'scratch' ? net.right.buffers : { ...net.right.buffers, ...trained.buffers }
  const backbone = names.filter((k) => !head.has(k))
  const groups = mode === 'feature-extraction' ? decayGroups(o, net.right, [...head])
    : mode === 'fine-tune' ? [...decayGroups(o, net.right, backbone, backboneLrFactor), ...decayGroups(o, net.right, [...head])]
    : decayGroups(o, net.right, names)
  return E.right({ network: net.right, params, buffers, groups })
}

/** The samples of the given classes, relabelled 0..k-1 in the order given (digits 5-9 as classes 0-4). */
export const selectClasses = (d: Dataset, classes: readonly number[]): Dataset => {
  const idx: number[] = []
  for (let i = 0; i < d.y.shape[0]; i++) if (classes.includes(d.y.data[i])) idx.push(i)
  const s = subset(d, idx)
  return { ...s, y: make(s.y.shape, s.y.data.map((c) => classes.indexOf(c)), 'int64'), classes: classes.length }
}
