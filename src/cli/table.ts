/** Plain-text tables for terminal summaries: right-aligned numbers, left-aligned text. */
export const table = (header: readonly string[], rows: readonly (readonly (string | number)[])[]): string => {
  const cells = [header, ...rows].map((r) => r.map(String))
  const widths = header.map((_, j) => Math.max(...cells.map((r) => r[j].length)))
  const line = (r: readonly string[], raw: readonly (string | number)[]) =>
    r.map((c, j) => (typeof raw[j] === 'number' ? c.padStart(widths[j]) : c.padEnd(widths[j]))).join('  ').trimEnd()
  return [line(cells[0], header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map((r, i) => line(r, rows[i]))].join('\n')
}
