import type { Op } from '../core/op.ts'
import { dual } from '../fast/dispatch.ts'
import * as Fast from '../fast/layers.ts'
import * as Linear from './linear.ts'
import * as Matmul from './matmul.ts'

export const ops: readonly Op[] = [dual(Linear.op, Fast.linear), dual(Matmul.op, Fast.matmul)]
