import type { Op } from '../core/op.ts'
import * as AvgPool2d from './avg-pool2d.ts'
import * as GlobalAvgPool2d from './global-avg-pool2d.ts'
import * as MaxPool2d from './max-pool2d.ts'

export const ops: readonly Op[] = [MaxPool2d.op, AvgPool2d.op, GlobalAvgPool2d.op]
