/**
 * `nn-oracle fuzz --impl "COMMAND" --op OP [--runs N] [--seed S] [--timeout-ms T] [--json]`
 * exit status: 0 agreement on every run; 1 a mismatch; 3 the implementation misbehaved
 * (crash, hang, malformed reply); 2 bad usage.
 */
import { parseArgs } from 'node:util'
import { startImpl } from '../fuzz/impl.ts'
import { fuzz } from '../fuzz/run.ts'
import { profileConventions, profileNames } from '../profiles/profiles.ts'

export const FUZZ_HELP = `usage: nn-oracle fuzz --impl "COMMAND" --op OP [options]

Differential property testing of another implementation. COMMAND is started
once (by /bin/sh); it reads one case per line on stdin ({"id", "op", "attrs",
"inputs", "cotangents"}) and answers one line per case: {"id", "outputs",
"gradients"} in case-format tensors (or {"id", "error": "..."} to decline).

  --impl CMD         the implementation's command line (required)
  --op OP            the op to fuzz (required)
  --runs N           cases to try before shrinking (default 100)
  --seed S           fast-check seed (default 0); the report prints it for replay
  --path P           replay one shrink path (as printed)
  --timeout-ms T     per-case answer timeout (default 10000)
  --rtol R --atol A  tolerance (default by the reply's dtype, as in check)
  --profile P        conventions the implementation follows (default pytorch)
  --no-shrink        report the first failure as found
  --json             print the outcome as JSON
exit status: 0 agree, 1 mismatch, 3 implementation fault, 2 usage`

export const fuzzCommand = async (argv: readonly string[]): Promise<number> => {
  let v
  try {
    v = parseArgs({ args: [...argv], options: {
      impl: { type: 'string' }, op: { type: 'string' }, runs: { type: 'string', default: '100' }, seed: { type: 'string', default: '0' },
      path: { type: 'string' }, 'timeout-ms': { type: 'string', default: '10000' }, rtol: { type: 'string' }, atol: { type: 'string' },
      json: { type: 'boolean' }, profile: { type: 'string', default: 'pytorch' }, 'no-shrink': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    } }).values
  } catch (e) {
    console.error(`nn-oracle fuzz: ${(e as Error).message}\n\n${FUZZ_HELP}`)
    return 2
  }
  if (v.help) { console.log(FUZZ_HELP); return 0 }
  const bad = (m: string) => { console.error(`nn-oracle fuzz: ${m}`); return 2 }
  if (!v.impl) return bad('--impl "COMMAND" is required')
  if (!v.op) return bad('--op is required')
  const inRange = (s: string, min: number, max: number) => { const n = Number(s); return Number.isSafeInteger(n) && n >= min && n <= max }
  if (!inRange(v.runs!, 1, 1_000_000)) return bad(`--runs: expected an integer in [1, 1000000], got ${JSON.stringify(v.runs)}`)
  if (!inRange(v['timeout-ms']!, 1, 3_600_000)) return bad(`--timeout-ms: expected an integer in [1, 3600000], got ${JSON.stringify(v['timeout-ms'])}`)
  const runs = Number(v.runs), timeout = Number(v['timeout-ms']), seed = Number(v.seed)
  if (!Number.isSafeInteger(seed)) return bad(`--seed: expected an integer, got ${JSON.stringify(v.seed)}`)
  let tolerance
  if (v.rtol !== undefined || v.atol !== undefined) {
    const rtol = Number(v.rtol ?? 0), atol = Number(v.atol ?? 0)
    if (!(Number.isFinite(rtol) && rtol >= 0 && Number.isFinite(atol) && atol >= 0)) return bad('--rtol/--atol: expected finite numbers >= 0')
    tolerance = { rtol, atol }
  }
  const conventions = profileConventions(v.profile!)
  if (conventions === undefined) return bad(`--profile: expected one of ${profileNames().join(', ')}, got ${JSON.stringify(v.profile)}`)
  const impl = startImpl(v.impl, timeout)
  try {
    const r = await fuzz({ op: v.op, impl, runs, seed, conventions, shrink: v['no-shrink'] !== true, ...(tolerance ? { tolerance } : {}), ...(v.path ? { path: v.path } : {}) })
    if (v.json) console.log(JSON.stringify(r))
    switch (r.kind) {
      case 'unsupported': if (!v.json) console.error(`nn-oracle fuzz: ${r.detail}`); return 2
      case 'pass': if (!v.json) console.log(`fuzz ${v.op}: ${r.runs} cases, the implementation agrees with the oracle`); return 0
      default:
        if (!v.json) {
          console.log(`fuzz ${v.op}: ${r.kind === 'mismatch' ? 'MISMATCH' : 'IMPLEMENTATION FAULT'} after ${r.runs} cases, shrunk ${r.shrinks} times`)
          console.log(`  ${r.detail}`)
          for (const d of r.diagnosis ?? []) console.log(`  -> ${d}`)
          console.log(`  replay: nn-oracle fuzz --impl ${JSON.stringify(v.impl)} --op ${v.op} --seed ${r.seed} --path ${r.path}`)
          console.log('  regression case (paste into a case file; nn-oracle check runs it):')
          console.log(r.caseLine)
        }
        return r.kind === 'mismatch' ? 1 : 3
    }
  } finally {
    impl.close()
  }
}
