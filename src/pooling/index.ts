import type { Op } from '../core/op.ts'
import { dual } from '../fast/dispatch.ts'
import * as FastPooling from '../fast/pooling.ts'
import * as AvgPool2d from './avg-pool2d.ts'
import * as FractionalMaxPool2d from './fractional-max-pool2d.ts'
import * as GlobalAvgPool2d from './global-avg-pool2d.ts'
import * as MaxPool2d from './max-pool2d.ts'

export const ops: readonly Op[] = [dual(MaxPool2d.op, FastPooling.maxPool2d), AvgPool2d.op, GlobalAvgPool2d.op, FractionalMaxPool2d.op]
