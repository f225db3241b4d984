/**
 * `nn-oracle fuzz --impl "COMMAND" --op OP [options]`: differential property
 * testing of another implementation through a process boundary (src/fuzz).
 * exit status: 0 agreement on every compared case; 1 a mismatch; 2 bad usage;
 * 3 the implementation misbehaved (crash, hang, protocol fault); 4 it declined
 * every case, so nothing was compared.
 */
import { startImpl } from '../fuzz/impl.ts'
import { type Declines, type FuzzOutcome, fuzz } from '../fuzz/run.ts'
import { DOMAINS, type Domain } from '../fuzz/generators.ts'
import { lookup } from '../registry.ts'
import { allOps } from '../registry.ts'
import { profileConventions, profileNames } from '../profiles/profiles.ts'
import { type Sink, didYouMean, openSink, parseCommandArgs } from './args.ts'
import { progress } from './progress.ts'

export const FUZZ_HELP = `usage: nn-oracle fuzz --impl "COMMAND" --op OP [options]

Differential property testing of another implementation. COMMAND is started
once (by /bin/sh, in a session of its own); it reads one case per line on
stdin ({"id", "op", "attrs", "inputs", "cotangents"}) and answers exactly one
line per case, in order: {"id", "outputs", "gradients"} in case-format tensors,
or {"id", "unsupported": "why"} to decline a case it does not support (counted
and summarized per reason, never a fault). Any other reply, a reply twice, a
reply out of order or unasked, an exit or a closed stdout before its stdin is
closed, and a reply slower than the timeout are faults. On exit every process
the command started is ended.

  --impl CMD         the implementation's command line (required)
  --op OP            the op to fuzz (required; see nn-oracle ops)
  --runs N           cases to try before shrinking (default 100)
  --seed S           fast-check seed (default 0); the report prints the replay
  --path P           replay one shrink path (as printed)
  --timeout S        seconds to wait for each reply (default 5)
  --startup-timeout S  extra seconds the first reply may take while the
                     implementation starts (default 15)
  --rtol R --atol A  tolerance (default by the reply's dtype, as in check)
  --profile P        conventions the implementation follows: ${profileNames().join(', ')} (default pytorch)
  --domain D         what to draw: pytorch (what PyTorch accepts; the default) or
                     all (everything the oracle defines; the default under --profile onnx)
  --no-shrink        report the first failure as found
  --json PATH        also write the outcome as JSON to PATH ("-": standard output)
  --progress         show progress on standard error even when it is not a terminal
exit status: 0 agree, 1 mismatch, 2 usage, 3 implementation fault,
4 every case declined (nothing compared)`

