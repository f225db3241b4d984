/**
 * `nn-oracle experiment activation-stats [--layers N] [--width N] [--batch N]
 *   [--activation tanh|relu] [--init NAME] [--seed S] [--bins N] [--svg FILE] [--json]`
 *
 * Runs src/experiments/activation-stats.ts and prints, per layer, the mean and
 * the population std (biased: divides by N = batch * width, over all units and
 * samples) of the layer's output, with a terminal histogram; --svg also writes
 * a figure; --json prints only {"layers": [{"layer": 1, "mean": m, "std": s}, ...]}
 * (layer 1 = the first hidden layer's output). Exit codes: 0 done, 2 bad usage
 * (a message, never a stack trace), 1 the figure could not be written.
 */
import { writeFileSync } from 'node:fs'
import { didYouMean, parseCommandArgs } from './args.ts'
import * as E from 'fp-ts/lib/Either.js'
import { formatError } from '../core/errors.ts'
import { DEFAULTS, INIT_NAMES, LIMITS, STACK_ACTIVATIONS, activationStats, formatInit, parseInit } from '../experiments/activation-stats.ts'
import { renderSvg } from '../experiments/plot-svg.ts'
import { renderTable } from '../experiments/plot-terminal.ts'
import { ensemblesCommand } from '../ensembles/command.ts' // issue 14: `experiment ensembles`

export const EXPERIMENT_HELP = `usage: nn-oracle experiment activation-stats [options]

Pushes a batch of unit Gaussians through a stack of bias-free fully connected
layers and reports each layer's activation statistics (cs231n's weight
initialization experiment).

  --layers N        number of layers (default ${DEFAULTS.layers}, at most ${LIMITS.layers})
  --width N         units per layer, also the input size (default ${DEFAULTS.width})
  --batch N         samples (default ${DEFAULTS.batch})
  --activation F    ${STACK_ACTIVATIONS.join(' | ')} (default ${DEFAULTS.activation})
  --init NAME       ${INIT_NAMES.join(' | ')} (default ${formatInit(DEFAULTS.init)})
  --seed S          integer seed (default ${DEFAULTS.seed})
  --bins N          histogram bins (default ${DEFAULTS.bins})
  --svg FILE        also write an SVG figure of the per-layer histograms
  --json            print only {"layers": [{"layer": 1, "mean": m, "std": s}, ...]}

std is the population standard deviation (divide by N = batch * width) of all
entries of a layer's output; layer 1 is the first hidden layer.`

export interface IO {
  readonly out: (s: string) => void
  readonly err: (s: string) => void
}

const consoleIO: IO = { out: (s) => console.log(s), err: (s) => console.error(s) }

const integerArg = (name: string, s: string | undefined, dflt: number): number | string => {
  if (s === undefined) return dflt
  const v = Number(s)
  return /^\s*\d+\s*$/.test(s) && Number.isSafeInteger(v) ? v : `--${name}: expected a non-negative integer, got ${JSON.stringify(s)}`
}

export const experimentCommand = async (argv: string[], io: IO = consoleIO): Promise<number> => {
  const bad = (m: string): number => { io.err(`nn-oracle experiment: ${m}\n\n${EXPERIMENT_HELP}`); return 2 }
  if (argv[0] === 'ensembles') return ensemblesCommand(argv.slice(1), io) // issue 14: src/ensembles/command.ts
  const training = await import('./train-experiment.ts') // issue 12: the lectures' training experiments
  if (training.isTrainingExperiment(argv[0])) return training.trainingExperimentCommand(argv, io)
  const p = parseCommandArgs('experiment', argv, {
    layers: { type: 'string' }, width: { type: 'string' }, batch: { type: 'string' },
    activation: { type: 'string' }, init: { type: 'string' }, seed: { type: 'string' }, bins: { type: 'string' },
    svg: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  }, true)
  if (!p.ok) { io.err(p.message); return 2 }
  const parsed = p.parsed
  const v = parsed.values as Record<string, string | undefined> & { json?: boolean; help?: boolean }
  const [name, ...extra] = parsed.positionals
  // Every experiment, for the index and for "did you mean".
  const names = ['activation-stats', 'ensembles', ...Object.keys(training.TRAINING_EXPERIMENTS_BY_NAME)]
  const index = `usage: nn-oracle experiment NAME [options]   (nn-oracle experiment NAME --help for its options)\n\nexperiments:\n${names.map((n) => `  ${n}`).join('\n')}`
  if (v.help) { io.out(name === undefined ? index : EXPERIMENT_HELP); return 0 }
  if (name === undefined) { io.err(`nn-oracle experiment: expected an experiment name\n\n${index}`); return 2 }
  if (name !== 'activation-stats') { io.err(`nn-oracle experiment: unknown experiment ${JSON.stringify(name)}${didYouMean(name, names)}\n\n${index}`); return 2 }
  if (extra.length > 0) return bad(`unexpected argument ${JSON.stringify(extra[0])}`)

  const nums: Record<string, number> = {}
  for (const k of ['layers', 'width', 'batch', 'seed', 'bins'] as const) {
    const r = integerArg(k, v[k], DEFAULTS[k])
    if (typeof r === 'string') return bad(r)
    nums[k] = r
  }
  const activation = v.activation ?? DEFAULTS.activation
  if (!(STACK_ACTIVATIONS as readonly string[]).includes(activation)) {
    return bad(`--activation: expected ${STACK_ACTIVATIONS.join(' or ')}, got ${JSON.stringify(activation)}`)
  }
  const init = v.init === undefined ? E.right(DEFAULTS.init) : parseInit(v.init)
  if (E.isLeft(init)) return bad(`--init: expected ${init.left.expected}, got ${init.left.received}`)

  const r = activationStats({
    layers: nums.layers, width: nums.width, batch: nums.batch, seed: nums.seed, bins: nums.bins,
    activation: activation as 'tanh' | 'relu', init: init.right,
  })
  if (E.isLeft(r)) return bad(`--${r.left.arg}: ${formatError(r.left).replace(/^[^:]*: [^:]*: /, '')}`)

  if (v.svg !== undefined) {
    try {
      writeFileSync(v.svg, renderSvg(r.right))
    } catch (e) {
      io.err(`nn-oracle experiment: cannot write ${JSON.stringify(v.svg)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
      return 1
    }
  }
  if (v.json) {
    io.out(JSON.stringify({ layers: r.right.layers.map((l) => ({ layer: l.layer, mean: l.mean, std: l.std })) }))
  } else {
    io.out(renderTable(r.right))
    if (v.svg !== undefined) io.out(`wrote ${v.svg}`)
  }
  return 0
}
