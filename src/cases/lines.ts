/**
 * Stream the lines of a file without loading it whole: a file of a million
 * cases is read chunk by chunk (1 MiB), and only the lines of one chunk, or
 * the one line that spans chunks, are held at a time. A line longer
 * than `maxLineBytes` is skipped (its bytes are never kept) and reported, so a
 * runaway line cannot exhaust memory; invalid UTF-8 is reported too.
 */
import { isUtf8 } from 'node:buffer'
import { createReadStream } from 'node:fs'

/** `offset`: bytes of the source consumed up to the end of this line (for progress). */
export type Line =
  | { readonly kind: 'line'; readonly number: number; readonly text: string; readonly offset: number }
  | { readonly kind: 'too-long'; readonly number: number; readonly bytes: number; readonly offset: number }
  | { readonly kind: 'bad-utf8'; readonly number: number; readonly offset: number }

export const DEFAULT_MAX_LINE_BYTES = 256 * 1024 * 1024

/** Lines of a file (a path) or of a stream (standard input for `check -`). */
export async function* readLines(source: string | NodeJS.ReadableStream, maxLineBytes = DEFAULT_MAX_LINE_BYTES): AsyncGenerator<Line> {
  for await (const batch of readLineBatches(source, maxLineBytes)) yield* batch
}

const BOM = [0xef, 0xbb, 0xbf]

/**
 * The same lines as `readLines`, handed over a chunk at a time (one await per
 * chunk instead of one per line). A line that lies whole inside one chunk is
 * decoded straight from the chunk once the chunk's complete lines are known
 * to be valid UTF-8 (one check per chunk: a line break never falls inside a
 * multi-byte character); a line that spans chunks, or any line of a chunk
 * that is not valid UTF-8, takes the general path through `finish`. Both give
 * the same text: the decoder drops a byte-order mark at the start of each
 * line, so the direct path does too.
 */
export async function* readLineBatches(source: string | NodeJS.ReadableStream, maxLineBytes = DEFAULT_MAX_LINE_BYTES): AsyncGenerator<Line[]> {
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
  // Large reads: fewer calls into the file system for a file of small lines.
  const stream = typeof source === 'string' ? createReadStream(source, { highWaterMark: 1 << 20 }) : source
  for await (const c of stream as AsyncIterable<Buffer | string>) {
    const chunk = typeof c === 'string' ? Buffer.from(c, 'utf8') : c
    let batch: Line[] = []
    // Lines after the chunk's first break begin in this chunk; those before its last break end in it.
    const first = chunk.indexOf(0x0a), last = chunk.lastIndexOf(0x0a)
    const direct = first >= 0 && isUtf8(chunk.subarray(first + 1, last))
    let start = 0
    for (;;) {
      const nl = chunk.indexOf(0x0a, start)
      if (direct && nl >= 0 && start > first) { // (after the first break, nothing is held over: finish emptied it)
        const bytes = nl - start
        offset += bytes + 1
        const n = number++
        if (bytes > maxLineBytes) batch.push({ kind: 'too-long', number: n, bytes, offset })
        else {
          const end = bytes > 0 && chunk[nl - 1] === 0x0d ? nl - 1 : nl // CRLF
          const from = end - start >= 3 && chunk[start] === BOM[0] && chunk[start + 1] === BOM[1] && chunk[start + 2] === BOM[2] ? start + 3 : start
          batch.push({ kind: 'line', number: n, text: chunk.toString('utf8', from, end), offset })
        }
        start = nl + 1
        // A chunk of a million empty lines is handed over in parts, not held as a million objects.
        if (batch.length >= 4096) { yield batch; batch = [] }
        continue
      }
      const piece = chunk.subarray(start, nl < 0 ? chunk.length : nl)
      offset += piece.length + (nl < 0 ? 0 : 1)
      held += piece.length
      if (held <= maxLineBytes) parts.push(piece)
      else parts = []
      if (nl < 0) break
      batch.push(finish())
      start = nl + 1
    }
    if (batch.length > 0) yield batch
  }
  if (held > 0 || parts.length > 0) yield [finish()]
}
