import type { Op } from '../core/op.ts'
import * as ElasticNetPenalty from './elastic-net-penalty.ts'
import * as L1Penalty from './l1-penalty.ts'
import * as L2Penalty from './l2-penalty.ts'

export const ops: readonly Op[] = [L1Penalty.op, L2Penalty.op, ElasticNetPenalty.op]
