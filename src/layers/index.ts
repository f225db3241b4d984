import type { Op } from '../core/op.ts'
import * as Linear from './linear.ts'
import * as Matmul from './matmul.ts'

export const ops: readonly Op[] = [Linear.op, Matmul.op]
