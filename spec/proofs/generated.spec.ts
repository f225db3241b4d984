/**
 * docs/generated/proofs/ is committed output of docs/tools/render-proofs.ts: it
 * must be what the proofs render to now (re-rendered into a temporary
 * directory by the script itself and compared file by file), at the paths the
 * docs include, in the Markdown subset the docs site renders.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'

const test = suite('docs/generated/proofs: current, complete, renderable')

const OUT = 'docs/generated/proofs'
const files = (d: string): string[] => readdirSync(d).flatMap((f) => {
  const p = join(d, f)
  return statSync(p).isDirectory() ? files(p) : [p]
})

/** The include paths the docs pages use (issue 7): families and names are fixed. */
const STABLE = [
  'activations/sigmoid', 'activations/tanh', 'activations/gelu', 'losses/softmax-cross-entropy',
  'convolution/conv2d', 'pooling/max-pool2d', 'normalization/batch-norm', 'normalization/layer-norm',
  'normalization/instance-norm', 'normalization/group-norm', 'initialization/variance-of-sum',
  'initialization/kaiming-relu', 'regularization/inverted-dropout', 'optimization/nesterov',
  'optimization/adam-bias-correction',
]

test('the committed files are exactly what docs/tools/render-proofs.ts writes now', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'render-proofs-'))
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'docs/tools/render-proofs.ts', '--out', tmp], { encoding: 'utf8' })
    assert.is(r.status, 0, `render-proofs failed: ${r.stderr}`)
    const fresh = files(tmp).map((f) => relative(tmp, f)).sort()
    const committed = existsSync(OUT) ? files(OUT).map((f) => relative(OUT, f)).sort() : []
    assert.equal(committed, fresh, `${OUT} lists other files than a fresh render: run node --import tsx docs/tools/render-proofs.ts`)
    for (const f of fresh) {
      assert.ok(readFileSync(join(OUT, f), 'utf8') === readFileSync(join(tmp, f), 'utf8'),
        `${OUT}/${f} is out of date with the proofs: run node --import tsx docs/tools/render-proofs.ts`)
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
})

test('index.json lists every stable include path, each with its fragment and spec', () => {
  const index = JSON.parse(readFileSync(join(OUT, 'index.json'), 'utf8')) as { id: string; family: string; name: string; title: string; path: string; spec: string }[]
  assert.equal(index.map((e) => e.id).sort(), [...STABLE].sort())
  for (const e of index) {
    assert.is(e.id, `${e.family}/${e.name}`)
    assert.is(e.path, `${OUT}/${e.family}/${e.name}.md`)
    assert.ok(existsSync(e.path), e.path)
    assert.ok(existsSync(e.spec), `${e.id}: no spec ${e.spec}`)
    assert.match(readFileSync(e.spec, 'utf8'), `proofs/${e.family}/${e.name}.proof.ts`)
    assert.ok(e.title.length > 0)
  }
})

test('fragments: a #### title first, no frontmatter, one-line display math, nothing Vue would interpolate', () => {
  for (const f of files(OUT).filter((p) => p.endsWith('.md'))) {
    const text = readFileSync(f, 'utf8')
    assert.ok(text.startsWith('#### '), `${f}: starts with a #### heading`)
    // MathJax turns formulas into SVG before Vue sees the page, so only the prose must avoid "{{"
    const prose = text.split('\n').filter((l) => !l.startsWith('$$')).join('\n').replace(/\$(?:\\.|[^$\\])+?\$/g, '')
    assert.not.match(prose, /\{\{/, `${f}: "{{" would be read as Vue interpolation`)
    assert.not.match(text, /\\begin\{align\*?\}/, `${f}: align is not for MathJax here; use aligned inside $$`)
    for (const line of text.split('\n')) {
      if (line.startsWith('$$')) assert.ok(line.length > 4 && line.endsWith('$$'), `${f}: display math on one line: ${line}`)
    }
    assert.match(text, /\*\*Checked:\*\* every pair of neighbouring lines agrees at \d+ random/)
  }
})

test.run()
