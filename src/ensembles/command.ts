/**
 * `nn-oracle experiment ensembles [--data NAME] [--members M] [--epochs N]
 *   [--hidden W] [--train N] [--seed S] [--json]`
 * (dispatched from src/cli/experiment.ts). Trains M networks with seeds
 * S..S+M-1 (src/experiments/training-run.ts, its defaults otherwise) and
 * prints each member's test accuracy and cross-entropy and the ensemble's
 * (./experiment.ts). Exit codes: 0 done, 2 bad usage or a failed run.
 */
import { parseArgs } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'
import { formatError } from '../core/errors.ts'
import { ensembleExperiment, formatEnsemble } from './experiment.ts'

export const ENSEMBLES_HELP = `usage: nn-oracle experiment ensembles [options]

Trains several networks that differ only in their seed (initialization and
minibatch order) and compares each member with the ensemble that averages
their predicted probabilities (and the one that averages their logits).

  --data NAME     digits (default), fashion, spirals or blobs
  --members M     networks to train (default 5)
  --epochs N      epochs per member (default 4)
  --hidden W      hidden units of the one-hidden-layer MLP (default 64)
  --train N       at most N training samples (default 2000; 0: all)
  --seed S        seed of the first member (default 0)
  --json          print the result as JSON`

export interface IO { readonly out: (s: string) => void; readonly err: (s: string) => void }

export const ensemblesCommand = (argv: readonly string[], io: IO): number => {
  const bad = (m: string): number => { io.err(`nn-oracle experiment ensembles: ${m}\n\n${ENSEMBLES_HELP}`); return 2 }
  let v: Record<string, string | boolean | undefined>
  try {
    v = parseArgs({
      args: [...argv], allowPositionals: false,
      options: {
        data: { type: 'string' }, members: { type: 'string' }, epochs: { type: 'string' }, hidden: { type: 'string' },
        train: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    }).values
  } catch (e) {
    return bad((e as Error).message)
  }
  if (v.help) { io.out(ENSEMBLES_HELP); return 0 }
  const int = (name: string, dflt: number, min: number): number | string => {
    const s = v[name]
    if (s === undefined) return dflt
    const n = Number(s)
    return typeof s === 'string' && /^\s*\d+\s*$/.test(s) && Number.isSafeInteger(n) && n >= min ? n : `--${name}: expected an integer >= ${min}, got ${JSON.stringify(s)}`
  }
  const nums: Record<string, number> = {}
  for (const [k, d, m] of [['members', 5, 1], ['epochs', 4, 1], ['hidden', 64, 1], ['train', 2000, 0], ['seed', 0, 0]] as const) {
    const r = int(k, d, m)
    if (typeof r === 'string') return bad(r)
    nums[k] = r
  }
  const data = typeof v.data === 'string' ? v.data : 'digits'
  const r = ensembleExperiment({
    data, epochs: nums.epochs, hidden: [nums.hidden], probe: 16,
    limit: nums.train === 0 ? null : { train: nums.train, validation: 1000, test: 2000 },
  }, nums.members, nums.seed)
  if (E.isLeft(r)) return bad(formatError(r.left))
  io.out(v.json ? JSON.stringify(r.right) : formatEnsemble(r.right))
  return 0
}
