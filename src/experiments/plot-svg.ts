/**
 * An SVG figure of the activation statistics, written by hand: a grid of bar
 * charts, one per layer (at most three per row, so that the figure fits a 688 px column at full size), each with its x axis (the
 * shared range, ticks at both ends and the middle), its y axis (share of the
 * layer's values per bin, 0 and the top labelled) and a title with the layer's
 * mean and std. A spike (./plot-terminal.ts, barScale) is clipped at the top,
 * drawn darker and labelled with its share. Self-contained: no fonts or scripts beyond SVG 1.1.
 */
import type { Result } from './activation-stats.ts'
import { formatInit } from './activation-stats.ts'
import { barScale, fmt } from './plot-terminal.ts'

const PANEL = { w: 226, h: 170, left: 46, right: 10, top: 30, bottom: 32 } as const
const PER_ROW = 3
const HEADER = 40

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** A percentage with two significant digits (at least the integer part). */
const pct = (v: number): string => (v >= 10 ? v.toFixed(0) : v.toPrecision(2))

const text = (x: number, y: number, s: string, attrs = ''): string =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}"${attrs ? ' ' + attrs : ''}>${esc(s)}</text>`

export const renderSvg = (r: Result): string => {
  const o = r.options
  const cols = Math.min(PER_ROW, r.layers.length)
  const rows = Math.ceil(r.layers.length / PER_ROW)
  const width = cols * PANEL.w
  const height = HEADER + rows * PANEL.h
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    text(width / 2, 18, `Activations per layer: ${o.activation}, init ${formatInit(o.init)}`, 'text-anchor="middle" font-size="14" font-weight="bold"'),
    text(width / 2, 33, `${o.layers} layers of width ${o.width}, batch ${o.batch}, seed ${o.seed}; x: activation value, y: share of values per bin`, 'text-anchor="middle" fill="#444"'),
  ]
  r.layers.forEach((l, idx) => {
    const ox = (idx % PER_ROW) * PANEL.w
    const oy = HEADER + Math.floor(idx / PER_ROW) * PANEL.h
    const x0 = ox + PANEL.left, x1 = ox + PANEL.w - PANEL.right
    const y0 = oy + PANEL.h - PANEL.bottom, y1 = oy + PANEL.top
    const h = l.histogram
    const total = h.counts.reduce((a, b) => a + b, 0) + h.below + h.above + h.nan
    const share = h.counts.map((c) => (total > 0 ? c / total : 0))
    const top = total > 0 ? barScale(h.counts) / total : 0
    const bw = (x1 - x0) / h.counts.length
    parts.push(`<g>`)
    parts.push(text(ox + PANEL.w / 2, oy + 16, `layer ${l.layer}: mean ${fmt(l.mean)}, std ${fmt(l.std)}`, 'text-anchor="middle"'))
    share.forEach((s, b) => {
      if (s <= 0 || top <= 0) return
      const clipped = s > top
      const bh = (Math.min(s, top) / top) * (y0 - y1)
      const bx = x0 + b * bw
      parts.push(`<rect x="${bx.toFixed(2)}" y="${(y0 - bh).toFixed(2)}" width="${Math.max(bw - 0.5, 0.5).toFixed(2)}" height="${bh.toFixed(2)}" fill="${clipped ? '#1f3f6e' : '#4c72b0'}"/>`)
      if (clipped) parts.push(text(bx + 3, y1 + 10, `${pct(100 * s)}% (clipped)`, 'fill="#1f3f6e"'))
    })
    parts.push(`<path d="M${x0},${y1} V${y0} H${x1}" fill="none" stroke="black"/>`)
    const ticks: [number, number][] = [[x0, h.lo], [(x0 + x1) / 2, (h.lo + h.hi) / 2], [x1, h.hi]]
    ticks.forEach(([tx, v], i) => {
      parts.push(`<path d="M${tx},${y0} v4" stroke="black"/>`)
      // the last label ends at its tick, so that it is not cut at the panel's edge
      parts.push(text(tx, y0 + 15, fmt(v), `text-anchor="${i === ticks.length - 1 ? 'end' : 'middle'}"`))
    })
    parts.push(`<path d="M${x0 - 4},${y1} h4 M${x0 - 4},${y0} h4" stroke="black"/>`)
    parts.push(text(x0 - 6, y0 + 4, '0', 'text-anchor="end"'))
    // two significant digits: a longer label ran past the panel's left edge
    parts.push(text(x0 - 6, y1 + 4, top > 0 ? `${pct(100 * top)}%` : '0', 'text-anchor="end"'))
    const outside = h.below + h.above + h.nan
    if (outside > 0) parts.push(text(x1, y1 - 2, `${outside} outside`, 'text-anchor="end" fill="#a00"'))
    parts.push(`</g>`)
  })
  parts.push('</svg>')
  return parts.join('\n') + '\n'
}
