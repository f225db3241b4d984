/**
 * docs/case-format.md and the catalogue agree: every op the oracle registers
 * is documented in the page's tables, and every op the page documents is
 * either registered or answered `unsupported` by check (never `invalid`, never
 * a crash), so a file that follows the page is always checkable.
 */
import { readFileSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { evaluate } from '../../src/cases/evaluate.ts'
import { make } from '../../src/core/tensor.ts'
import { allOps } from '../../src/registry.ts'

const test = suite('case format: the page and the catalogue agree')

const page = readFileSync('docs/case-format.md', 'utf8')

/** Op names in the first column of the page's op tables (rows start with "| `name`"). */
const documented = (): Set<string> => {
  const names = new Set<string>()
  let inOpTable = false
  for (const line of page.split('\n')) {
    if (/^\| op \|/.test(line)) { inOpTable = true; continue }
    if (!line.startsWith('|')) { inOpTable = false; continue }
    if (!inOpTable) continue
    const first = line.split(/(?<!\\)\|/)[1] ?? ''
    for (const m of first.matchAll(/`([a-z0-9_]+)`/g)) names.add(m[1])
  }
  return names
}

test('the page documents a catalogue of plausible size', () => {
  const d = documented()
  for (const name of ['linear', 'conv2d', 'adam_step', 'add', 'reshape', 'hflip', 'pca_whiten', 'maxout', 'max_norm']) {
    assert.ok(d.has(name), `${name} not found in the page's op tables`)
  }
  assert.ok(d.size >= 60, `only ${d.size} ops documented`)
})

test('every registered op is documented', () => {
  const d = documented()
  const missing = allOps.map((o) => o.name).filter((n) => !d.has(n))
  assert.equal(missing, [], 'registered but not in docs/case-format.md')
})

test('a documented op that is not registered is unsupported, never invalid', () => {
  const registered = new Set(allOps.map((o) => o.name))
  const x = make([1], Float64Array.of(1))
  for (const name of documented()) {
    if (registered.has(name)) continue
    const r = evaluate({ id: name, op: name, attrs: {}, inputs: { x }, outputs: { y: x } })
    assert.is(r.status, 'unsupported', `${name}: ${r.status} ${r.reason ?? ''}`)
  }
})

test.run()
