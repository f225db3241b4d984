/**
 * `nn-oracle check FILE... [--json PATH] [--quiet]`: the main job.
 *
 * Streams each case file, evaluates every case against the oracle, prints one
 * line per case that does not pass and a summary table per op. Exit status as
 * ../shared/case-format.md says: 0 all pass; 1 any fail or unsupported;
 * 2 a file cannot be read at all or any line is invalid.
 */
import { createWriteStream, statSync, type WriteStream } from 'node:fs'
import { parseArgs } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'
import { parseLine } from '../cases/case.ts'
import { formatMismatch } from '../cases/compare.ts'
import { type CaseResult, type Status, evaluate } from '../cases/evaluate.ts'
import { readLines } from '../cases/lines.ts'
import type { Convention } from '../profiles/conventions.ts'
import { diagnose } from '../profiles/diagnose.ts'
import { profileConventions, profileNames } from '../profiles/profiles.ts'
import { progress } from './progress.ts'
import { table } from './table.ts'

export const CHECK_HELP = `usage: nn-oracle check FILE... [--profile NAME] [--json PATH] [--quiet]

Checks every case of each JSON Lines case file (../shared/case-format.md)
against the oracle. Prints one line per case that is not a pass, then a
summary per op.

  --profile P   conventions to check under: ${profileNames().join(', ')} (default pytorch);
                a failing case is retried under the other conventions, and the
                ones that explain it are named
  --json PATH   also write the full report as JSON to PATH
  --quiet       print only the summary
exit status: 0 all pass, 1 a case failed or is unsupported, 2 a file is
unreadable or a line is invalid`

interface Row { pass: number; fail: number; invalid: number; unsupported: number }
const emptyRow = (): Row => ({ pass: 0, fail: 0, invalid: 0, unsupported: 0 })

export interface CheckReport {
  readonly byOp: ReadonlyMap<string, Row>
  readonly unreadable: readonly string[]
  readonly exitCode: number
}

const describe = (r: CaseResult): string =>
  r.status === 'fail' ? (r.mismatches ?? []).map((m) => formatMismatch(m)).join('; ') : r.reason ?? ''

/** Check files; `emit` receives each non-passing line as text, `record` every result. */
export const checkFiles = async (
  files: readonly string[],
  emit: (line: string) => void,
  record: (file: string, line: number, r: CaseResult & { diagnosis?: string[] }) => void = () => {},
  conventions: readonly Convention[] = [],
): Promise<CheckReport> => {
  const byOp = new Map<string, Row>()
  const unreadable: string[] = []
  const count = (op: string, s: Status) => {
    const row = byOp.get(op) ?? emptyRow()
    row[s]++
    byOp.set(op, row)
  }
  for (const file of files) {
    try {
      if (!statSync(file).isFile()) throw new Error('not a regular file')
    } catch (e) {
      unreadable.push(file)
      emit(`${file}: cannot read: ${(e as Error).message}`)
      continue
    }
    const ids = new Set<string>()
    try {
      for await (const line of readLines(file)) {
        let r: CaseResult & { diagnosis?: string[] }
        if (line.kind === 'too-long') r = { status: 'invalid', reason: `line of ${line.bytes} bytes exceeds the limit` }
        else if (line.kind === 'bad-utf8') r = { status: 'invalid', reason: 'not valid UTF-8' }
        else if (line.text.trim() === '') continue // blank lines are skipped (case format, File)
        else {
          const parsed = parseLine(line.text)
          if (E.isLeft(parsed)) r = { status: 'invalid', ...parsed.left }
          else if (ids.has(parsed.right.id)) r = { status: 'invalid', id: parsed.right.id, op: parsed.right.op, reason: `id: ${JSON.stringify(parsed.right.id)} is not unique in the file` }
          else {
            ids.add(parsed.right.id)
            try {
              r = evaluate(parsed.right, conventions)
              if (r.status === 'fail') r = { ...r, diagnosis: diagnose(parsed.right, conventions).map((d) => d.text) }
            } catch (e) {
              // An op that throws is the oracle's bug, never the user's: say so, keep going.
              r = { status: 'invalid', id: parsed.right.id, op: parsed.right.op, reason: `internal error in the oracle (please report): ${(e as Error).message}` }
            }
          }
        }
        count(r.op ?? '(unparsed)', r.status)
        record(file, line.number, r)
        if (r.status !== 'pass') emit(`${file}:${line.number}  ${r.status}  ${r.id ?? '-'}  ${describe(r)}`)
        for (const d of r.diagnosis ?? []) emit(`    -> ${d}`)
      }
    } catch (e) {
      unreadable.push(file)
      emit(`${file}: cannot read: ${(e as Error).message}`)
    }
  }
  const total = [...byOp.values()].reduce((a, r) => ({ pass: a.pass + r.pass, fail: a.fail + r.fail, invalid: a.invalid + r.invalid, unsupported: a.unsupported + r.unsupported }), emptyRow())
  const exitCode = unreadable.length > 0 || total.invalid > 0 ? 2 : total.fail > 0 || total.unsupported > 0 ? 1 : 0
  return { byOp, unreadable, exitCode }
}

