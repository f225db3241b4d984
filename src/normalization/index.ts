import type { Op } from '../core/op.ts'
import { dual } from '../fast/dispatch.ts'
import * as Fast from '../fast/normalization.ts'
import * as BatchNorm from './batch-norm.ts'
import * as GroupNorm from './group-norm.ts'
import * as InstanceNorm from './instance-norm.ts'
import * as LayerNorm from './layer-norm.ts'

export const ops: readonly Op[] = [
  dual(BatchNorm.op, Fast.batchNorm), dual(LayerNorm.op, Fast.layerNorm),
  dual(InstanceNorm.op, Fast.instanceNorm), dual(GroupNorm.op, Fast.groupNorm),
]
