import type { Op } from '../core/op.ts'

export const ops: readonly Op[] = []
