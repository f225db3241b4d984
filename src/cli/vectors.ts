/**
 * `nn-oracle vectors [--op OP[,OP...]|all] [--count N] [--seed S] [--dtype float32|float64] [--out FILE] [--json]`
 */
import { createWriteStream } from 'node:fs'
import { parseArgs } from 'node:util'
import { profileConventions, profileNames } from '../profiles/profiles.ts'
import { lookup } from '../registry.ts'
import { vectorCases, vectorOps } from '../vectors/write.ts'
import { progress } from './progress.ts'

export const VECTORS_HELP = `usage: nn-oracle vectors [options]

Writes golden cases (../shared/case-format.md) computed by the oracle.

  --op OPS        comma-separated op names, or "all" (default all)
  --count N       cases per op (default: one per built-in variant)
  --seed S        integer seed (default 0); one seed, one byte-identical file
  --dtype D       float64 (default) or float32 (inputs rounded to float32 first)
  --profile P     conventions to compute under (default pytorch; see check --help);
                  under a profile only the attributes a variant sets are written
  --out FILE      write to FILE (default standard output)
  --json          print a JSON summary {"cases": N, "ops": {...}} on standard error`

export const vectorsCommand = async (argv: readonly string[]): Promise<number> => {
  let v
  try {
    v = parseArgs({ args: [...argv], options: {
      op: { type: 'string', default: 'all' }, count: { type: 'string' }, seed: { type: 'string', default: '0' },
      dtype: { type: 'string', default: 'float64' }, profile: { type: 'string', default: 'pytorch' }, out: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    } }).values
  } catch (e) {
    console.error(`nn-oracle vectors: ${(e as Error).message}\n\n${VECTORS_HELP}`)
    return 2
  }
  if (v.help) { console.log(VECTORS_HELP); return 0 }
  const bad = (m: string) => { console.error(`nn-oracle vectors: ${m}`); return 2 }
  const ops = v.op === 'all' ? vectorOps().filter((o) => lookup(o) !== undefined) : v.op!.split(',').map((s) => s.trim()).filter(Boolean)
  for (const o of ops) if (lookup(o) === undefined || !vectorOps().includes(o)) return bad(`--op: unknown op ${JSON.stringify(o)} (see nn-oracle ops)`)
  const count = v.count === undefined ? undefined : Number(v.count)
  if (count !== undefined && !(Number.isSafeInteger(count) && count >= 1 && count <= 100000)) return bad(`--count: expected an integer in [1, 100000], got ${JSON.stringify(v.count)}`)
  const seed = Number(v.seed)
  if (!Number.isSafeInteger(seed) || seed < 0) return bad(`--seed: expected a non-negative integer, got ${JSON.stringify(v.seed)}`)
  if (v.dtype !== 'float32' && v.dtype !== 'float64') return bad(`--dtype: expected float32 or float64, got ${JSON.stringify(v.dtype)}`)

  const conventions = profileConventions(v.profile!)
  if (conventions === undefined) return bad(`--profile: expected one of ${profileNames().join(', ')}, got ${JSON.stringify(v.profile)}`)
  const out = v.out !== undefined ? createWriteStream(v.out) : process.stdout
  const perOp: Record<string, number> = {}
  const bar = progress('vectors', undefined)
  let n = 0
  for (const c of vectorCases(ops, seed, v.dtype, count, conventions)) {
    const line = JSON.stringify(c) + '\n'
    if (!out.write(line)) await new Promise<void>((res) => { out.once('drain', () => res()) })
    perOp[c.op] = (perOp[c.op] ?? 0) + 1
    bar.tick(++n, c.id)
  }
  bar.done()
  if (v.out !== undefined) await new Promise<void>((res) => (out as ReturnType<typeof createWriteStream>).end(() => res()))
  if (v.json) console.error(JSON.stringify({ cases: n, ops: perOp }))
  else if (v.out !== undefined) console.error(`nn-oracle vectors: wrote ${n} cases for ${Object.keys(perOp).length} ops to ${v.out}`)
  return 0
}
