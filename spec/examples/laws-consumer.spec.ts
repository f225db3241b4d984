/**
 * The laws library from the outside: docs/examples/laws-consumer is a separate
 * package depending on nn-oracle by path, testing its own layers with its own
 * runner. Linked to this working tree (as `file:../..` would be), no network.
 */
import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'

const test = suite('laws library, from a separate package')

const consumer = (patch?: (src: string) => string) => {
  const dir = mkdtempSync(join(tmpdir(), 'laws-consumer-'))
  cpSync('docs/examples/laws-consumer', dir, { recursive: true })
  mkdirSync(join(dir, 'node_modules'), { recursive: true })
  symlinkSync(resolve('.'), join(dir, 'node_modules', 'nn-oracle'))
  if (patch) {
    const file = join(dir, 'layers.mjs')
    const src = readFileSync(file, 'utf8')
    const next = patch(src)
    assert.is.not(next, src, 'the planted bug must change the source')
    writeFileSync(file, next)
  }
  const r = spawnSync(process.execPath, ['--test', 'test/'], { cwd: dir, encoding: 'utf8' })
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
