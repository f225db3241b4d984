import type { Op } from '../core/op.ts'
import * as PcaWhiten from './pca-whiten.ts'
import * as Standardize from './standardize.ts'

export { type Scaler, type Per, fitScaler, transformScaler } from './scaler.ts'
export { type Pca, fitPca, transformPca } from './pca.ts'
export { symmetricEigen } from './eigen.ts'
export { type Preprocess, type Fitted, type Preprocessed, PREPROCESS_NAMES, parsePreprocess, fit, transform, fitOnSplits } from './pipeline.ts'

// The Data table's two preprocessing ops (case format); fitting is library code above.
export const ops: readonly Op[] = [Standardize.op, PcaWhiten.op]
