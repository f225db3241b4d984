/**
 * `nn-oracle check FILE... [--profile P] [--json PATH] [--quiet] [--progress]`: the main job.
 *
 * Streams each case file (`-` is standard input), evaluates every case against
 * the oracle, prints one line per case that does not pass and a summary table
 * per op. Exit status as docs/case-format.md says: 0 all pass; 1 any fail or
 * unsupported; 2 a file cannot be read at all, has no cases, or any line is
 * invalid (a usage error is 2 too). A failure on one line never stops the
 * file: every line gets its own verdict.
 */
import { statSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { parseLine } from '../cases/case.ts'
import { formatMismatch } from '../cases/compare.ts'
import { type CaseResult, type Status, evaluate } from '../cases/evaluate.ts'
import { DEFAULT_MAX_LINE_BYTES, readLineBatches } from '../cases/lines.ts'
import type { Convention } from '../profiles/conventions.ts'
import { diagnose } from '../profiles/diagnose.ts'
import { profileConventions, profileNames } from '../profiles/profiles.ts'
import { type Sink, didYouMean, openSink, parseCommandArgs } from './args.ts'
import { setReference } from '../fast/mode.ts'
import { progress } from './progress.ts'
import { table } from './table.ts'

export const CHECK_HELP = `usage: nn-oracle check FILE... [--profile NAME] [--json PATH] [--quiet] [--progress]

Checks every case of each JSON Lines case file (docs/case-format.md) against
the oracle; FILE "-" reads standard input. Prints one line per case that is
not a pass, then a summary per op; problems with a file go to standard error.

  --profile P   conventions to check under: ${profileNames().join(', ')} (default pytorch);
                a failing case is retried under the other conventions, and the
                ones that explain it are named
  --json PATH   also write the full report as JSON to PATH ("-": standard output,
                with the text report on standard error)
  --quiet       print only the summary
  --progress    show progress on standard error even when it is not a terminal
  --reference   compute with the readable reference instead of the fast float64
                path (as NN_ORACLE_REFERENCE=1 does)
exit status: 0 all pass, 1 a case failed or is unsupported, 2 a file is
unreadable or has no cases, a line is invalid, or the usage is wrong`

interface Row { pass: number; fail: number; invalid: number; unsupported: number }
const emptyRow = (): Row => ({ pass: 0, fail: 0, invalid: 0, unsupported: 0 })

export interface CheckReport {
  readonly byOp: ReadonlyMap<string, Row>
  readonly unreadable: readonly string[]
  /** Files (or standard input) that held no case at all: nothing was checked. */
  readonly empty: readonly string[]
  readonly exitCode: number
}

export interface CheckOptions {
  /** Problems with a file as a whole (unreadable, empty); default: `emit`. */
  readonly onError?: (line: string) => void
  /** After each line: bytes read so far of the file, and its size when known. */
  readonly onProgress?: (file: string, offset: number, size: number | undefined) => void
  readonly maxLineBytes?: number
  /** The stream `-` reads (standard input by default). */
  readonly stdin?: NodeJS.ReadableStream
}

const describe = (r: CaseResult): string =>
  r.status === 'fail' ? (r.mismatches ?? []).map((m) => formatMismatch(m)).join('; ') : r.reason ?? ''

type Result = CaseResult & { diagnosis?: string[] }

/** One line's verdict; never throws (an exception is the oracle's bug, reported on that line). */
const checkLine = (text: string, ids: Set<string>, conventions: readonly Convention[]): Result => {
  const parsed = parseLine(text)
  if (E.isLeft(parsed)) return { status: 'invalid', ...parsed.left }
  const c = parsed.right
  if (ids.has(c.id)) return { status: 'invalid', id: c.id, op: c.op, reason: `id: ${JSON.stringify(c.id)} is not unique in the file` }
  ids.add(c.id)
  try {
    let r: Result = evaluate(c, conventions)
    if (r.status === 'fail') r = { ...r, diagnosis: diagnose(c, conventions).map((d) => d.text) }
    return r
  } catch (e) {
    return { status: 'invalid', id: c.id, op: c.op, reason: `internal error in the oracle (please report): ${String((e as Error)?.message ?? e).slice(0, 200)}` }
  }
}

/** Check files; `emit` receives each non-passing line as text, `record` every result. */
export const checkFiles = async (
  files: readonly string[],
  emit: (line: string) => void,
  record: (file: string, line: number, r: Result) => void = () => {},
  conventions: readonly Convention[] = [],
  opts: CheckOptions = {},
): Promise<CheckReport> => {
  const byOp = new Map<string, Row>()
  const unreadable: string[] = []
  const empty: string[] = []
  const onError = opts.onError ?? emit
  const count = (op: string, s: Status) => {
    const row = byOp.get(op) ?? emptyRow()
    row[s]++
    byOp.set(op, row)
  }
  for (const file of files) {
    const stdin = file === '-'
    const name = stdin ? '(standard input)' : file
    let size: number | undefined
    if (!stdin) {
      try {
        const st = statSync(file)
        if (!st.isFile()) throw new Error(st.isDirectory() ? 'it is a directory' : 'not a regular file')
        size = st.size
      } catch (e) {
        unreadable.push(file)
        const err = e as NodeJS.ErrnoException
        onError(`${file}: cannot read: ${err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message}`)
        continue
      }
    }
    const ids = new Set<string>()
    let cases = 0
    try {
      // A chunk's lines at a time: one await per chunk of the file, not one per line.
      for await (const batch of readLineBatches(stdin ? opts.stdin ?? process.stdin : file, opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES)) for (const line of batch) {
        let r: Result
        if (line.kind === 'too-long') r = { status: 'invalid', reason: `line of ${line.bytes} bytes; a line may hold at most ${opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES} bytes` }
        else if (line.kind === 'bad-utf8') r = { status: 'invalid', reason: 'not valid UTF-8' }
        else if (line.text.trim() === '') continue // blank lines are skipped (case format, File)
        else r = checkLine(line.text, ids, conventions)
        cases++
        count(r.op ?? '(unparsed)', r.status)
        try {
          record(name, line.number, r)
        } catch (e) {
          onError(`${name}:${line.number}: the report could not record this case: ${String((e as Error)?.message ?? e).slice(0, 200)}`)
        }
        if (r.status !== 'pass') emit(`${name}:${line.number}  ${r.status}  ${r.id ?? '-'}  ${describe(r)}`)
        for (const d of r.diagnosis ?? []) emit(`    -> ${d}`)
        opts.onProgress?.(name, line.offset, size)
      }
    } catch (e) {
      unreadable.push(name)
      onError(`${name}: cannot read: ${String((e as Error)?.message ?? e).split('\n')[0]}`)
      continue
    }
    if (cases === 0) {
      empty.push(name)
      onError(`${name}: no cases (the file is empty or holds only blank lines); nothing was checked`)
    }
  }
  const total = [...byOp.values()].reduce((a, r) => ({ pass: a.pass + r.pass, fail: a.fail + r.fail, invalid: a.invalid + r.invalid, unsupported: a.unsupported + r.unsupported }), emptyRow())
  const exitCode = unreadable.length > 0 || empty.length > 0 || total.invalid > 0 ? 2 : total.fail > 0 || total.unsupported > 0 ? 1 : 0
  return { byOp, unreadable, empty, exitCode }
}

export const summaryTable = (byOp: ReadonlyMap<string, Row>): string => {
  const ops = [...byOp.keys()].sort()
  const rows = ops.map((op) => { const r = byOp.get(op)!; return [op, r.pass, r.fail, r.invalid, r.unsupported] as (string | number)[] })
  const t = ops.reduce((a, op) => { const r = byOp.get(op)!; return [a[0] + r.pass, a[1] + r.fail, a[2] + r.invalid, a[3] + r.unsupported] }, [0, 0, 0, 0])
  return table(['op', 'pass', 'fail', 'invalid', 'unsupported'], [...rows, ['total', ...t]])
}

const jsonSafe = (_k: string, v: unknown): unknown =>
  typeof v === 'number' && !Number.isFinite(v) ? String(v) : v instanceof Float64Array ? Array.from(v) : v

const OPTIONS = { json: { type: 'string' }, quiet: { type: 'boolean' }, progress: { type: 'boolean' }, reference: { type: 'boolean' }, profile: { type: 'string', default: 'pytorch' }, help: { type: 'boolean', short: 'h' } } as const

export const checkCommand = async (argv: readonly string[]): Promise<number> => {
  const p = parseCommandArgs('check', argv, OPTIONS, true)
  if (!p.ok) { console.error(p.message); return 2 }
  const v = p.parsed.values as { json?: string; quiet?: boolean; progress?: boolean; reference?: boolean; profile: string; help?: boolean }
  if (v.help) { console.log(CHECK_HELP); return 0 }
  if (v.reference) setReference(true)
  const conventions = profileConventions(v.profile)
  if (conventions === undefined) { console.error(`nn-oracle check: --profile: expected one of ${profileNames().join(', ')}, got ${JSON.stringify(v.profile)}${didYouMean(v.profile, profileNames())}`); return 2 }
  const files = p.parsed.positionals
  if (files.length === 0) { console.error('nn-oracle check: no case file given (a path, or - for standard input; see nn-oracle check --help)'); return 2 }

  // The report file is opened before any work, so a bad path costs nothing and says so.
  let json: Sink | undefined
  if (v.json !== undefined) {
    const s = openSink(v.json)
    if (typeof s === 'string') { console.error(`nn-oracle check: --json: ${s}`); return 2 }
    json = s
  }
  const toStdout = json === undefined || v.json !== '-'
  const out = (l: string) => { if (toStdout) console.log(l); else console.error(l) }
  let first = true
  json?.write('{"cases": [\n')
  const quiet = v.quiet === true
  // Progress by bytes of each file (its size is the known total); a count alone on standard input.
  const bar = progress('check', undefined, { force: v.progress === true })
  let n = 0
  const report = await checkFiles(files, (l) => { if (!quiet) { bar.done(); out(l) } }, (file, line, r) => {
    ++n
    if (json === undefined) return
    const { actual: _omit, ...rest } = r
    json.write((first ? '' : ',\n') + JSON.stringify({ file, line, ...rest }, jsonSafe))
    first = false
  }, conventions, {
    onError: (l) => { bar.done(); console.error(`nn-oracle check: ${l}`) },
    onProgress: (file, offset, size) => bar.tick(n, `cases  ${file}`, undefined, size ? offset / size : undefined),
  })
  bar.done()
  out('')
  out(summaryTable(report.byOp))
  if (json !== undefined) {
    const summary = Object.fromEntries(report.byOp)
    json.write(`\n], "summary": ${JSON.stringify(summary)}, "unreadable": ${JSON.stringify(report.unreadable)}, "empty": ${JSON.stringify(report.empty)}, "exit": ${report.exitCode}}\n`)
    json.close()
  }
  return report.exitCode
}
