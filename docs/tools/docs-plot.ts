/**
 * Line charts as SVG text, written by hand for the docs' figures
 * (docs/tools/figures.ts says why not vega-lite). A figure is a grid of panels;
 * a panel has linear or log axes with "nice" ticks (1, 2, 5 x 10^k), any number
 * of polylines (a series may be cut into pieces: a NaN point ends a piece, so a
 * jump is not drawn as a steep line), optional dots, reference lines and a legend.
 * Deterministic: the same data give the same bytes (every coordinate is printed
 * with toFixed(2), every label with fmt below). No fonts or scripts beyond SVG 1.1.
 */

export interface Series {
  readonly name: string
  /** [x, y] points; a NaN y breaks the line there */
  readonly points: readonly (readonly [number, number])[]
  readonly color: string
  readonly width?: number
  readonly dash?: string
  /** draw a dot at every point (for short sequences and trajectories) */
  readonly markers?: boolean
  /** leave out of the legend (contour lines, helpers) */
  readonly hideInLegend?: boolean
}

export interface Dot { readonly x: number; readonly y: number; readonly color: string; readonly label?: string }
export interface RefLine { readonly axis: 'x' | 'y'; readonly at: number; readonly label?: string; readonly color?: string }

export interface Panel {
  readonly title: string
  readonly xLabel: string
  readonly yLabel: string
  readonly series: readonly Series[]
  readonly xDomain?: readonly [number, number]
  readonly yDomain?: readonly [number, number]
  readonly yLog?: boolean
  readonly dots?: readonly Dot[]
  readonly refs?: readonly RefLine[]
  readonly legend?: 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right' | 'none'
  /** same scale on both axes (trajectories on contours) */
  readonly equalAspect?: boolean
}

export interface Figure {
  readonly title?: string
  readonly subtitle?: string
  readonly panels: readonly Panel[]
  readonly columns?: number
  readonly panelWidth?: number
  readonly panelHeight?: number
}

export const PALETTE = ['#4c72b0', '#dd8452', '#55a868', '#c44e52', '#8172b3', '#937860', '#da8bc3', '#8c8c8c'] as const

const MARGIN = { left: 58, right: 14, top: 28, bottom: 42 } as const

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** A short, stable label: integers as is, otherwise up to 3 significant digits, exponents for tiny or huge values. */
export const fmt = (v: number): string => {
  if (v === 0) return '0'
  if (!Number.isFinite(v)) return String(v)
  const a = Math.abs(v)
  if (a >= 1e4 || a < 1e-3) {
    const [m, e] = v.toExponential(1).split('e')
    return `${m.replace(/\.0$/, '')}e${Number(e)}`
  }
  return String(Number(v.toPrecision(3)))
}

const f2 = (v: number): string => v.toFixed(2)

/** Ticks at 1, 2 or 5 x 10^k covering [lo, hi] with about `n` steps. */
export const niceTicks = (lo: number, hi: number, n = 5): number[] => {
  if (!(hi > lo)) return [lo]
  const raw = (hi - lo) / n
  const p = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p
  const out: number[] = []
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : Number(t.toPrecision(12)))
  return out
}

const extent = (vals: number[], pad: number): [number, number] => {
  const fin = vals.filter(Number.isFinite)
  if (fin.length === 0) return [0, 1]
  let lo = Math.min(...fin), hi = Math.max(...fin)
  if (lo === hi) { lo -= 1; hi += 1 }
  const d = (hi - lo) * pad
  return [lo - d, hi + d]
}

