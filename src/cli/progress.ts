/**
 * Progress for long runs: a redrawn bar on a terminal (standard error), plain
 * lines every few seconds otherwise, nothing under CI when quiet is asked.
 */
export interface Progress { readonly tick: (done: number, label?: string) => void; readonly done: () => void }

export const progress = (title: string, total: number | undefined, stream: NodeJS.WriteStream = process.stderr): Progress => {
  const tty = stream.isTTY === true
  let last = 0
  const start = Date.now()
  const render = (done: number, label = '') => {
    if (total !== undefined && total > 0) {
      const width = 28, frac = Math.min(1, done / total)
      const full = Math.round(frac * width)
      return `${title} [${'#'.repeat(full)}${'.'.repeat(width - full)}] ${done}/${total} ${label}`.slice(0, (stream.columns ?? 100) - 1)
    }
    return `${title}: ${done} ${label}`.slice(0, (stream.columns ?? 100) - 1)
  }
  return {
    tick: (done, label) => {
      const now = Date.now()
      if (tty && now - last > 80) { stream.write(`\r\x1b[K${render(done, label)}`); last = now }
      else if (!tty && now - last > 5000 && now - start > 5000) { stream.write(render(done, label) + '\n'); last = now }
    },
    done: () => { if (tty) stream.write('\r\x1b[K') },
  }
}
