/**
 * `nn-oracle vectors [--op OP[,OP...]|all] [--count N] [--seed S] [--dtype float32|float64] [--out FILE] [--json PATH]`
 */
import { profileConventions, profileNames } from '../profiles/profiles.ts'
import { lookup } from '../registry.ts'
import { vectorCases, vectorOps } from '../vectors/write.ts'
import { VARIANTS } from '../vectors/variants.ts'
import { type Sink, didYouMean, openSink, parseCommandArgs } from './args.ts'
import { progress } from './progress.ts'

export const VECTORS_HELP = `usage: nn-oracle vectors [options]

Writes golden cases (docs/case-format.md) computed by the oracle.

  --op OPS        comma-separated op names, or "all" (default all)
  --count N       cases per op (default: one per built-in variant)
  --seed S        integer seed (default 0); one seed, one byte-identical file
  --dtype D       float64 (default) or float32 (inputs rounded to float32 first)
  --profile P     conventions to compute under (default pytorch; see check --help);
                  under a profile only the attributes a variant sets are written
  --out FILE      write the cases to FILE (default standard output)
  --json PATH     also write a JSON summary {"cases": N, "ops": {...}} to PATH
                  ("-": standard output, with the cases then needing --out)
  --progress      show progress on standard error even when it is not a terminal`

const OPTIONS = {
  op: { type: 'string', default: 'all' }, count: { type: 'string' }, seed: { type: 'string', default: '0' },
  dtype: { type: 'string', default: 'float64' }, profile: { type: 'string', default: 'pytorch' }, out: { type: 'string' }, json: { type: 'string' },
  progress: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const

export const vectorsCommand = async (argv: readonly string[]): Promise<number> => {
  const p = parseCommandArgs('vectors', argv, OPTIONS)
  if (!p.ok) { console.error(p.message); return 2 }
  const v = p.parsed.values as Record<string, string | undefined> & { help?: boolean; progress?: boolean }
  if (v.help) { console.log(VECTORS_HELP); return 0 }
  const bad = (m: string) => { console.error(`nn-oracle vectors: ${m}`); return 2 }
  const known = [...vectorOps().filter((o) => lookup(o) !== undefined), 'graph', 'train'] // graph and train: src/vectors/composite.ts
  const ops = v.op === 'all' ? known : v.op!.split(',').map((s) => s.trim()).filter(Boolean)
  for (const o of ops) if (!known.includes(o)) return bad(`--op: unknown op ${JSON.stringify(o)}${didYouMean(o, known)} (see nn-oracle ops)`)
  const count = v.count === undefined ? undefined : Number(v.count)
  if (count !== undefined && !(Number.isSafeInteger(count) && count >= 1 && count <= 100000)) return bad(`--count: expected an integer in [1, 100000], got ${JSON.stringify(v.count)}`)
  const seed = Number(v.seed)
  if (!Number.isSafeInteger(seed) || seed < 0) return bad(`--seed: expected a non-negative integer, got ${JSON.stringify(v.seed)}`)
  if (v.dtype !== 'float32' && v.dtype !== 'float64') return bad(`--dtype: expected float32 or float64, got ${JSON.stringify(v.dtype)}`)
  const conventions = profileConventions(v.profile!)
  if (conventions === undefined) return bad(`--profile: expected one of ${profileNames().join(', ')}, got ${JSON.stringify(v.profile)}${didYouMean(v.profile!, profileNames())}`)
  if (v.json === '-' && v.out === undefined) return bad('--json -: the summary would mix with the cases on standard output; give --out FILE too')
  // Output files are opened before any work, so a bad path costs nothing and says so.
  let out: Sink | undefined, json: Sink | undefined
  if (v.out !== undefined) { const s = openSink(v.out); if (typeof s === 'string') return bad(`--out: ${s}`); out = s }
  if (v.json !== undefined) { const s = openSink(v.json); if (typeof s === 'string') { out?.close(); return bad(`--json: ${s}`) } json = s }

  const perOp: Record<string, number> = {}
  const total = ops.reduce((a, o) => a + (count ?? VARIANTS[o]?.length ?? 0), 0)
  const bar = progress('vectors', total, { force: v.progress === true })
  let n = 0
  for (const c of vectorCases(ops, seed, v.dtype, count, conventions)) {
    const line = JSON.stringify(c) + '\n'
    if (out !== undefined) out.write(line)
    else if (!process.stdout.write(line)) await new Promise<void>((res) => { process.stdout.once('drain', () => res()) })
    perOp[c.op] = (perOp[c.op] ?? 0) + 1
    bar.tick(++n, c.id)
  }
  bar.done()
  out?.close()
  if (json !== undefined) { json.write(JSON.stringify({ cases: n, ops: perOp }) + '\n'); json.close() }
  if (v.out !== undefined) console.error(`nn-oracle vectors: wrote ${n} cases for ${Object.keys(perOp).length} ops to ${v.out}`)
  return 0
}
