/**
 * docs/defaults.md is generated (docs/tools/defaults-table.ts): it must be
 * what the parsers give now. After adding an op or changing a default, run
 *   node --import tsx docs/tools/defaults-table.ts
 */
import { readFileSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { render } from '../../docs/tools/defaults-table.ts'

const test = suite('docs/defaults.md')

test('is current with the parsers', () => {
  assert.is(readFileSync('docs/defaults.md', 'utf8'), render(), 'run: node --import tsx docs/tools/defaults-table.ts')
})

test.run()
