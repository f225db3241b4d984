/**
 * One preprocessing step as a value, fitted on the training split and applied
 * unchanged to every split (cs231n: "any preprocessing statistics must only
 * be computed on the training data, and then applied to the validation /
 * test data"). `fitOnSplits` is the only place the three splits meet, and it
 * passes nothing but the training inputs to `fit`.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail } from '../core/errors.ts'
import type { Tensor } from '../core/tensor.ts'
import type { Splits } from '../data/split.ts'
import { type Pca, fitPca, transformPca } from './pca.ts'
import { type Per, type Scaler, fitScaler, transformScaler } from './scaler.ts'

export type Preprocess =
  | { readonly kind: 'none' }
  | { readonly kind: 'center'; readonly per: Per }
  | { readonly kind: 'standardize'; readonly per: Per }
  | { readonly kind: 'pca'; readonly whiten: boolean; readonly eps?: number; readonly keep?: number }

export type Fitted =
  | { readonly kind: 'none' }
  | { readonly kind: 'scaler'; readonly scaler: Scaler }
  | { readonly kind: 'pca'; readonly pca: Pca }

export const PREPROCESS_NAMES = ['none', 'center', 'standardize', 'channel-standardize', 'pca', 'whiten'] as const

/** The command line's names: standardize is per feature, channel-standardize per channel. */
export const parsePreprocess = (name: string): E.Either<OpError, Preprocess> => {
  switch (name) {
    case 'none': return E.right({ kind: 'none' })
    case 'center': return E.right({ kind: 'center', per: 'feature' })
    case 'standardize': return E.right({ kind: 'standardize', per: 'feature' })
    case 'channel-standardize': return E.right({ kind: 'standardize', per: 'channel' })
    case 'pca': return E.right({ kind: 'pca', whiten: false })
    case 'whiten': return E.right({ kind: 'pca', whiten: true })
    default: return fail('preprocessing', 'name', `one of ${PREPROCESS_NAMES.join(', ')}`, JSON.stringify(name))
  }
}

export const fit = (p: Preprocess, xTrain: Tensor): E.Either<OpError, Fitted> => {
  switch (p.kind) {
    case 'none': return E.right({ kind: 'none' })
    case 'center':
    case 'standardize': return E.map((scaler: Scaler): Fitted => ({ kind: 'scaler', scaler }))(fitScaler(p.kind, p.per, xTrain))
    case 'pca': return E.map((pca: Pca): Fitted => ({ kind: 'pca', pca }))(fitPca(xTrain, p))
  }
}

export const transform = (f: Fitted, x: Tensor): E.Either<OpError, Tensor> =>
  f.kind === 'none' ? E.right(x) : f.kind === 'scaler' ? transformScaler(f.scaler, x) : transformPca(f.pca, x)

export interface Preprocessed {
  readonly fitted: Fitted
  readonly splits: Splits
}

export const fitOnSplits = (p: Preprocess, s: Splits): E.Either<OpError, Preprocessed> => {
  const f = fit(p, s.train.x)
  if (E.isLeft(f)) return f
  const out: Partial<Record<keyof Splits, Tensor>> = {}
  for (const k of ['train', 'validation', 'test'] as const) {
    const t = transform(f.right, s[k].x)
    if (E.isLeft(t)) return t
    out[k] = t.right
  }
  return E.right({
    fitted: f.right,
    splits: { train: { ...s.train, x: out.train! }, validation: { ...s.validation, x: out.validation! }, test: { ...s.test, x: out.test! } },
  })
}
