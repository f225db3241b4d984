import { readFileSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { PYTORCH_ROWS, render } from '../../docs/tools/conventions-table.ts'
import { CONVENTIONS } from '../../src/profiles/conventions.ts'

const test = suite('docs/conventions.md')

test('is current with the conventions in the code', () => {
  assert.is(readFileSync('docs/conventions.md', 'utf8'), render(), 'run: node --import tsx docs/tools/conventions-table.ts')
})

test('every row names a test that exists in its spec file', () => {
  for (const [, , file, name] of PYTORCH_ROWS) {
    // Compare with the test names as written in source, quotes unescaped.
    const src = readFileSync(file, 'utf8').replace(/\\(['"])/g, '$1')
    assert.ok(src.includes(name), `${file} has no test "${name}"`)
  }
  const profiles = readFileSync('spec/profiles/profiles.spec.ts', 'utf8')
  assert.ok(profiles.includes('`convention ${conv.id}`') && CONVENTIONS.length > 0)
})

test.run()
