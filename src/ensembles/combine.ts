/**
 * Combining the predictions of m members, logits z^(j) of shape [N, C]:
 *   (1) probability averaging   p = (1/m) sum_j softmax(z^(j))       (the usual "model ensemble")
 *   (2) logit averaging         p = softmax((1/m) sum_j z^(j))       (a geometric mean of the
 *                               members' probabilities, renormalized)
 * (1) is what Jensen's inequality is about: -log is convex, so for every label
 *   (3) CE(mean_j p^(j)) <= mean_j CE(p^(j))
 * the ensemble's cross-entropy never exceeds its members' average. (2) has no
 * such guarantee in general, and is what averaging the WEIGHTS of a linear
 * model (Polyak, ../averaging) gives for that model's logits.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail, showShape } from '../core/errors.ts'
import { type Tensor, make, sameShape } from '../core/tensor.ts'
import * as Softmax from '../activations/softmax.ts'

const check = (members: readonly Tensor[]): E.Either<OpError, readonly number[]> => {
  if (members.length === 0) return fail('ensemble', 'members', 'at least one member', 'none')
  const shape = members[0].shape
  if (shape.length !== 2) return fail('ensemble', 'members[0]', 'logits of shape [N, C]', showShape(shape))
  for (let j = 1; j < members.length; j++) {
    if (!sameShape(members[j].shape, shape)) return fail('ensemble', `members[${j}]`, `shape ${showShape(shape)} (the first member's)`, showShape(members[j].shape))
  }
  return E.right(shape)
}

const softmax = (z: Tensor): E.Either<OpError, Tensor> => E.map((f: { outputs: Record<string, Tensor> }) => f.outputs.y)(Softmax.op.forward({ dim: -1 }, { x: z }))

const mean = (ts: readonly Tensor[]): Tensor => {
  const out = new Float64Array(ts[0].data.length)
  for (const t of ts) for (let i = 0; i < out.length; i++) out[i] += t.data[i]
  return make(ts[0].shape, out.map((v) => v / ts.length))
}

// #region combine
/** (1) the mean of the members' softmax probabilities, [N, C]. */
export const averageProbabilities = (members: readonly Tensor[]): E.Either<OpError, Tensor> => {
  const ok = check(members)
  if (E.isLeft(ok)) return ok
  const ps: Tensor[] = []
  for (const z of members) {
    const p = softmax(z)
    if (E.isLeft(p)) return p
    ps.push(p.right)
  }
  return E.right(mean(ps)) // (1)
}

/** (2) the softmax of the members' mean logits, [N, C]. */
export const averageLogits = (members: readonly Tensor[]): E.Either<OpError, Tensor> =>
  E.chain(() => softmax(mean(members)))(check(members)) // (2)
// #endregion combine

/** Mean cross-entropy -log p[n, t_n] of probabilities [N, C] against class labels. */
export const crossEntropyOfProbabilities = (p: Tensor, labels: ArrayLike<number>): number => {
  const [N, C] = p.shape
  let s = 0
  for (let n = 0; n < N; n++) s -= Math.log(p.data[n * C + labels[n]])
  return s / N
}

/** Fraction of rows whose arg-max is the label. */
export const accuracy = (p: Tensor, labels: ArrayLike<number>): number => {
  const [N, C] = p.shape
  let hit = 0
  for (let n = 0; n < N; n++) {
    let best = 0
    for (let c = 1; c < C; c++) if (p.data[n * C + c] > p.data[n * C + best]) best = c
    if (best === labels[n]) hit++
  }
  return hit / N
}
