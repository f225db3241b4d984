/**
 * Every implementation behind a catalogue name: an op paired with a fast path
 * (src/fast/dispatch.ts) is checked on its readable reference and on the fast
 * path alike; a plain op is its own single path.
 */
import type { Op } from '../../src/core/op.ts'

export const paths = (op: Op): readonly (readonly [string, Op])[] => {
  const d = op as Op & { reference?: Op; fastPath?: Op }
  return d.reference !== undefined && d.fastPath !== undefined ? [['reference', d.reference], ['fast', d.fastPath]] : [['op', op]]
}
