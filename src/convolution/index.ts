import type { Op } from '../core/op.ts'
import { dual } from '../fast/dispatch.ts'
import * as Fast from '../fast/convolution.ts'
import * as Conv2d from './conv2d.ts'
import * as ConvTranspose2d from './conv-transpose2d.ts'

export const ops: readonly Op[] = [dual(Conv2d.op, Fast.conv2d), dual(ConvTranspose2d.op, Fast.convTranspose2d)]