const OPTIONS = {
  impl: { type: 'string' }, op: { type: 'string' }, runs: { type: 'string', default: '100' }, seed: { type: 'string', default: '0' },
  path: { type: 'string' }, timeout: { type: 'string' }, 'startup-timeout': { type: 'string' }, 'timeout-ms': { type: 'string' }, rtol: { type: 'string' }, atol: { type: 'string' },
  json: { type: 'string' }, profile: { type: 'string', default: 'pytorch' }, domain: { type: 'string' }, 'no-shrink': { type: 'boolean' },
  progress: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const

const summarizeDeclines = (d: Declines): string[] =>
  Object.entries(d).sort((a, b) => b[1] - a[1]).map(([why, n]) => `  declined ${n}: ${why}`)

export const fuzzCommand = async (argv: readonly string[]): Promise<number> => {
  const p = parseCommandArgs('fuzz', argv, OPTIONS)
  if (!p.ok) { console.error(p.message); return 2 }
  const v = p.parsed.values as Record<string, string | undefined> & { 'no-shrink'?: boolean; help?: boolean; progress?: boolean }
  if (v.help) { console.log(FUZZ_HELP); return 0 }
  const bad = (m: string) => { console.error(`nn-oracle fuzz: ${m}`); return 2 }
  if (!v.impl) return bad('--impl "COMMAND" is required')
  if (!v.op) return bad('--op is required')
  if (lookup(v.op) === undefined) return bad(`--op: unknown op ${JSON.stringify(v.op)}${didYouMean(v.op, allOps.map((o) => o.name))}; see nn-oracle ops`)
  const inRange = (s: string, min: number, max: number) => { const n = Number(s); return Number.isSafeInteger(n) && n >= min && n <= max }
  if (!inRange(v.runs!, 1, 1_000_000)) return bad(`--runs: expected an integer in [1, 1000000], got ${JSON.stringify(v.runs)}`)
  let timeoutMs = 5000
  if (v.timeout !== undefined) {
    const s = Number(v.timeout)
    if (!(Number.isFinite(s) && s > 0 && s <= 3600)) return bad(`--timeout: expected seconds in (0, 3600], got ${JSON.stringify(v.timeout)}`)
    timeoutMs = Math.ceil(s * 1000)
  } else if (v['timeout-ms'] !== undefined) {
    if (!inRange(v['timeout-ms'], 1, 3_600_000)) return bad(`--timeout-ms: expected an integer in [1, 3600000], got ${JSON.stringify(v['timeout-ms'])}`)
    timeoutMs = Number(v['timeout-ms'])
  }
  let startupMs = 15000
  if (v['startup-timeout'] !== undefined) {
    const s = Number(v['startup-timeout'])
    if (!(Number.isFinite(s) && s >= 0 && s <= 3600)) return bad(`--startup-timeout: expected seconds in [0, 3600], got ${JSON.stringify(v['startup-timeout'])}`)
    startupMs = Math.ceil(s * 1000)
  }
  const runs = Number(v.runs), seed = Number(v.seed)
  if (!Number.isSafeInteger(seed)) return bad(`--seed: expected an integer, got ${JSON.stringify(v.seed)}`)
  let tolerance
  if (v.rtol !== undefined || v.atol !== undefined) {
    const rtol = Number(v.rtol ?? 0), atol = Number(v.atol ?? 0)
    if (!(Number.isFinite(rtol) && rtol >= 0 && Number.isFinite(atol) && atol >= 0)) return bad('--rtol/--atol: expected finite numbers >= 0')
    tolerance = { rtol, atol }
  }
  const conventions = profileConventions(v.profile!)
  if (conventions === undefined) return bad(`--profile: expected one of ${profileNames().join(', ')}, got ${JSON.stringify(v.profile)}${didYouMean(v.profile!, profileNames())}`)
  const domain = (v.domain ?? (v.profile === 'onnx' ? 'all' : 'pytorch')) as Domain
  if (!DOMAINS.includes(domain)) return bad(`--domain: expected one of ${DOMAINS.join(', ')}, got ${JSON.stringify(v.domain)}${didYouMean(v.domain!, DOMAINS)}`)
  let json: Sink | undefined
  if (v.json !== undefined) {
    const s = openSink(v.json)
    if (typeof s === 'string') return bad(`--json: ${s}`)
    json = s
  }

  const bar = progress(`fuzz ${v.op}`, runs, { force: v.progress === true })
  const impl = startImpl(v.impl, { timeoutMs, startupMs })
  let r: FuzzOutcome
  try {
    r = await fuzz({
      op: v.op, impl, runs, seed, conventions, domain, shrink: v['no-shrink'] !== true,
      ...(tolerance ? { tolerance } : {}), ...(v.path ? { path: v.path } : {}),
      onCase: (sent, shrinking) => bar.tick(sent, shrinking ? 'shrinking a failure' : '', shrinking ? undefined : runs),
    })
  } finally {
    bar.done()
    await impl.close()
  }
  json?.write(JSON.stringify(r) + '\n')
  json?.close()
  const quietStdout = v.json === '-' // the JSON is the standard output
  const say = (s: string) => { if (quietStdout) console.error(s); else console.log(s) }
  // Everything but --op, --seed, --path, --runs and --json, for the replay line.
  const keep: string[] = []
  for (const k of ['timeout', 'timeout-ms', 'startup-timeout', 'rtol', 'atol', 'profile', 'domain'] as const) if (v[k] !== undefined && !(k === 'profile' && v[k] === 'pytorch')) keep.push(`--${k}`, v[k]!)
  switch (r.kind) {
    case 'unsupported': console.error(`nn-oracle fuzz: ${r.detail}`); return 2
    case 'pass':
      say(`fuzz ${v.op}: ${r.runs} cases, the implementation agrees with the oracle on all ${r.compared} it answered${r.runs > r.compared ? ` (declined ${r.runs - r.compared})` : ''}`)
      for (const l of summarizeDeclines(r.declined)) say(l)
      return 0
    case 'declined':
      say(`fuzz ${v.op}: the implementation declined all ${r.runs} cases; nothing was compared`)
      for (const l of summarizeDeclines(r.declined)) say(l)
      return 4
    default: {
      say(`fuzz ${v.op}: ${r.kind === 'mismatch' ? 'MISMATCH' : 'IMPLEMENTATION FAULT'} after ${r.runs} cases${r.kind === 'mismatch' ? `, shrunk ${r.shrinks} times` : ''}`)
      say(`  ${r.detail}`)
      for (const d of r.diagnosis ?? []) say(`  -> ${d}`)
      for (const l of summarizeDeclines(r.declined)) say(l)
      say(`  replay: nn-oracle fuzz --impl ${JSON.stringify(v.impl)} --op ${v.op} ${[...r.replay, ...keep].map((a) => (/^[\w.:,/=+-]+$/.test(a) ? a : JSON.stringify(a))).join(' ')}`)
      if (r.caseLine !== '{}') {
        say(r.kind === 'mismatch'
          ? "  regression case, with the implementation's numbers as the expected ones (nn-oracle check fails on it until the implementation is fixed):"
          : '  the case it faulted on, with the oracle\'s numbers (nn-oracle check runs it):')
        say(r.caseLine)
        if (r.kind === 'mismatch') { say("  the oracle's numbers for the same case:"); say(r.oracle) }
      }
      return r.kind === 'mismatch' ? 1 : 3
    }
  }
}
