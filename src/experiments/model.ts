/**
 * The networks `nn-oracle train` builds, from flags to a src/graph builder
 * call: an MLP on flattened inputs, or CONV-ReLU-POOL-...-FC on images.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail, showShape } from '../core/errors.ts'
import type { Key } from '../core/random.ts'
import { sizeOf } from '../core/tensor.ts'
import { type MlpOptions, type Network, cnn, mlp } from '../graph/index.ts'

export type Activation = NonNullable<MlpOptions['activation']>
export const ACTIVATIONS: readonly Activation[] = ['relu', 'tanh', 'sigmoid', 'leaky_relu', 'elu', 'gelu', 'silu']

export interface ModelOptions {
  readonly model: 'mlp' | 'cnn'
  /** MLP hidden widths, or the CNN's fully connected hidden widths */
  readonly hidden: readonly number[]
  /** CNN: channels of each 3x3 conv layer, each followed by ReLU and a 2x2 max pool */
  readonly conv: readonly number[]
  readonly activation: Activation
  readonly dropout: number
  readonly batchNorm: boolean
}

/** A network for inputs of per-sample shape `sample` (e.g. [1, 28, 28] or [2]) and `classes` outputs. */
export const buildModel = (key: Key, o: ModelOptions, sample: readonly number[], classes: number, training = true): E.Either<OpError, Network> => {
  if (o.model === 'mlp') {
    return mlp(key, { sizes: [sizeOf(sample), ...o.hidden, classes], activation: o.activation, dropout: o.dropout, batchNorm: o.batchNorm, training })
  }
  if (sample.length !== 3) return fail('train', 'model', 'images [C, H, W] for a CNN (digits; not PCA-flattened or 2-D data)', `samples of shape ${showShape(sample)}`)
  if (o.activation !== 'relu') return fail('train', 'activation', 'relu (the CNN builder uses ReLU)', o.activation)
  return cnn(key, { input: [sample[0], sample[1], sample[2]], conv: o.conv.map((channels) => ({ channels })), hidden: o.hidden, classes, dropout: o.dropout, batchNorm: o.batchNorm, training })
}

/** The network's input shape for a batch of n samples: flattened for an MLP. */
export const batchShape = (model: 'mlp' | 'cnn', n: number, sample: readonly number[]): number[] =>
  model === 'mlp' ? [n, sizeOf(sample)] : [n, ...sample]
