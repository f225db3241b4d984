/**
 * The repository's shape is the design's, and its planted-bug lists stay
 * live: the top level holds only the seven named entries (plus README,
 * LICENSE, the lock file and dotfiles); no tracked file points outside the
 * repository (the sibling `shared` folder of the development machines, which
 * neither a clone nor the tarball has); and
 * every `find` text of every spec/**\/mutations.json occurs exactly once in its
 * file, so a refactor cannot silently turn a planted bug into a no-op.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
// @ts-expect-error: a plain ES module of the repository's tooling, without types
import { loadMutations } from '../mutate.mjs'
import { ROOT } from './tarball.ts'

const test = suite('package: layout and planted-bug hygiene')

const tracked = (): string[] =>
  spawnSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).stdout.split('\0').filter((f) => f !== '')

const DESIGN = new Set(['src', 'kernels', 'spec', 'proofs', 'docs', 'package.json', 'tsconfig.json', 'README.md', 'LICENSE', 'package-lock.json'])

test('git ls-files shows no top-level entry beyond the design', () => {
  const files = tracked()
  assert.ok(files.length > 100, 'not a git checkout?')
  const top = [...new Set(files.map((f) => f.split('/')[0]))]
  assert.equal(top.filter((t) => !DESIGN.has(t) && !t.startsWith('.')), [])
})

const OUTSIDE = ['..', 'shared'].join('/')

test('no tracked file mentions the sibling shared folder', () => {
  const offenders = tracked().filter((f) => !f.endsWith('.svg') && !f.endsWith('.jsonl') && readFileSync(`${ROOT}/${f}`, 'latin1').includes(OUTSIDE))
  assert.equal(offenders, [])
})

test('every find text of every mutations.json occurs exactly once in its file', () => {
  const all = loadMutations(ROOT) as { source: string; file: string; find: string; occurrences: number }[]
  assert.ok(all.length > 300, `only ${all.length} planted bugs found`)
  const stale = all.filter((m) => m.occurrences !== 1).map((m) => `${m.source}: ${m.file} (${m.occurrences}x): ${m.find.slice(0, 80)}`)
  assert.equal(stale, [])
})

test.run()
