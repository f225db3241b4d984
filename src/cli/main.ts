/**
 * The `nn-oracle` command line: one subcommand per job, each in its own file.
 * Every failure is a message and an exit status, never a stack trace.
 */
import { CHECK_HELP, checkCommand } from './check.ts'
import { VECTORS_HELP, vectorsCommand } from './vectors.ts'

const HELP = `nn-oracle: a float64 reference for neural-network building blocks

usage: nn-oracle <command> [options]

commands:
  check FILE...            check another implementation's numbers (case files, JSON Lines)
  vectors [--op ...]       write golden cases computed by the oracle
  fuzz --impl CMD --op OP  differential property testing of another implementation
  ops                      list the catalogue and what the oracle supports
  experiment NAME ...      run an experiment (activation-stats)
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
  ops: { run: async () => (await import('./ops.ts')).opsCommand(), help: 'usage: nn-oracle ops\n\nLists every op of the catalogue with its inputs, attributes and outputs.' },
  experiment: {
    run: async (argv) => (await import('./experiment.ts')).experimentCommand([...argv]),
    help: 'usage: nn-oracle experiment activation-stats [options]   (see nn-oracle experiment activation-stats --help)',
  },
}

export const main = async (argv: readonly string[]): Promise<number> => {
  const [name, ...rest] = argv
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const c = rest[0] !== undefined ? commands[rest[0]] : undefined
    console.log(c ? c.help : HELP)
    return 0
  }
  if (name === '--version') { console.log('0.1.0'); return 0 }
  const c = commands[name]
  if (c === undefined) {
    console.error(`nn-oracle: unknown command ${JSON.stringify(name)}\n\n${HELP}`)
    return 2
  }
  return c.run(rest)
}
