/**
 * The lectures' training experiments by name, for `nn-oracle experiment NAME`.
 */
import { activationConvergence } from './activation-convergence.ts'
import { augmentationGap } from './augmentation-gap.ts'
import { batchNormLr } from './batchnorm-lr.ts'
import { dropoutGap } from './dropout-gap.ts'
import { saliency } from './saliency.ts'
import type { Experiment } from './sweep.ts'
import { transferExperiment } from './transfer-experiment.ts'
import { weightDecaySweep } from './weight-decay.ts'

export const TRAINING_EXPERIMENTS: Readonly<Record<string, Experiment<any>>> = {
  activations: activationConvergence,
  dropout: dropoutGap,
  batchnorm: batchNormLr,
  'weight-decay': weightDecaySweep,
  saliency,
  transfer: transferExperiment,
  augmentation: augmentationGap,
}
