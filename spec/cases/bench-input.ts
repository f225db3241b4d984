/**
 * The input of `check`'s throughput benchmark (docs/performance.md, "check"):
 * `node --import tsx spec/cases/bench-input.ts OUT [N]` writes N (default
 * 100,000) small cases to OUT. They are the vectors writer's cases (seed 0,
 * float64, one per built-in variant) of eleven cheap ops, those under 700
 * bytes, repeated in order with fresh ids (`<id>#<k>`) so that `check`'s
 * unique-id rule holds; about 620 bytes a line. Every case passes, so the
 * run measures reading, parsing, the schema and the ops, not the report.
 *
 * Why here and not a CLI flag: it is a measuring tool for the case pipeline
 * (src/cases), kept beside that pipeline's specs, and the published CLI has
 * no use for it. Deterministic: one N, one byte-identical file.
 */
import { createWriteStream } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { vectorCases } from '../../src/vectors/write.ts'

export const BENCH_OPS = ['relu', 'leaky_relu', 'sigmoid', 'softmax', 'log_softmax', 'multi_margin_loss',
  'elastic_net_penalty', 'max_pool2d', 'layer_norm', 'dropout', 'lr_schedule'] as const
export const MAX_BYTES = 700

/** The distinct small cases: each id with its whole JSON line (ASCII, so string length is bytes). */
export const smallCases = (): { id: string; line: string }[] =>
  [...vectorCases([...BENCH_OPS], 0, 'float64')]
    .map((c) => ({ id: c.id, line: JSON.stringify(c) }))
    .filter((c) => Buffer.byteLength(c.line) < MAX_BYTES)

/** Line k (0-based) of the benchmark file. */
export const benchLines = function* (n: number, cases = smallCases()): Generator<string> {
  if (cases.length === 0) throw new Error('bench-input: no case under 700 bytes')
  for (let k = 0; k < n; k++) {
    const c = cases[k % cases.length]
    const fresh = JSON.stringify(`${c.id}#${Math.floor(k / cases.length)}`)
    // The id is the first field vectors writes; replace exactly that text.
    const head = `{"id":${JSON.stringify(c.id)},`
    if (!c.line.startsWith(head)) throw new Error(`bench-input: ${c.id}: id is not the first field`)
    yield `{"id":${fresh},${c.line.slice(head.length)}`
  }
}

const main = async (argv: string[]): Promise<number> => {
  const [out, count = '100000'] = argv
  const n = Number(count)
  if (out === undefined || !Number.isSafeInteger(n) || n < 1) {
    console.error('usage: node --import tsx spec/cases/bench-input.ts OUT [N]   (N a positive integer, default 100000)')
    return 2
  }
  const cases = smallCases()
  const sink = createWriteStream(out)
  let bytes = 0, batch = ''
  for (const line of benchLines(n, cases)) {
    batch += line + '\n'
    if (batch.length > 1 << 20) { bytes += batch.length; if (!sink.write(batch)) await new Promise<void>((r) => { sink.once('drain', () => r()) }); batch = '' }
  }
  bytes += batch.length
  sink.end(batch)
  await new Promise<void>((r) => { sink.once('finish', () => r()) })
  console.error(`bench-input: wrote ${n} cases (${cases.length} distinct, ${(bytes / n).toFixed(0)} bytes a line on average) to ${out}`)
  return 0
}
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2))
}
