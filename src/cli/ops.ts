/**
 * `nn-oracle ops [--json PATH]`: the catalogue as the oracle has it, with each
 * op's inputs, attributes (and their defaults) and outputs.
 *
 * Attributes are read from the op itself, not from a second list that could
 * drift: parsing an empty attribute record gives every default; an attribute
 * the parser calls required is filled with the first probe value it accepts
 * and reported as required, with the parser's own words for what it expects.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Op } from '../core/op.ts'
import { allOps } from '../registry.ts'
import { type Sink, openSink, parseCommandArgs } from './args.ts'
import { OPS_HELP } from './ops-help.ts'
import { table } from './table.ts'

export interface AttrInfo { readonly name: string; readonly default?: unknown; readonly required?: true; readonly expected?: string }
export interface OpInfo {
  readonly name: string
  readonly inputs: readonly { name: string; optional: boolean; dtype: string; gradient: boolean }[]
  readonly attributes: readonly AttrInfo[]
  readonly outputs: readonly { name: string; gradient: boolean }[]
}

const PROBES: readonly unknown[] = [1, [1, 1], [1], 0.5, true, 'none', 'step', [1, 1, 1, 1], 2, 0]

export const attributesOf = (op: Op): AttrInfo[] | string => {
  const required = new Map<string, string>()
  const filled: Record<string, unknown> = {}
  for (let round = 0; round < 16; round++) {
    const r = op.parseAttrs(filled)
    if (E.isRight(r)) {
      const parsed = r.right as Record<string, unknown>
      return Object.keys(parsed).map((name) => required.has(name)
        ? { name, required: true as const, expected: required.get(name)! }
        : { name, default: parsed[name] === undefined ? null : parsed[name] })
    }
    const name = r.left.arg.replace(/^attrs\./, '')
    if (!r.left.arg.startsWith('attrs.') || required.has(name)) return `could not read the attributes (${r.left.arg}: ${r.left.expected})`
    required.set(name, r.left.expected.replace(/\s*\(required\)$/, ''))
    const ok = PROBES.find((v) => { const t = op.parseAttrs({ ...filled, [name]: v }); return E.isRight(t) || t.left.arg !== r.left.arg })
    if (ok === undefined) return `could not read the attributes (no probe satisfies ${name})`
    filled[name] = ok
  }
  return 'could not read the attributes'
}

export const describeOp = (op: Op): OpInfo => {
  const attrs = attributesOf(op)
  return {
    name: op.name,
    inputs: op.inputs.map((i) => ({ name: i.name, optional: i.optional === true, dtype: i.kind ?? 'float', gradient: i.grad !== false })),
    attributes: typeof attrs === 'string' ? [] : attrs,
    outputs: op.outputs.map((o) => ({ name: o.name, gradient: o.grad !== false })),
  }
}

const showAttr = (a: AttrInfo): string => (a.required ? `${a.name} (required)` : `${a.name}=${JSON.stringify(a.default)}`)

export const opsCommand = async (argv: readonly string[] = []): Promise<number> => {
  const p = parseCommandArgs('ops', argv, { json: { type: 'string' }, help: { type: 'boolean', short: 'h' } })
  if (!p.ok) { console.error(p.message); return 2 }
  if (p.parsed.values.help) { console.log(OPS_HELP); return 0 }
  let json: Sink | undefined
  if (typeof p.parsed.values.json === 'string') {
    const s = openSink(p.parsed.values.json)
    if (typeof s === 'string') { console.error(`nn-oracle ops: --json: ${s}`); return 2 }
    json = s
  }
  const infos = allOps.map(describeOp)
  if (json !== undefined) {
    json.write(JSON.stringify(infos, null, 1) + '\n')
    json.close()
    if (p.parsed.values.json === '-') return 0
  }
  const rows = infos.map((o) => [
    o.name,
    o.inputs.map((i) => i.name + (i.optional ? '?' : '')).join(', '),
    o.attributes.map(showAttr).join(', '),
    o.outputs.map((x) => x.name).join(', '),
  ])
  console.log(table(['op', 'inputs', 'attributes (default)', 'outputs'], rows))
  return 0
}
