/**
 * docs/defaults.md, generated: the default of every attribute of every op in
 * the catalogue, of every train-case optimizer and learning-rate schedule, as
 * the code parses an empty attribute record, and the defaults of the library's
 * optimizer values and initializers as the code applies them. Run:
 *   node --import tsx docs/tools/defaults-table.ts          (writes the page)
 *   node --import tsx docs/tools/defaults-table.ts --check  (exit 1 when stale)
 * spec/defaults/page.spec.ts checks that the page is current, and
 * spec/defaults/defaults.spec.ts that the parsed defaults are the frameworks'
 * documented ones (spec/defaults/library.spec.ts: the tables below are what
 * the optimizer values and initializers do).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import type { RawAttrs } from '../../src/core/attrs.ts'
import type { OpError } from '../../src/core/errors.ts'
import { allOps } from '../../src/registry.ts'
import { OPTIMIZERS, schemas } from '../../src/training/optimizers.ts'

type Parse = (raw: RawAttrs) => E.Either<OpError, Record<string, unknown>>

/** One way to call a parser with nothing but what it requires: the required attributes it was given, and what it filled in. */
export interface Row {
  readonly name: string
  /** attributes the parser required, with the sample values given (e.g. kind for lr_schedule) */
  readonly given: Readonly<Record<string, unknown>>
  /** the parsed record less the given attributes: the defaults */
  readonly defaults: Readonly<Record<string, unknown>>
  /** set when no sample satisfied the parser */
  readonly error?: string
}

/**
 * A value that satisfies a required attribute, read from the parser's own
 * "expected" text (src/core/attrs.ts), or every option of a required choice.
 * Returns undefined when the error is not about a missing attribute.
 */
const samplesFor = (e: OpError): { readonly values: readonly unknown[]; readonly branch: boolean } | undefined => {
  const { expected, received } = e
  if (received !== 'undefined' && received !== 'nothing') return undefined
  const choice = expected.match(/^one of (.*?)( \(required\))?$/)
  // a required choice (lr_schedule's kind): one row per option
  if (choice && choice[1].startsWith('"')) return { values: choice[1].split(', ').map((s) => s.replace(/^"|"$/g, '')), branch: true }
  if (!expected.includes('required')) return undefined
  if (choice) return { values: choice[1].split(', '), branch: true }
  // candidates in turn, the first that the parser accepts (hue_factor must be <= 0.5)
  if (expected.startsWith('a number')) return { values: [1, 0.25, 0], branch: false }
  if (expected.startsWith('an integer')) return { values: [1, 2], branch: false }
  if (expected.startsWith('a list of integers')) return { values: [[1]], branch: false }
  if (expected.startsWith('an int or [h, w]')) return { values: [2], branch: false }
  return undefined
}

/** layer_norm's either-or (normalized_shape or axis) names no single attribute in its text. */
const SPECIAL: Readonly<Record<string, readonly [string, unknown]>> = {
  'attrs.normalized_shape': ['normalized_shape', [4]],
}

export const explore = (name: string, parse: Parse, given: Record<string, unknown> = {}, depth = 0): Row[] => {
  const r = parse(given)
  if (E.isRight(r)) {
    const defaults: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(r.right)) if (!(k in given) && v !== undefined) defaults[k] = v
    return [{ name, given, defaults }]
  }
  const e = r.left
  const arg = e.arg
  const attr = arg.replace(/^attrs\./, '')
  const special = SPECIAL[arg]
  const options = special ? { values: [special[1]], branch: false } : samplesFor(e)
  const key = special ? special[0] : attr
  if (options === undefined || key in given || depth > 8 || key === '') {
    return [{ name, given, defaults: {}, error: `${arg}: ${e.expected}` }]
  }
  if (options.branch) return options.values.flatMap((o) => explore(name, parse, { ...given, [key]: o }, depth + 1))
  let last: Row[] = []
  for (const o of options.values) {
    last = explore(name, parse, { ...given, [key]: o }, depth + 1)
    if (last.every((r) => r.error === undefined)) return last
  }
  return last
}

/** Every op of the catalogue, by name. */
export const opRows = (): Row[] => allOps.flatMap((op) => explore(op.name, (raw) => op.parseAttrs(raw) as E.Either<OpError, Record<string, unknown>>))

/** The train-case optimizers (src/training/optimizers.ts). */
export const optimizerRows = (): Row[] =>
  OPTIMIZERS.flatMap((n) => explore(n, (raw) => (schemas[n] as (op: string, raw: RawAttrs) => E.Either<OpError, Record<string, unknown>>)(n, raw)))

