import type { Op } from '../core/op.ts'
import * as Conv2d from './conv2d.ts'
import * as ConvTranspose2d from './conv-transpose2d.ts'

export const ops: readonly Op[] = [Conv2d.op, ConvTranspose2d.op]
