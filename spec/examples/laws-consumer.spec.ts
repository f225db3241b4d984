/**
 * The laws library from the outside: docs/examples/laws-consumer is a separate
 * package testing its own layers with its own runner (node:test). Here it runs
 * against the packed tarball installed into a copy of it, as a user's CI would
 * (not a symlink to this working tree), and again with planted bugs.
 */
import { spawnSync } from 'node:child_process'
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { packed, run } from '../package/tarball.ts'
import { scratchDir } from '../support/scratch.ts'

const test = suite('laws library, from a separate package')

/** The example installed once from the tarball; each run works in its own copy. */
let installed: string | undefined
const base = (): string => {
  if (installed !== undefined) return installed
  const dir = scratchDir('laws-consumer-')
  cpSync('docs/examples/laws-consumer', dir, { recursive: true })
  const r = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', packed()], dir)
  assert.is(r.status, 0, r.out.slice(-2000))
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  assert.match(pkg.dependencies['nn-oracle'], /^file:.*\.tgz$/, 'installed from the tarball')
  return (installed = dir)
}

const consumer = (patch?: (src: string) => string) => {
  const dir = scratchDir('laws-consumer-run-')
  cpSync(base(), dir, { recursive: true })
  if (patch) {
    const file = join(dir, 'layers.mjs')
    const src = readFileSync(file, 'utf8')
    const next = patch(src)
    assert.is.not(next, src, 'the planted bug must change the source')
    writeFileSync(file, next)
  }
  const r = spawnSync(process.execPath, ['--test', 'test/'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } })
  return { status: r.status, out: r.stdout + r.stderr }
}

test("the example package's own tests pass against its layers", () => {
  const r = consumer()
  assert.is(r.status, 0, r.out.slice(-1500))
  assert.match(r.out, '# pass 4')
})

test('a planted bug in its softmax VJP (the sum term dropped) fails its gradient law', () => {
  const r = consumer((s) => s.replace('dx[r * n + j] = y.data[r * n + j] * (g.data[r * n + j] - s)', 'dx[r * n + j] = y.data[r * n + j] * g.data[r * n + j]'))
  assert.is.not(r.status, 0)
  assert.match(r.out, 'gradient law')
})

test('a planted bug in its mse gradient (no 1/n) fails against the oracle and the gradient law', () => {
  const r = consumer((s) => s.replace('* g.data[0]) / n)', '* g.data[0]))'))
  assert.is.not(r.status, 0)
})

test.run()