export const summaryTable = (byOp: ReadonlyMap<string, Row>): string => {
  const ops = [...byOp.keys()].sort()
  const rows = ops.map((op) => { const r = byOp.get(op)!; return [op, r.pass, r.fail, r.invalid, r.unsupported] as (string | number)[] })
  const t = ops.reduce((a, op) => { const r = byOp.get(op)!; return [a[0] + r.pass, a[1] + r.fail, a[2] + r.invalid, a[3] + r.unsupported] }, [0, 0, 0, 0])
  return table(['op', 'pass', 'fail', 'invalid', 'unsupported'], [...rows, ['total', ...t]])
}

const jsonSafe = (_k: string, v: unknown): unknown =>
  typeof v === 'number' && !Number.isFinite(v) ? String(v) : v instanceof Float64Array ? Array.from(v) : v

export const checkCommand = async (argv: readonly string[]): Promise<number> => {
  let parsed
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, options: { json: { type: 'string' }, quiet: { type: 'boolean' }, profile: { type: 'string', default: 'pytorch' }, help: { type: 'boolean', short: 'h' } } })
  } catch (e) {
    console.error(`nn-oracle check: ${(e as Error).message}\n\n${CHECK_HELP}`)
    return 2
  }
  if (parsed.values.help) { console.log(CHECK_HELP); return 0 }
  const conventions = profileConventions(parsed.values.profile!)
  if (conventions === undefined) { console.error(`nn-oracle check: --profile: expected one of ${profileNames().join(', ')}, got ${JSON.stringify(parsed.values.profile)}`); return 2 }
  const files = parsed.positionals
  if (files.length === 0) { console.error(`nn-oracle check: no case file given\n\n${CHECK_HELP}`); return 2 }

  let json: WriteStream | undefined
  let first = true
  if (parsed.values.json !== undefined) {
    json = createWriteStream(parsed.values.json)
    json.write('{"cases": [\n')
  }
  const quiet = parsed.values.quiet === true
  // A progress line on a terminal (standard error), redrawn; plain lines every few seconds otherwise.
  const bar = progress('check', undefined)
  let n = 0
  const report = await checkFiles(files, (l) => { if (!quiet) { bar.done(); console.log(l) } }, (file, line, r) => {
    bar.tick(++n, `${file}:${line}`)
    if (json === undefined) return
    const { actual: _omit, ...rest } = r
    json.write((first ? '' : ',\n') + JSON.stringify({ file, line, ...rest }, jsonSafe))
    first = false
  }, conventions)
  bar.done()
  console.log('')
  console.log(summaryTable(report.byOp))
  if (json !== undefined) {
    const summary = Object.fromEntries(report.byOp)
    json.end(`\n], "summary": ${JSON.stringify(summary)}, "unreadable": ${JSON.stringify(report.unreadable)}, "exit": ${report.exitCode}}\n`)
    await new Promise<void>((res) => json!.on('finish', () => res()))
  }
  return report.exitCode
}
