/**
 * The generated fragments render on the docs site as written: each is run
 * through VitePress's own Markdown renderer with `math: true` (markdown-it
 * with markdown-it-mathjax3: TeX with all packages, SVG output). MathJax does
 * not throw on bad TeX; it renders an `merror` node (a syntax error) or red
 * text (an undefined macro, through its noundefined package), and a formula
 * whose delimiters Markdown did not recognise stays as literal `$` text. All
 * three fail here.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { createMarkdownRenderer } from 'vitepress'

const test = suite('docs/generated/proofs: every formula renders in VitePress + MathJax')

const files = (d: string): string[] => readdirSync(d).flatMap((f) => {
  const p = join(d, f)
  return statSync(p).isDirectory() ? files(p) : p.endsWith('.md') ? [p] : []
})

test('no MathJax error, no undefined macro, no unrecognised $ in any fragment', async () => {
  const md = await createMarkdownRenderer('docs', { math: true }, '/')
  let formulas = 0
  for (const f of files('docs/generated/proofs')) {
    const html = md.render(readFileSync(f, 'utf8'), { path: f, relativePath: f, cleanUrls: false })
    const math = html.match(/<mjx-container[\s\S]*?<\/mjx-container>/g) ?? []
    formulas += math.length
    for (const m of math) {
      const error = m.match(/data-mjx-error="([^"]*)"/)?.[1]
      assert.ok(error === undefined && !m.includes('merror'), `${f}: MathJax error "${error}" in ${m.match(/<math[\s\S]*?<\/math>/)?.[0] ?? ''}`)
      assert.not.ok(m.includes('fill="red"'), `${f}: an undefined macro (red text) in a formula`)
    }
    const text = html.replace(/<mjx-container[\s\S]*?<\/mjx-container>/g, '').replace(/<[^>]+>/g, '')
    const stray = text.split('\n').filter((l) => l.includes('$'))
    assert.equal(stray, [], `${f}: $ left as text (a formula Markdown did not recognise)`)
  }
  assert.ok(formulas > 300, `only ${formulas} formulas rendered`)
})

test('no "\\\\" outside an aligned environment (a doubled escape renders silently as a line break)', () => {
  for (const f of files('docs/generated/proofs')) {
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      if (line.includes('\\\\') && !line.includes('{aligned}')) assert.unreachable(`${f}: "\\\\" in: ${line}`)
    }
  }
})

test.run()
