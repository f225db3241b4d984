/**
 * Command-line options for every command, parsed one way: node's parseArgs,
 * with its errors turned into one line that names the option and, for a
 * mistyped name, the closest valid one ("did you mean"). No parseArgs text
 * leaks to the user.
 */
import { closeSync, openSync, writeSync } from 'node:fs'
import { parseArgs } from 'node:util'

export interface OptionSpec { readonly type: 'string' | 'boolean'; readonly short?: string; readonly default?: string }
export type Options = Readonly<Record<string, OptionSpec>>
export interface Parsed { readonly values: Record<string, string | boolean | undefined>; readonly positionals: string[] }

/** Edit distance (insertions, deletions, substitutions, adjacent swaps), for "did you mean". */
export const distance = (a: string, b: string): number => {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1)
    }
  }
  return d[a.length][b.length]
}

/** The closest candidate within a third of the word's length (at least 2 edits), or a prefix match. */
export const closest = (word: string, candidates: readonly string[]): string | undefined => {
  let best: string | undefined, bestD = Infinity
  for (const c of candidates) {
    const d = c.startsWith(word) && word.length >= 2 ? 0.5 : distance(word, c)
    if (d < bestD) { best = c; bestD = d }
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined
}

export const didYouMean = (word: string, candidates: readonly string[], prefix = ''): string => {
  const c = closest(word, candidates)
  return c === undefined ? '' : ` (did you mean ${prefix}${c}?)`
}

/** Parse argv for `command`; Left is the one-line message to print. */
export const parseCommandArgs = (command: string, argv: readonly string[], options: Options, allowPositionals = false): { ok: true; parsed: Parsed } | { ok: false; message: string } => {
  const fail = (m: string) => ({ ok: false as const, message: `nn-oracle ${command}: ${m} (see nn-oracle ${command} --help)` })
  const names = Object.keys(options)
  const shorts = new Map(Object.entries(options).filter(([, o]) => o.short).map(([n, o]) => [o.short!, n]))
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--') break
    if (a.startsWith('--')) {
      const name = a.slice(2).split('=')[0]
      const spec = options[name]
      if (spec === undefined) return fail(`unknown option --${name}${didYouMean(name, names, '--')}`)
      if (spec.type === 'boolean' && a.includes('=')) return fail(`--${name} takes no value`)
      if (spec.type === 'string' && !a.includes('=')) {
        const v = argv[i + 1]
        if (v === undefined) return fail(`--${name} needs a value`)
        if (v.startsWith('-') && v !== '-' && !/^-\d/.test(v)) return fail(`--${name} needs a value (got the option ${v})`)
        i++
      }
    } else if (a.startsWith('-') && a !== '-') {
      if (/^-\d/.test(a) && allowPositionals) continue
      const n = shorts.get(a.slice(1))
      if (n === undefined) return fail(`unknown option ${a}${didYouMean(a.replace(/^-+/, ''), names, '--')}`)
    } else if (!allowPositionals) {
      return fail(`unexpected argument ${JSON.stringify(a)}`)
    }
  }
  // Values that start with a dash (a negative seed) are passed as --opt=value to parseArgs.
  const args: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const spec = a.startsWith('--') && !a.includes('=') ? options[a.slice(2)] : undefined
    if (spec?.type === 'string' && i + 1 < argv.length) { args.push(`${a}=${argv[++i]}`); continue }
    args.push(a)
  }
  try {
    const r = parseArgs({ args, allowPositionals, strict: true, options: options as Record<string, { type: 'string' | 'boolean'; short?: string; default?: string }> })
    return { ok: true, parsed: { values: r.values as Record<string, string | boolean | undefined>, positionals: r.positionals } }
  } catch (e) {
    // Every case parseArgs rejects was caught above; this is a last line of defence, still one line.
    return fail(String((e as Error).message).split('\n')[0].replace(/\. To specify.*$/, ''))
  }
}

/** A writable destination for --json/--out: a path, or "-" for standard output, opened before any work. */
export interface Sink { readonly write: (s: string) => void; readonly close: () => void }
export const openSink = (path: string): Sink | string => {
  if (path === '-') return { write: (s) => { process.stdout.write(s) }, close: () => {} }
  let fd: number
  try { fd = openSync(path, 'w') } catch (e) {
    const err = e as NodeJS.ErrnoException
    return `cannot write ${path}: ${err.code === 'ENOENT' ? 'no such directory' : err.code === 'EACCES' ? 'permission denied' : err.code === 'EISDIR' ? 'it is a directory' : err.message}`
  }
  return {
    write: (s) => { let b = Buffer.from(s, 'utf8'); while (b.length > 0) { const n = writeSync(fd, b); b = b.subarray(n) } },
    close: () => { try { closeSync(fd) } catch { /* closed */ } },
  }
}
