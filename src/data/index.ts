/**
 * Data sets by name, split by key. `loadSplits` is what `nn-oracle train`
 * and the experiments call: one data set, cut into train / validation / test
 * by `key` (./split.ts).
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, unsupported } from '../core/errors.ts'
import { type Key, split } from '../core/random.ts'
import type { Dataset } from './dataset.ts'
import { DIGITS_SIZES, loadDigits } from './digits.ts'
import { loadFashion } from './fashion.ts'
import { type Sizes, type Splits, splitDataset } from './split.ts'
import { BLOBS, SPIRALS, blobs, spirals } from './synthetic.ts'

export { type Dataset, checkDataset, subset, takeRows, sizeOfSet } from './dataset.ts'
export { type Sizes, type Split, type Splits, splitIndices, splitDataset } from './split.ts'
export { DIGITS, DIGITS_SIZES, loadDigits } from './digits.ts'
export { loadFashion } from './fashion.ts'
export { BLOBS, SPIRALS, blobs, spirals, type BlobOptions, type SpiralOptions } from './synthetic.ts'

export const DATA_NAMES = ['digits', 'fashion', 'spirals', 'blobs'] as const
export type DataName = (typeof DATA_NAMES)[number]

/** Default sizes of the held-out parts per set: digits as the issue fixes them, synthetic sets 20% / 20%. */
export const defaultSizes = (name: DataName, n: number): Sizes =>
  name === 'digits' ? DIGITS_SIZES : { test: Math.round(n / 5), validation: Math.round(n / 5) }

/** The whole set; synthetic sets draw their points from `key`. */
export const loadDataset = (name: string, key: Key): E.Either<OpError, Dataset> => {
  switch (name) {
    case 'digits': return loadDigits()
    case 'fashion': return loadFashion()
    case 'spirals': return spirals(key, SPIRALS)
    case 'blobs': return blobs(key, BLOBS)
    default: return E.left(unsupported('data', 'name', `one of ${DATA_NAMES.join(', ')}`, JSON.stringify(name)))
  }
}

/**
 * The set cut into train / validation / test. Keys: split(key) = [points, cut]:
 * the synthetic points and the cut draw from different streams.
 */
export const loadSplits = (name: string, key: Key, sizes?: Sizes): E.Either<OpError, Splits> => {
  const [points, cut] = split(key)
  return E.chain((d: Dataset) => splitDataset(cut, d, sizes ?? defaultSizes(name as DataName, d.y.shape[0])))(loadDataset(name, points))
}
