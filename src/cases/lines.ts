/**
 * Stream the lines of a file without loading it whole: a file of a million
 * cases is read chunk by chunk, and one line is held at a time. A line longer
 * than `maxLineBytes` is skipped (its bytes are never kept) and reported, so a
 * runaway line cannot exhaust memory; invalid UTF-8 is reported too.
 */
import { createReadStream } from 'node:fs'

/** `offset`: bytes of the source consumed up to the end of this line (for progress). */
export type Line =
  | { readonly kind: 'line'; readonly number: number; readonly text: string; readonly offset: number }
  | { readonly kind: 'too-long'; readonly number: number; readonly bytes: number; readonly offset: number }
  | { readonly kind: 'bad-utf8'; readonly number: number; readonly offset: number }

export const DEFAULT_MAX_LINE_BYTES = 256 * 1024 * 1024

/** Lines of a file (a path) or of a stream (standard input for `check -`). */
export async function* readLines(source: string | NodeJS.ReadableStream, maxLineBytes = DEFAULT_MAX_LINE_BYTES): AsyncGenerator<Line> {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  let parts: Buffer[] = []
  let held = 0 // bytes of the current line seen so far (kept or not)
  let number = 1
  let offset = 0
  const finish = (): Line => {
    const n = number++
    if (held > maxLineBytes) { const bytes = held; parts = []; held = 0; return { kind: 'too-long', number: n, bytes, offset } }
    const buf = parts.length === 1 ? parts[0] : Buffer.concat(parts)
    parts = []; held = 0
    const body = buf.length > 0 && buf[buf.length - 1] === 0x0d ? buf.subarray(0, buf.length - 1) : buf // CRLF
    try {
      return { kind: 'line', number: n, text: decoder.decode(body), offset }
    } catch {
      return { kind: 'bad-utf8', number: n, offset }
    }
  }
  const stream = typeof source === 'string' ? createReadStream(source) : source
  for await (const c of stream as AsyncIterable<Buffer | string>) {
    const chunk = typeof c === 'string' ? Buffer.from(c, 'utf8') : c
    let start = 0
    for (;;) {
      const nl = chunk.indexOf(0x0a, start)
      const piece = chunk.subarray(start, nl < 0 ? chunk.length : nl)
      offset += piece.length + (nl < 0 ? 0 : 1)
      held += piece.length
      if (held <= maxLineBytes) parts.push(piece)
      else parts = []
      if (nl < 0) break
      yield finish()
      start = nl + 1
    }
  }
  if (held > 0 || parts.length > 0) yield finish()
}