/**
 * The library's optimizer values (src/optimizers/*.ts) take a partial config
 * and fill the rest; their defaults are stated here and held to the code by
 * spec/defaults/library.spec.ts, which runs each value built from {} and from
 * these explicit settings on the same steps and requires identical results.
 */
export const LIBRARY_OPTIMIZERS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  sgd: { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false },
  adam: { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 },
  adamW: { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2 },
  rmsprop: { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false },
  adagrad: { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 },
}

/** The initializers' option defaults (src/initializers/), held to the code the same way. */
export const INITIALIZERS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  normal: { mean: 0, std: 0.01 },
  uniform: { a: 0, b: 1 },
  xavier: { gain: 1 },
  glorot_normal: { gain: 1 },
  glorot_uniform: { gain: 1 },
  kaiming_normal: { a: 0, mode: 'fan_in', nonlinearity: 'leaky_relu' },
  kaiming_uniform: { a: 0, mode: 'fan_in', nonlinearity: 'leaky_relu' },
  orthogonal: { gain: 1 },
  variance_scaling: { scale: 1, mode: 'fan_in', distribution: 'truncated_normal' },
}

const show = (v: unknown): string => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v))
const attrsText = (r: Readonly<Record<string, unknown>>): string => {
  const ks = Object.keys(r)
  return ks.length === 0 ? '(none)' : ks.map((k) => `\`${k} ${show(r[k])}\``).join(', ')
}
const givenText = (r: Row): string => {
  const ks = Object.keys(r.given)
  return ks.length === 0 ? '' : ks.map((k) => (k === 'kind' ? `\`kind ${show(r.given.kind)}\`` : `\`${k}\``)).join(', ')
}

const table = (rows: readonly Row[], head: string): string[] => {
  const out = [`| ${head} | required | defaults |`, '| --- | --- | --- |']
  for (const r of rows) out.push(`| \`${r.name}\` | ${givenText(r)} | ${r.error !== undefined ? `could not parse: ${r.error.replace(/\|/g, '\\|')}` : attrsText(r.defaults)} |`)
  return out
}

export const render = (): string => {
  const lines: string[] = []
  lines.push('# Defaults', '')
  lines.push('What every attribute is when a case leaves it out. The values are PyTorch 1.13\'s documented defaults (docs/case-format.md), except the departures listed in `spec/defaults/documented.ts` (each with its reason); `spec/defaults/defaults.spec.ts` holds every parsed default to a table of the frameworks\' documented values, one citation per row, and `spec/defaults/page.spec.ts` keeps this page current.', '')
  lines.push('_This page is generated by `docs/tools/defaults-table.ts` from the parsers themselves; a spec fails when it is stale._', '')
  lines.push('## Ops', '')
  lines.push('An empty `attrs` record, parsed by each op of the catalogue. "required" names the attributes an op cannot do without (the page shows the defaults of the rest; an op with a required choice, such as `lr_schedule`\'s `kind`, has a row per choice).', '')
  lines.push(...table(opRows(), 'op'))
  lines.push('', '## Optimizers (train cases)', '')
  lines.push('`optimizer.attrs` of a train case, with `torch.optim`\'s names.', '')
  lines.push(...table(optimizerRows(), 'optimizer'))
  lines.push('', '## Optimizer values (the library)', '')
  lines.push('`sgd(config)`, `adam(config)`, ... of `src/optimizers/` with an empty (or, for `sgd`, `lr`-only) config. `spec/defaults/library.spec.ts` runs each one built from `{}` and from these settings on the same steps and requires the same numbers.', '')
  lines.push('| optimizer | defaults |', '| --- | --- |')
  for (const [k, v] of Object.entries(LIBRARY_OPTIMIZERS)) lines.push(`| \`${k}\` | ${attrsText(v)} |`)
  lines.push('', '## Initializers', '')
  lines.push('`options` of `src/initializers/`, checked the same way (the same key and shape with `{}` and with these options give the same tensor). `normal`\'s `std 0.01` is the lectures\' default, not PyTorch\'s 1 (`src/initializers/normal.ts`).', '')
  lines.push('| initializer | defaults |', '| --- | --- |')
  for (const [k, v] of Object.entries(INITIALIZERS)) lines.push(`| \`${k}\` | ${attrsText(v)} |`)
  lines.push('')
  return lines.join('\n')
}

const PAGE = 'docs/defaults.md'
if (process.argv[1]?.endsWith('defaults-table.ts')) {
  const text = render()
  if (process.argv.includes('--check')) {
    const current = (() => { try { return readFileSync(PAGE, 'utf8') } catch { return '' } })()
    if (current !== text) { console.error(`${PAGE} is stale: run node --import tsx docs/tools/defaults-table.ts`); process.exit(1) }
  } else writeFileSync(PAGE, text)
}