/** One panel's markup, placed with its top-left corner at (ox, oy). */
const renderPanel = (p: Panel, ox: number, oy: number, w: number, h: number): string => {
  const out: string[] = []
  const all = p.series.flatMap((s) => s.points)
  let [xlo, xhi] = p.xDomain ?? extent(all.map((q) => q[0]), 0)
  const ys = [...all.map((q) => q[1]), ...(p.dots ?? []).map((d) => d.y), ...(p.refs ?? []).filter((r) => r.axis === 'y').map((r) => r.at)]
  let [ylo, yhi] = p.yDomain ?? (p.yLog
    ? ((fin) => [10 ** Math.floor(Math.log10(Math.min(...fin))), 10 ** Math.ceil(Math.log10(Math.max(...fin)))] as [number, number])(ys.filter((v) => v > 0 && Number.isFinite(v)))
    : extent(ys, 0.06))
  let x0 = ox + MARGIN.left, x1 = ox + w - MARGIN.right
  let y0 = oy + h - MARGIN.bottom, y1 = oy + MARGIN.top
  if (p.equalAspect) {
    // Shrink the longer side of the plot area so that one unit is as long on both axes.
    const sx = (x1 - x0) / (xhi - xlo), sy = (y0 - y1) / (yhi - ylo)
    if (sx > sy) { const cx = (x0 + x1) / 2, half = ((xhi - xlo) * sy) / 2; x0 = cx - half; x1 = cx + half }
    else { const cy = (y0 + y1) / 2, half = ((yhi - ylo) * sx) / 2; y0 = cy + half; y1 = cy - half }
  }
  const lyl = Math.log10(ylo), lyh = Math.log10(yhi)
  const X = (x: number): number => x0 + ((x - xlo) / (xhi - xlo)) * (x1 - x0)
  const Y = (y: number): number => (p.yLog ? y0 - ((Math.log10(y) - lyl) / (lyh - lyl)) * (y0 - y1) : y0 - ((y - ylo) / (yhi - ylo)) * (y0 - y1))
  const inY = (y: number): boolean => Number.isFinite(y) && (p.yLog ? y > 0 : true)
  const clip = `clip${Math.round(ox)}_${Math.round(oy)}`
  out.push(`<clipPath id="${clip}"><rect x="${f2(x0)}" y="${f2(y1)}" width="${f2(x1 - x0)}" height="${f2(y0 - y1)}"/></clipPath>`)
  out.push(`<text x="${f2(ox + w / 2)}" y="${f2(oy + 17)}" text-anchor="middle" font-size="13" font-weight="bold">${esc(p.title)}</text>`)
  // grid and ticks
  const xt = niceTicks(xlo, xhi, 6)
  const yt = p.yLog
    ? Array.from({ length: Math.round(lyh - lyl) + 1 }, (_, i) => 10 ** (Math.round(lyl) + i)).filter((_, i, a) => a.length <= 7 || i % Math.ceil(a.length / 7) === 0)
    : niceTicks(ylo, yhi, 5)
  for (const t of xt) {
    if (t < xlo - 1e-12 || t > xhi + 1e-12) continue
    out.push(`<path d="M${f2(X(t))},${f2(y0)} V${f2(y1)}" stroke="#e5e5e5"/>`)
    out.push(`<text x="${f2(X(t))}" y="${f2(y0 + 15)}" text-anchor="middle" font-size="11">${esc(fmt(t))}</text>`)
  }
  for (const t of yt) {
    if (t < ylo * (1 - 1e-12) - 1e-300 || t > yhi * (1 + 1e-12) + 1e-300) continue
    out.push(`<path d="M${f2(x0)},${f2(Y(t))} H${f2(x1)}" stroke="#e5e5e5"/>`)
    out.push(`<text x="${f2(x0 - 5)}" y="${f2(Y(t) + 4)}" text-anchor="end" font-size="11">${esc(fmt(t))}</text>`)
  }
  if (!p.yLog && ylo < 0 && yhi > 0) out.push(`<path d="M${f2(x0)},${f2(Y(0))} H${f2(x1)}" stroke="#999"/>`)
  if (xlo < 0 && xhi > 0) out.push(`<path d="M${f2(X(0))},${f2(y0)} V${f2(y1)}" stroke="#999"/>`)
  out.push(`<rect x="${f2(x0)}" y="${f2(y1)}" width="${f2(x1 - x0)}" height="${f2(y0 - y1)}" fill="none" stroke="#333"/>`)
  out.push(`<text x="${f2((x0 + x1) / 2)}" y="${f2(oy + h - 8)}" text-anchor="middle" font-size="12">${esc(p.xLabel)}</text>`)
  out.push(`<text transform="translate(${f2(ox + 13)},${f2((y0 + y1) / 2)}) rotate(-90)" text-anchor="middle" font-size="12">${esc(p.yLabel)}</text>`)
  // reference lines
  for (const r of p.refs ?? []) {
    const c = r.color ?? '#777'
    if (r.axis === 'y') {
      if (!inY(r.at)) continue
      out.push(`<path d="M${f2(x0)},${f2(Y(r.at))} H${f2(x1)}" stroke="${c}" stroke-dasharray="5,4"/>`)
      if (r.label) out.push(`<text x="${f2(x0 + 4)}" y="${f2(Y(r.at) - 4)}" font-size="11" fill="${c}">${esc(r.label)}</text>`)
    } else {
      out.push(`<path d="M${f2(X(r.at))},${f2(y0)} V${f2(y1)}" stroke="${c}" stroke-dasharray="5,4"/>`)
      if (r.label) out.push(`<text x="${f2(X(r.at) + 4)}" y="${f2(y1 + 12)}" font-size="11" fill="${c}">${esc(r.label)}</text>`)
    }
  }
  // series, cut at NaN
  out.push(`<g clip-path="url(#${clip})">`)
  for (const s of p.series) {
    let piece: string[] = []
    const flush = (): void => {
      if (piece.length > 1) {
        out.push(`<polyline points="${piece.join(' ')}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 2}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''} stroke-linejoin="round"/>`)
      }
      piece = []
    }
    for (const [x, y] of s.points) {
      if (!inY(y)) { flush(); continue }
      piece.push(`${f2(X(x))},${f2(Y(y))}`)
    }
    flush()
    if (s.markers) for (const [x, y] of s.points) if (inY(y)) out.push(`<circle cx="${f2(X(x))}" cy="${f2(Y(y))}" r="2.2" fill="${s.color}"/>`)
  }
  for (const d of p.dots ?? []) {
    out.push(`<circle cx="${f2(X(d.x))}" cy="${f2(Y(d.y))}" r="4" fill="${d.color}" stroke="white" stroke-width="1"/>`)
    if (d.label) out.push(`<text x="${f2(X(d.x) + 7)}" y="${f2(Y(d.y) + 4)}" font-size="11" fill="${d.color}">${esc(d.label)}</text>`)
  }
  out.push('</g>')
  // legend
  const named = p.series.filter((s) => !s.hideInLegend)
  const where = p.legend ?? 'top-left'
  if (where !== 'none' && named.length > 0) {
    const lw = Math.max(...named.map((s) => s.name.length)) * 6.2 + 34, lh = named.length * 16 + 6
    const lx = where.endsWith('left') ? x0 + 6 : x1 - lw - 6
    const ly = where.startsWith('top') ? y1 + 6 : y0 - lh - 6
    out.push(`<rect x="${f2(lx)}" y="${f2(ly)}" width="${f2(lw)}" height="${f2(lh)}" fill="white" fill-opacity="0.9" stroke="#ccc"/>`)
    named.forEach((s, i) => {
      const yy = ly + 14 + i * 16
      out.push(`<path d="M${f2(lx + 6)},${f2(yy - 4)} h20" stroke="${s.color}" stroke-width="${s.width ?? 2}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`)
      out.push(`<text x="${f2(lx + 30)}" y="${f2(yy)}" font-size="11">${esc(s.name)}</text>`)
    })
  }
  return out.join('\n')
}

/** A grid of panels with an optional title and subtitle, as a complete SVG document. */
export const figure = (f: Figure): string => {
  const cols = Math.min(f.columns ?? f.panels.length, f.panels.length)
  const rows = Math.ceil(f.panels.length / cols)
  const pw = f.panelWidth ?? 420, ph = f.panelHeight ?? 300
  const header = f.title ? (f.subtitle ? 46 : 28) : 0
  const W = cols * pw, H = header + rows * ph
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
  ]
  if (f.title) parts.push(`<text x="${W / 2}" y="19" text-anchor="middle" font-size="15" font-weight="bold">${esc(f.title)}</text>`)
  if (f.subtitle) parts.push(`<text x="${W / 2}" y="37" text-anchor="middle" font-size="12" fill="#444">${esc(f.subtitle)}</text>`)
  f.panels.forEach((p, i) => parts.push(renderPanel(p, (i % cols) * pw, header + Math.floor(i / cols) * ph, pw, ph)))
  parts.push('</svg>')
  return parts.join('\n') + '\n'
}
