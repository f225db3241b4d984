/**
 * Every range kernel a worker of ./threads.ts may be asked to run, by name.
 * A kernel missing here still computes right (the worker reports that it
 * does not know it and the caller runs the range itself), only serially;
 * spec/fast/threads.spec.ts checks that each one is listed.
 */
import type { RangeKernel } from './threads.ts'
import { geluBackward, geluForward } from './activations.ts'
import { ceBackward, ceForward, ceFused } from './losses.ts'
import { layerNormBackwardColumns, layerNormBackwardRows, layerNormForward, planeBackward, planeForward } from './normalization.ts'
import { adamRange } from './optimizers.ts'
import { maxPoolBackward, maxPoolForward, maxPoolFused } from './pooling.ts'

export const RANGE_KERNELS: readonly RangeKernel<never>[] = [
  geluForward, geluBackward, adamRange, maxPoolForward, maxPoolBackward, maxPoolFused, ceForward, ceBackward, ceFused,
  layerNormForward, layerNormBackwardRows, layerNormBackwardColumns, planeForward, planeBackward,
]
