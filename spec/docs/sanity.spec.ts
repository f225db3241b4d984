/**
 * The chapters' sanity runs (docs/tools/sanity.ts): the output a chapter
 * includes from docs/generated/sanity/ is what the code prints today, so a
 * change in the library or in the shown code that changes the numbers fails
 * here until the outputs are regenerated (node --import tsx docs/tools/sanity.ts).
 * Every chapter that shows a run includes its output next to its code.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { OUT, SANITY, renderSanity } from '../../docs/tools/sanity.ts'

const test = suite('docs: sanity runs')

for (const name of Object.keys(SANITY)) {
  test(`${name}: the committed output is what the code prints now`, () => {
    let committed = ''
    try { committed = readFileSync(join(OUT, `${name}.md`), 'utf8') } catch { /* reported below */ }
    assert.ok(committed === renderSanity(name), `docs/generated/sanity/${name}.md is stale or missing: run node --import tsx docs/tools/sanity.ts`)
  })
}

test('every sanity run is shown by a page, code and output together', () => {
  const pages = readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => readFileSync(join('docs', f), 'utf8')).join('\n')
  for (const name of Object.keys(SANITY)) {
    assert.ok(pages.includes(`<<< @/tools/sanity.ts#${name}`), `no page shows the code of the sanity run ${name}`)
    assert.ok(pages.includes(`<!--@include: ./generated/sanity/${name}.md-->`), `no page shows the output of the sanity run ${name}`)
  }
})

test.run()
