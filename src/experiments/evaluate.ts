/**
 * Evaluation-mode loss and accuracy of a network over a whole set, in chunks
 * (batch norm uses its running statistics, dropout is the identity, so the
 * result does not depend on the chunking beyond float rounding of the mean).
 */
import * as E from 'fp-ts/lib/Either.js'
import type { OpError } from '../core/errors.ts'
import type { Tensors } from '../core/op.ts'
import { type Tensor, make, sizeOf } from '../core/tensor.ts'
import type { Dataset } from '../data/dataset.ts'
import { type Compiled, type Network, forward } from '../graph/index.ts'

export interface Score {
  readonly loss: number
  readonly accuracy: number
}

const CHUNK = 500

/** argmax per row of logits [N, C] (first maximum on ties, as torch.argmax). */
export const argmax = (logits: Tensor): Int32Array => {
  const [n, c] = logits.shape
  const out = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    let best = 0
    for (let j = 1; j < c; j++) if (logits.data[i * c + j] > logits.data[i * c + best]) best = j
    out[i] = best
  }
  return out
}

/** Rows [from, to) of a tensor [N, ...], reshaped for the network (`shape(n)`). */
export const rowsOf = (t: Tensor, from: number, to: number, shape: (n: number) => number[]): Tensor => {
  const row = sizeOf(t.shape.slice(1))
  return make(shape(to - from), t.data.subarray(from * row, to * row), t.dtype)
}

/**
 * Mean loss and accuracy of `net` (an evaluation-mode graph, compiled) on
 * `set`; `values` is every parameter and buffer.
 */
export const score = (compiled: Compiled, net: Network, values: Tensors, set: Dataset, shape: (n: number) => number[]): E.Either<OpError, Score> => {
  const n = set.y.shape[0]
  let loss = 0, correct = 0
  for (let a = 0; a < n; a += CHUNK) {
    const b = Math.min(n, a + CHUNK)
    const r = forward(compiled, { ...values, [net.input]: rowsOf(set.x, a, b, shape), [net.target]: rowsOf(set.y, a, b, (m) => [m]) })
    if (E.isLeft(r)) return r
    loss += r.right.values[net.loss].data[0] * (b - a)
    const pred = argmax(r.right.values[net.logits])
    for (let i = 0; i < b - a; i++) if (pred[i] === set.y.data[a + i]) correct++
  }
  return E.right({ loss: n === 0 ? NaN : loss / n, accuracy: n === 0 ? NaN : correct / n })
}
