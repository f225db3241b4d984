import type { Op } from '../core/op.ts'
import { dual } from '../fast/dispatch.ts'
import * as FastOptimizers from '../fast/optimizers.ts'
import * as AdamStep from './adam-step.ts'
import * as SgdStep from './sgd-step.ts'

// The optimizer values ({ init, update }: ./sgd.ts, ./adam.ts, ./adagrad.ts,
// ./rmsprop.ts) are library values; the catalogue has the two single-step ops.
export const ops: readonly Op[] = [SgdStep.op, dual(AdamStep.op, FastOptimizers.adamStep)]
