/**
 * Progress for long runs, on standard error only (standard output stays the
 * command's result): shown on a terminal, or anywhere with --progress. With a
 * known total it gives the count, the total, the percentage and an ETA; a
 * terminal gets a redrawn line, anything else a plain line every few seconds.
 */
export interface Progress {
  /** `fraction`: the part done when the total count is unknown but measurable (bytes of a file). */
  readonly tick: (done: number, label?: string, total?: number, fraction?: number) => void
  readonly done: () => void
}

const clock = (s: number): string => {
  if (!Number.isFinite(s) || s < 0) return '?'
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = Math.floor(s % 60)
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`
}

/**
 * The progress text: "title [####....] 40/100 40% ETA 12s label" with a known total,
 * "title [####....] 40 40% ETA 12s label" with a known fraction, "title: 40 label" otherwise.
 */
export const renderProgress = (title: string, done: number, total: number | undefined, elapsedMs: number, label = '', width = 100, fraction?: number): string => {
  let s: string
  const frac = fraction !== undefined ? Math.min(1, Math.max(0, fraction)) : total !== undefined && total > 0 ? Math.min(1, done / total) : undefined
  if (frac !== undefined) {
    const bar = 20, full = Math.round(frac * bar)
    const eta = frac > 0 ? (elapsedMs / 1000) * (1 - frac) / frac : NaN
    s = `${title} [${'#'.repeat(full)}${'.'.repeat(bar - full)}] ${done}${total !== undefined && fraction === undefined ? `/${total}` : ''} ${Math.floor(frac * 100)}% ETA ${clock(eta)} ${label}`
  } else {
    s = `${title}: ${done} ${label}`
  }
  return s.trimEnd().slice(0, Math.max(20, width - 1))
}

export const progress = (title: string, total: number | undefined, opts: { force?: boolean; stream?: NodeJS.WriteStream } = {}): Progress => {
  const stream = opts.stream ?? process.stderr
  const tty = stream.isTTY === true
  const on = tty || opts.force === true
  let last = 0, shown = false
  const start = Date.now()
  return {
    tick: (done, label, t, fraction) => {
      if (!on) return
      const now = Date.now()
      const text = () => renderProgress(title, done, t ?? total, now - start, label, stream.columns ?? 100, fraction)
      if (tty && now - last > 80) { stream.write(`\r\x1b[K${text()}`); last = now; shown = true }
      else if (!tty && now - last > 2000) { stream.write(text() + '\n'); last = now }
    },
    done: () => { if (tty && shown) { stream.write('\r\x1b[K'); shown = false } },
  }
}
