/**
 * Line charts in hand-written SVG 1.1 for the training figures (the same
 * self-contained style as ./plot-svg.ts: no fonts or scripts): a panel is a
 * box with axes, ticks at both ends and the middle, a title, a legend, and
 * any number of series; reference lines (log C, the 1e-3 update ratio) are
 * dashed. A log10 y axis for ratios. Non-finite points are skipped.
 */
import { fmt } from './plot-terminal.ts'

export interface Series {
  readonly name: string
  readonly points: readonly (readonly [number, number])[]
  readonly color: string
  readonly width?: number
  readonly opacity?: number
  readonly dash?: boolean
}

export interface Panel {
  readonly title: string
  readonly xLabel: string
  readonly series: readonly Series[]
  readonly refs?: readonly { readonly y: number; readonly label: string }[]
  readonly logY?: boolean
  /** fixed y range (e.g. [0, 1] for accuracies); otherwise the data's */
  readonly yRange?: readonly [number, number]
}

export const PALETTE = ['#4c72b0', '#dd8452', '#55a868', '#c44e52', '#8172b3', '#937860', '#da8bc3', '#8c8c8c', '#ccb974', '#64b5cd'] as const

export const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

export const text = (x: number, y: number, s: string, attrs = ''): string =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}"${attrs ? ' ' + attrs : ''}>${esc(s)}</text>`

const M = { left: 64, right: 12, top: 24, bottom: 34 } as const

/** One panel at (ox, oy) of size w x h. */
export const panel = (p: Panel, ox: number, oy: number, w: number, h: number): string => {
  const tf = (v: number) => (p.logY ? Math.log10(v) : v)
  const pts = p.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(tf(y)))
  const refs = (p.refs ?? []).filter((r) => Number.isFinite(tf(r.y)))
  const xs = pts.map(([x]) => x)
  const ys = [...pts.map(([, y]) => tf(y)), ...refs.map((r) => tf(r.y))]
  let [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1]
  let [y0, y1] = p.yRange ? [tf(p.yRange[0]), tf(p.yRange[1])] : ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1]
  if (x1 === x0) { x0 -= 0.5; x1 += 0.5 }
  if (y1 === y0) { y0 -= 0.5; y1 += 0.5 }
  const pad = p.yRange ? 0 : (y1 - y0) * 0.05
  y0 -= pad; y1 += pad
  const L = ox + M.left, R = ox + w - M.right, T = oy + M.top, B = oy + h - M.bottom
  const sx = (x: number) => L + ((x - x0) / (x1 - x0)) * (R - L)
  const sy = (y: number) => B - ((tf(y) - y0) / (y1 - y0)) * (B - T)
  const out: string[] = [`<g>`, text(ox + w / 2, oy + 15, p.title, 'text-anchor="middle" font-weight="bold"')]
  out.push(`<path d="M${L},${T} V${B} H${R}" fill="none" stroke="black"/>`)
  for (const [tx, v] of [[L, x0], [(L + R) / 2, (x0 + x1) / 2], [R, x1]] as const) {
    out.push(`<path d="M${tx},${B} v4" stroke="black"/>`, text(tx, B + 15, fmt(v), 'text-anchor="middle"'))
  }
  for (const [ty, v] of [[B, y0], [(T + B) / 2, (y0 + y1) / 2], [T, y1]] as const) {
    out.push(`<path d="M${L - 4},${ty} h4" stroke="black"/>`, text(L - 6, ty + 4, fmt(p.logY ? 10 ** v : v), 'text-anchor="end"'))
  }
  out.push(text((L + R) / 2, B + 28, p.xLabel, 'text-anchor="middle" fill="#444"'))
  for (const r of refs) {
    out.push(`<path d="M${L},${sy(r.y).toFixed(2)} H${R}" stroke="#888" stroke-dasharray="4 3"/>`, text(R - 2, sy(r.y) - 3, r.label, 'text-anchor="end" fill="#666"'))
  }
  for (const s of p.series) {
    const d = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(tf(y)))
      .map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${sx(x).toFixed(2)},${sy(y).toFixed(2)}`).join(' ')
    if (d) out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 1.5}"${s.opacity !== undefined ? ` stroke-opacity="${s.opacity}"` : ''}${s.dash ? ' stroke-dasharray="5 3"' : ''}/>`)
    if (s.points.length === 1 && d) {
      const [[x, y]] = s.points
      out.push(`<circle cx="${sx(x).toFixed(2)}" cy="${sy(y).toFixed(2)}" r="3" fill="${s.color}"/>`)
    }
  }
  p.series.filter((s) => s.name !== '').forEach((s, i) => {
    const ly = T + 4 + i * 13
    out.push(`<path d="M${L + 8},${ly} h14" stroke="${s.color}" stroke-width="2"${s.dash ? ' stroke-dasharray="5 3"' : ''}/>`, text(L + 26, ly + 4, s.name, 'font-size="10"'))
  })
  out.push('</g>')
  return out.join('\n')
}

/** A figure: a title, subtitle lines, and panels in a grid of `cols` columns. */
export const figure = (title: string, lines: readonly string[], panels: readonly Panel[], cols = 2, pw = 380, ph = 250): string => {
  const header = 30 + 14 * lines.length
  const rows = Math.ceil(panels.length / cols)
  const width = Math.min(cols, panels.length) * pw, height = header + rows * ph
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    text(width / 2, 20, title, 'text-anchor="middle" font-size="14" font-weight="bold"'),
    ...lines.map((l, i) => text(width / 2, 36 + 14 * i, l, 'text-anchor="middle" fill="#444"')),
    ...panels.map((p, i) => panel(p, (i % cols) * pw, header + Math.floor(i / cols) * ph, pw, ph)),
    '</svg>',
  ]
  return out.join('\n') + '\n'
}
