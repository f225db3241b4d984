import type { Op } from '../core/op.ts'
import * as BatchNorm from './batch-norm.ts'
import * as GroupNorm from './group-norm.ts'
import * as InstanceNorm from './instance-norm.ts'
import * as LayerNorm from './layer-norm.ts'

export const ops: readonly Op[] = [BatchNorm.op, LayerNorm.op, InstanceNorm.op, GroupNorm.op]
