import type { Op } from '../core/op.ts'
import { dual } from '../fast/dispatch.ts'
import * as FastLosses from '../fast/losses.ts'
import * as BinaryCrossEntropyWithLogits from './binary-cross-entropy-with-logits.ts'
import * as CrossEntropy from './cross-entropy.ts'
import * as MseLoss from './mse-loss.ts'
import * as MultiMarginLoss from './multi-margin-loss.ts'
import * as NllLoss from './nll-loss.ts'

export const ops: readonly Op[] = [dual(CrossEntropy.op, FastLosses.crossEntropy), NllLoss.op, BinaryCrossEntropyWithLogits.op, MultiMarginLoss.op, MseLoss.op]
