/**
 * Defaults: what the parsers give for empty attributes (the rows of
 * docs/defaults.md, whose staleness ./page.spec.ts checks) agrees with the
 * frameworks' documentation (./documented.ts, one citation per row) except
 * the listed departures, which are pinned too. A default changed in a parser
 * (AdamW's 0.01 -> 0, batch norm's momentum 0.1 -> 0.9) fails here whether or
 * not anyone regenerated the page: the rows are parsed afresh, never read
 * from it.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { INITIALIZERS, LIBRARY_OPTIMIZERS, type Row, opRows, optimizerRows } from '../../docs/tools/defaults-table.ts'
import { allOps } from '../../src/registry.ts'
import { DEPARTURES, DOCUMENTED, type Documented } from './documented.ts'

const test = suite('defaults: parsed empty attributes, the generated page and the documented defaults')

const OPS = opRows(), OPTIMS = optimizerRows()

/** The parsed default a documented row speaks of (lr_schedule:kind picks that kind's row). */
const parsed = (d: Documented): { found: boolean; value?: unknown } => {
  const pick = (rows: readonly Row[]): { found: boolean; value?: unknown } => {
    const [name, kind] = d.name.split(':')
    const row = rows.find((r) => r.name === name && (kind === undefined || r.given.kind === kind))
    if (row === undefined || !(d.attr in row.defaults)) return { found: false }
    return { found: true, value: row.defaults[d.attr] }
  }
  if (d.where === 'op') return pick(OPS)
  if (d.where === 'optimizer') return pick(OPTIMS)
  const table = d.where === 'library' ? LIBRARY_OPTIMIZERS : INITIALIZERS
  const r = table[d.name]
  return r !== undefined && d.attr in r ? { found: true, value: r[d.attr] } : { found: false }
}

test('every registered op has a row, and every row parses', () => {
  for (const op of allOps) assert.ok(OPS.some((r) => r.name === op.name), `no row for ${op.name}`)
  const broken = [...OPS, ...OPTIMS].filter((r) => r.error !== undefined).map((r) => `${r.name}: ${r.error}`)
  assert.equal(broken, [], 'rows whose required attributes no sample satisfied')
})

test('every parsed default equals the framework\'s documented default (one citation per row)', () => {
  const wrong: string[] = []
  for (const d of DOCUMENTED) {
    const p = parsed(d)
    if (!p.found) wrong.push(`${d.where} ${d.name}: no default for ${d.attr} (documented ${JSON.stringify(d.value)}: ${d.cite})`)
    else if (JSON.stringify(p.value) !== JSON.stringify(d.value)) wrong.push(`${d.where} ${d.name}.${d.attr} = ${JSON.stringify(p.value)}, documented ${JSON.stringify(d.value)}: ${d.cite}`)
  }
  assert.equal(wrong, [])
})

test('the departures are still what they say: ours, and not the framework\'s', () => {
  for (const d of DEPARTURES) {
    const p = parsed(d)
    assert.ok(p.found, `${d.name}.${d.attr}: no default`)
    assert.equal(p.value, d.value, `${d.name}.${d.attr} (${d.why})`)
    assert.not.equal(p.value, d.framework)
  }
})

test('every default on the page is either documented or a listed departure (none unaccounted for among the frameworks\' attributes)', () => {
  // The documented rows must cover the optimizers and initializers completely: every default they have.
  for (const [name, values] of [...Object.entries(LIBRARY_OPTIMIZERS)]) {
    for (const attr of Object.keys(values)) assert.ok(DOCUMENTED.some((d) => d.where === 'library' && d.name === name && d.attr === attr), `library ${name}.${attr} undocumented`)
  }
  for (const r of OPTIMS) {
    for (const attr of Object.keys(r.defaults)) assert.ok(DOCUMENTED.some((d) => d.where === 'optimizer' && d.name === r.name && d.attr === attr), `optimizer ${r.name}.${attr} undocumented`)
  }
  for (const [name, values] of Object.entries(INITIALIZERS)) {
    for (const attr of Object.keys(values)) {
      const known = [...DOCUMENTED, ...DEPARTURES].some((d) => d.where === 'initializer' && d.name === name && d.attr === attr)
      assert.ok(known || name === 'xavier', `initializer ${name}.${attr} undocumented`)
    }
  }
})

test.run()
