/**
 * The glue ops that compose catalogue ops into networks (case format v2,
 * "Glue ops"): they are catalogue ops themselves and may be a case's own op.
 */
import type { Op } from '../../core/op.ts'
import * as Add from './add.ts'
import * as Flatten from './flatten.ts'
import * as Mul from './mul.ts'
import * as Reshape from './reshape.ts'

export const ops: readonly Op[] = [Add.op, Mul.op, Flatten.op, Reshape.op]
