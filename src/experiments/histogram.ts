/**
 * A fixed-range histogram with equal bins, numpy's convention:
 *   (1) width = (hi - lo) / bins,  bin(v) = floor((v - lo) / width)   for lo <= v < hi
 *   (2) v = hi goes in the last bin (numpy: "the last bin is closed")
 *   (3) v < lo and v > hi are counted in `below` and `above`; NaN in `nan`
 * so that counts + below + above + nan = number of values.
 */

export interface Histogram {
  readonly lo: number
  readonly hi: number
  readonly counts: readonly number[]
  readonly below: number
  readonly above: number
  readonly nan: number
}

/** `bins` >= 1 and lo < hi are the caller's invariant. */
export const histogram = (values: ArrayLike<number>, lo: number, hi: number, bins: number): Histogram => {
  const counts = new Array<number>(bins).fill(0)
  let below = 0, above = 0, nan = 0
  const width = (hi - lo) / bins // (1)
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (Number.isNaN(v)) nan++ // (3)
    else if (v < lo) below++ // (3)
    else if (v > hi) above++ // (3)
    else counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++ // (1), (2)
  }
  return { lo, hi, counts, below, above, nan }
}
