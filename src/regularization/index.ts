import type { Op } from '../core/op.ts'
import * as Dropout from './dropout.ts'
import * as MaxNorm from './max-norm.ts'

// DropConnect (./drop-connect.ts) and stochastic depth (./stochastic-depth.ts)
// are library modules outside the case-format catalogue: not registered.
export const ops: readonly Op[] = [Dropout.op, MaxNorm.op]
