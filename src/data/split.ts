/**
 * Train / validation / test split by an explicit key.
 *
 * A uniformly random permutation of 0..N-1 (Fisher-Yates driven by the key,
 * ../core/random.ts) is cut into three consecutive runs:
 *   test       = perm[0 .. test)
 *   validation = perm[test .. test + validation)
 *   train      = perm[test + validation .. N)
 * so the three are a partition of 0..N-1 (every index in exactly one part)
 * and the same key gives the same split on every machine. The test part is
 * cut first: asking for a different validation size never moves a sample into
 * or out of the held-out test set. Each part is kept in ascending index order,
 * which makes a split a set, not a sequence (shuffling for minibatches is the
 * training loop's own key).
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail } from '../core/errors.ts'
import { type Key, permutation } from '../core/random.ts'
import { type Dataset, subset } from './dataset.ts'

export interface Sizes {
  readonly test: number
  readonly validation: number
}

export interface Split {
  readonly train: Int32Array
  readonly validation: Int32Array
  readonly test: Int32Array
}

export interface Splits {
  readonly train: Dataset
  readonly validation: Dataset
  readonly test: Dataset
}

const OP = 'data.split'

const sorted = (a: Int32Array): Int32Array => Int32Array.from(a).sort()

export const splitIndices = (key: Key, n: number, sizes: Sizes): E.Either<OpError, Split> => {
  if (!Number.isSafeInteger(n) || n < 0) return fail(OP, 'n', 'a non-negative integer', String(n))
  for (const k of ['test', 'validation'] as const) {
    const v = sizes[k]
    if (!Number.isSafeInteger(v) || v < 0) return fail(OP, `sizes.${k}`, 'a non-negative integer', String(v))
  }
  if (sizes.test + sizes.validation > n) {
    return fail(OP, 'sizes', `test + validation <= ${n} (the samples available)`, `${sizes.test} + ${sizes.validation}`)
  }
  const perm = permutation(key, n)
  const a = sizes.test, b = sizes.test + sizes.validation
  return E.right({ test: sorted(perm.subarray(0, a)), validation: sorted(perm.subarray(a, b)), train: sorted(perm.subarray(b)) })
}

export const splitDataset = (key: Key, d: Dataset, sizes: Sizes): E.Either<OpError, Splits> =>
  E.map((s: Split): Splits => ({ train: subset(d, s.train), validation: subset(d, s.validation), test: subset(d, s.test) }))(
    splitIndices(key, d.y.shape[0], sizes))
