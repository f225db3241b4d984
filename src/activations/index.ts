import type { Op } from '../core/op.ts'
import * as Relu from './relu.ts'

export const ops: readonly Op[] = [Relu.op]
