/**
 * The docs site's references (docs/tools/docs-check.ts). VitePress builds with
 * exit 0 when a `<<< file#region` names a region that is not there (it inlines
 * the whole file) or an `<!--@include: ...-->` target is missing (it drops it),
 * so this spec is what fails instead. It also requires the committed figures to
 * be what docs/tools/figures.ts computes from the library today, apart from the
 * activation-statistics histograms (about 30 s of simulation; regenerate them
 * with `npm run docs:figures`).
 * The browser test of the built site is `npm run test:docs` (docs/tools/docs-test.mjs).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { REQUIRED_PROOFS, checkDocs, hasRegion } from '../../docs/tools/docs-check.ts'
import { FIGURES, OUT } from '../../docs/tools/figures.ts'
import { scratchDir } from '../support/scratch.ts'

const test = suite('docs: snippets, includes, figures')

test('every <<< region, @include target, figure and quoted repository path in the chapters exists; every checked derivation is included; the GPU notes name every kernel file', () => {
  const r = checkDocs('docs')
  assert.ok(r.pages >= 10, `only ${r.pages} pages under docs/`)
  assert.equal(r.problems.map((p) => `${p.file}:${p.line}: ${p.message}`), [])
})

test('the fifteen checked derivations are required by name', () => {
  assert.is(REQUIRED_PROOFS.length, 15)
  assert.ok(REQUIRED_PROOFS.includes('normalization/batch-norm') && REQUIRED_PROOFS.includes('optimization/adam-bias-correction'))
})

test('the check fails on a missing region, include, include region, figure, derivation, kernel note and quoted path (it is not vacuous)', () => {
  const root = scratchDir('docs-check-')
  const docs = join(root, 'docs'), src = join(root, 'src'), kernels = join(root, 'kernels')
  for (const d of [docs, src, join(docs, 'public', 'figures'), join(docs, 'generated', 'proofs', 'a'), join(kernels, 'x')]) mkdirSync(d, { recursive: true })
  writeFileSync(join(src, 'm.ts'), '// #region good\nexport const one = 1\n// #endregion good\n')
  writeFileSync(join(docs, 'part.md'), '<!-- #region here -->\nincluded\n<!-- #endregion here -->\n')
  writeFileSync(join(docs, 'public', 'figures', 'f.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
  writeFileSync(join(docs, 'generated', 'proofs', 'a', 'b.md'), 'a checked chain')
  writeFileSync(join(kernels, 'x', 'named.kernel.ts'), '')
  writeFileSync(join(kernels, 'x', 'unnamed.kernel.ts'), '')
  const good = [
    '<<< @/../src/m.ts#good', '<!--@include: ./part.md#here-->', '<!--@include: ./generated/proofs/a/b.md-->',
    '![f](/figures/f.svg)', 'The kernel `named.kernel.ts` exists.', '```md', '<<< @/../src/m.ts#inside-a-fence-is-not-read', '```',
  ]
  writeFileSync(join(docs, 'good.md'), good.join('\n\n') + '\n')
  const clean = checkDocs(docs, ['a/b'], kernels).problems.map((p) => p.message)
  assert.equal(clean, [`${join(kernels, 'x', 'unnamed.kernel.ts')} exists but no page names it: say so in the chapter's "On the GPU" section`])

  const bad = [
    '<<< @/../src/m.ts#missing-region', '<<< @/../src/nope.ts#good', '<<< @/../src/m.ts',
    '<!--@include: ./nope.md-->', '<!--@include: ./part.md#missing-->', '![g](/figures/nope.svg)',
    'The kernel `ghost.kernel.ts` and `unnamed.kernel.ts`.', 'What we check: `spec/nope.spec.ts` and `src/m.ts`.',
  ]
  writeFileSync(join(docs, 'bad.md'), bad.join('\n\n') + '\n')
  const found = checkDocs(docs, ['a/b', 'a/missing'], kernels).problems.map((p) => p.message).join('\n')
  for (const expected of [
    'snippet region #missing-region not found', 'snippet file missing: @/../src/nope.ts', 'snippet without a #region',
    'include target missing: ./nope.md', 'include region #missing not found', 'image missing: /figures/nope.svg',
    'no page includes the checked derivation a/missing', 'names ghost.kernel.ts, which is not a file',
    'quotes spec/nope.spec.ts, which does not exist',
  ]) assert.ok(found.includes(expected), `expected a problem "${expected}" in:\n${found}`)
  assert.not.ok(found.includes('unnamed.kernel.ts exists but'), 'a kernel named on any page counts as named')
  assert.not.ok(found.includes('quotes src/m.ts'), 'a quoted path that exists is fine')
})

test("regions follow VitePress's markers: `// #region name` ... `// #endregion name`, names matched exactly", () => {
  assert.ok(hasRegion('  // #region forward\nx\n  // #endregion forward\n', 'forward'))
  assert.not.ok(hasRegion('// #region forward\nx\n', 'forward'), 'no end marker')
  assert.not.ok(hasRegion('// #region forward-x\nx\n// #endregion forward-x\n', 'forward'))
  assert.not.ok(hasRegion('// #region forward (the VJP)\nx\n// #endregion forward\n', 'forward'), 'VitePress does not accept text after the name')
})

test('the committed figures are what docs/tools/figures.ts computes now (all but the activation-statistics runs)', () => {
  for (const [group, make] of FIGURES) {
    if (group === 'init') continue
    for (const [file, svg] of Object.entries(make())) {
      const path = join(OUT, file)
      let committed = ''
      try { committed = readFileSync(path, 'utf8') } catch { /* reported below */ }
      assert.ok(committed === svg, `${path} is stale or missing: run npm run docs:figures`)
    }
  }
})

test.run()
