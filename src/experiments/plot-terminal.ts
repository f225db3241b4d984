/**
 * Terminal rendering of the activation statistics: one line per layer with
 * mean, std and a histogram drawn as a row of Unicode block elements
 * (U+2581..U+2588, eight heights; a blank for an empty bin, the lowest block
 * for any non-empty one so that rare values stay visible). Heights are
 * relative to the layer's own fullest bin: the shape of each distribution,
 * while the shared x range (activation-stats.ts, (5)) keeps positions comparable.
 * A spike (a bin over SPIKE times the next fullest, as ReLU's exact zeros, half
 * of all values) would flatten every other bar, so it is drawn full height and
 * the scale is set by the next fullest bin instead (`barScale`).
 */
import type { Result } from './activation-stats.ts'
import { formatInit } from './activation-stats.ts'

const BLOCKS = ['\u2581', '\u2582', '\u2583', '\u2584', '\u2585', '\u2586', '\u2587', '\u2588']

export const SPIKE = 4

/** The count drawn at full height: the largest, or the second largest when the largest is a spike. */
export const barScale = (counts: readonly number[]): number => {
  const sorted = [...counts].sort((a, b) => b - a)
  const [first = 0, second = 0] = sorted
  return second > 0 && first > SPIKE * second ? second : first
}

export const sparkline = (counts: readonly number[]): string => {
  const max = barScale(counts)
  return counts.map((c) => (c === 0 || max === 0 ? ' ' : BLOCKS[Math.min(7, Math.max(0, Math.ceil((c / max) * 8) - 1))])).join('')
}

/** A number in at most 9 characters, fixed or scientific. */
export const fmt = (v: number): string => {
  if (v === 0) return '0'
  if (!Number.isFinite(v)) return String(v)
  const a = Math.abs(v)
  return a >= 1e-3 && a < 1e5 ? v.toFixed(a >= 100 ? 1 : 5).replace(/\.?0+$/, '') || '0' : v.toExponential(2)
}

export const renderTable = (r: Result): string => {
  const o = r.options
  const h0 = r.layers[0]?.histogram
  const lines = [
    `activation-stats: ${o.layers} layers of width ${o.width}, batch ${o.batch}, ${o.activation}, init ${formatInit(o.init)}, seed ${o.seed}`,
    `std is the population std (divide by N = batch * width) of all entries of a layer's output`,
    `${'layer'.padStart(5)}  ${'mean'.padStart(10)}  ${'std'.padStart(10)}  histogram over [${h0 ? `${fmt(h0.lo)}, ${fmt(h0.hi)}` : ''}]`,
  ]
  for (const l of r.layers) {
    const h = l.histogram
    const out = h.below + h.above + h.nan
    lines.push(`${String(l.layer).padStart(5)}  ${fmt(l.mean).padStart(10)}  ${fmt(l.std).padStart(10)}  |${sparkline(h.counts)}|${out > 0 ? ` ${out} outside` : ''}`)
  }
  return lines.join('\n')
}
