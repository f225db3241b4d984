import type { Op } from '../core/op.ts'
import * as BinaryCrossEntropyWithLogits from './binary-cross-entropy-with-logits.ts'
import * as CrossEntropy from './cross-entropy.ts'
import * as MseLoss from './mse-loss.ts'
import * as MultiMarginLoss from './multi-margin-loss.ts'
import * as NllLoss from './nll-loss.ts'

export const ops: readonly Op[] = [CrossEntropy.op, NllLoss.op, BinaryCrossEntropyWithLogits.op, MultiMarginLoss.op, MseLoss.op]
