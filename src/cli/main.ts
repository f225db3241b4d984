/**
 * The `nn-oracle` command line: one subcommand per job, each in its own file.
 * Every failure is a message and an exit status, never a stack trace.
 */
import { CHECK_HELP, checkCommand } from './check.ts'
import { VECTORS_HELP, vectorsCommand } from './vectors.ts'
import { OPS_HELP } from './ops-help.ts'
import { didYouMean } from './args.ts'

const HELP = `nn-oracle: a float64 reference for neural-network building blocks

usage: nn-oracle <command> [options]

commands:
  check FILE...            check another implementation's numbers (case files, JSON Lines)
  vectors [--op ...]       write golden cases computed by the oracle
  fuzz --impl CMD --op OP  differential property testing of another implementation
  ops                      list the catalogue and what the oracle supports
  experiment NAME ...      run an experiment (activation-stats, ensembles, activations, dropout, batchnorm, ...)
  bench-cpu                time the float64 path against PyTorch (issue 13's table)
  train [--model mlp|cnn]  train a network on digits / spirals, with the lectures' babysitting
  help [command]           show help

Run 'nn-oracle <command> --help' for a command's options.`

type Command = (argv: readonly string[]) => Promise<number>

const commands: Record<string, { run: Command; help: string }> = {
  check: { run: checkCommand, help: CHECK_HELP },
  vectors: { run: vectorsCommand, help: VECTORS_HELP },
  // fuzz draws and shrinks cases with fast-check, a peer dependency that npm
  // installs with nn-oracle; loaded only when fuzz runs, so that the other
  // commands need nothing but fp-ts (and fuzz says how to install it if absent).
  fuzz: {
    run: async (argv) => {
      const m = await import('./fuzz.ts').catch((e: unknown) => e as Error)
      if (m instanceof Error) {
        console.error(`nn-oracle fuzz: fast-check could not be loaded (${m.message.split('\n')[0]}); install it with: npm install fast-check@^4.3.0`)
        return 2
      }
      return m.fuzzCommand(argv)
    },
    help: 'usage: nn-oracle fuzz --impl CMD --op OP [options]   (see nn-oracle fuzz --help)',
  },
  ops: { run: async (argv) => (await import('./ops.ts')).opsCommand(argv), help: OPS_HELP },
  train: { run: async (argv) => (await import('./train.ts')).trainCommand(argv), help: 'usage: nn-oracle train [--model mlp|cnn] [--data digits] [options]   (see nn-oracle train --help)' },
  'bench-cpu': { run: async (argv) => (await import('./bench.ts')).benchCommand(argv), help: 'usage: nn-oracle bench-cpu [--reps N] [--only NAME,...]   (see nn-oracle bench-cpu --help)' },
  experiment: {
    run: async (argv) => (await import('./experiment.ts')).experimentCommand([...argv]),
    help: 'usage: nn-oracle experiment NAME [options]   (nn-oracle experiment --help lists the experiments)',
  },
}

let pipeGuard = false

export const main = async (argv: readonly string[]): Promise<number> => {
  if (!pipeGuard) {
    // A reader that stops early (`| head`) closes standard output: stop quietly, as Unix tools do.
    pipeGuard = true
    process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0); throw e })
  }
  const [name, ...rest] = argv
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const c = rest[0] !== undefined ? commands[rest[0]] : undefined
    if (rest[0] !== undefined && c === undefined) {
      console.error(`nn-oracle help: no command ${JSON.stringify(rest[0])}${didYouMean(rest[0], Object.keys(commands))}; run nn-oracle help for the list`)
      return 2
    }
    console.log(c ? c.help : HELP)
    return 0
  }
  if (name === '--version') { console.log('0.1.0'); return 0 }
  const c = commands[name]
  if (c === undefined) {
    console.error(`nn-oracle: unknown command ${JSON.stringify(name)}${didYouMean(name.replace(/^-+/, ''), [...Object.keys(commands), 'help'])}; run nn-oracle help for the list`)
    return 2
  }
  return c.run(rest)
}
