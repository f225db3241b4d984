/**
 * `nn-oracle experiment NAME` for the lectures' training experiments
 * (src/experiments/training-experiments.ts): activations, dropout, batchnorm,
 * weight-decay, saliency, transfer, augmentation. Like activation-stats: a table on stdout,
 * --json prints only the JSON, --svg FILE writes the figure. Exit codes: 0
 * done, 2 bad usage or unavailable data, 1 the figure could not be written.
 */
import { writeFileSync } from 'node:fs'
import { parseCommandArgs } from './args.ts'
import * as E from 'fp-ts/lib/Either.js'
import { formatError } from '../core/errors.ts'
import { TRAINING_EXPERIMENTS } from '../experiments/training-experiments.ts'
import type { IO } from './experiment.ts'

/** The training experiments by name, for `nn-oracle experiment`'s index. */
export const TRAINING_EXPERIMENTS_BY_NAME: Readonly<Record<string, unknown>> = TRAINING_EXPERIMENTS

export const isTrainingExperiment = (name: string | undefined): boolean => name !== undefined && Object.hasOwn(TRAINING_EXPERIMENTS, name)

export const trainingExperimentsHelp = (): string => `usage: nn-oracle experiment NAME [--seed S] [--epochs N] [--limit N] [--svg FILE] [--json]

The lectures' training experiments, each a few small runs on a random subset
of the digits (--limit training samples; validation and test half as many):
${Object.values(TRAINING_EXPERIMENTS).map((x) => `  ${x.name.padEnd(14)} ${x.summary} (default --epochs ${x.defaults.epochs} --limit ${x.defaults.limit})`).join('\n')}

  --seed S       split, initialization, shuffling, dropout (default 0)
  --epochs N     epochs per run
  --limit N      training samples
  --svg FILE     also write the figure
  --json         print only the JSON`

export const trainingExperimentCommand = async (argv: readonly string[], io: IO): Promise<number> => {
  const bad = (m: string): number => { io.err(`nn-oracle experiment: ${m}\n\n${trainingExperimentsHelp()}`); return 2 }
  const args = parseCommandArgs('experiment', argv, { seed: { type: 'string' }, epochs: { type: 'string' }, limit: { type: 'string' }, svg: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, true)
  if (!args.ok) { io.err(args.message); return 2 }
  const parsed = { values: args.parsed.values as Record<string, string | undefined>, positionals: args.parsed.positionals }
  const v = parsed.values
  if (v.help) { io.out(trainingExperimentsHelp()); return 0 }
  const [name, ...extra] = parsed.positionals
  const x = TRAINING_EXPERIMENTS[name]
  if (x === undefined) return bad(`unknown experiment ${JSON.stringify(name)}`)
  if (extra.length > 0) return bad(`unexpected argument ${JSON.stringify(extra[0])}`)
  const p = { ...x.defaults }
  for (const k of ['seed', 'epochs', 'limit'] as const) {
    const s = v[k]
    if (s === undefined) continue
    const n = Number(s)
    if (!/^\s*\d+\s*$/.test(s) || !Number.isSafeInteger(n) || (k !== 'seed' && n < 1)) return bad(`--${k}: expected ${k === 'seed' ? 'a non-negative' : 'a positive'} integer, got ${JSON.stringify(s)}`)
    p[k] = n
  }
  const r = x.run(p)
  if (E.isLeft(r)) return bad(formatError(r.left))
  if (v.svg !== undefined) {
    try {
      writeFileSync(v.svg, x.svg(r.right))
    } catch (e) {
      io.err(`nn-oracle experiment: cannot write ${JSON.stringify(v.svg)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
      return 1
    }
  }
  if (v.json) io.out(JSON.stringify(x.json(r.right)))
  else {
    io.out(x.table(r.right))
    if (v.svg !== undefined) io.out(`wrote ${v.svg}`)
  }
  return 0
}
