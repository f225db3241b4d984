/**
 * Renders every checked derivation (proofs/<family>/<name>.proof.ts) as a
 * Markdown fragment for the docs, from the same objects the specs check: the
 * reader sees exactly the lines that were checked, with the number of points,
 * the seed and the error bounds of the check. Run:
 *   node --import tsx docs/tools/render-proofs.ts              writes docs/generated/proofs/
 *   node --import tsx docs/tools/render-proofs.ts --out DIR    writes DIR instead (the spec's freshness check)
 * Output: <family>/<name>.md per proof file (no frontmatter; a docs page
 * includes it with <!--@include: ../generated/proofs/<family>/<name>.md-->)
 * and index.json listing { id, family, name, title, path, spec, derivations }.
 * Math is for VitePress's markdown-it-mathjax3: inline $...$, display $$...$$
 * on one line.
 */
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { type ProofFile, ROOT, loadProofs } from '../../proofs/catalogue.ts'
import { type Derivation, runsOf, seedOf } from '../../proofs/derivation.ts'

const SUP: Record<string, string> = { '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹', '-': '⁻', t: 'ᵗ', T: 'ᵀ', n: 'ⁿ' }

/**
 * A tolerance's ASCII text (written for failure messages in a terminal) as
 * the page shows it: eps, delta, beta1 and sqrt as symbols, powers as
 * superscripts, 1e-12 as 10⁻¹², <= as ≤. Only the page changes; the text in
 * proofs/ stays greppable.
 */
export const pretty = (t: string): string => t
  .replace(/\b(\d+(?:\.\d+)?)e-(\d+)\b/g, (_, m: string, e: string) => `${m === '1' ? '' : `${m}·`}10${[...`-${e}`].map((c) => SUP[c]).join('')}`)
  .replace(/\^(-?\d+|[tTn])\b/g, (_, e: string) => [...e].map((c) => SUP[c] ?? c).join(''))
  .replace(/\beps\b/g, 'ε').replace(/\bdelta\b/g, 'δ').replace(/\bbeta1\b/g, 'β₁').replace(/\bsqrt\(/g, '√(')
  .replace(/<=/g, '≤').replace(/>=/g, '≥').replace(/\bx_j\b/g, 'xⱼ')

/** "line 1: ...; lines 2-5: ..." from the error bound of each line, consecutive equal texts grouped. */
const bounds = (d: Derivation): string => {
  const texts = d.steps.map((s) => (s.tolerance ?? d.tolerance).text)
  const groups: { from: number; to: number; text: string }[] = []
  texts.forEach((text, k) => {
    const last = groups[groups.length - 1]
    if (last !== undefined && last.text === text) last.to = k + 1
    else groups.push({ from: k + 1, to: k + 1, text })
  })
  return groups.map((g) => `${g.from === g.to ? `line ${g.from}` : `lines ${g.from}–${g.to}`}: ${pretty(g.text)}`).join('; ')
}

export const renderDerivation = (d: Derivation, source: string, spec: string): string => {
  const out: string[] = [`#### ${d.title}`, '', d.intro.trim(), '']
  d.steps.forEach((s, k) => {
    const rel = k === 0 ? '' : (s.relation ?? '=')
    out.push(`$$${rel === '' ? '' : `${rel} `}${s.latex}$$`, '', `*Why:* ${s.reason}`, '')
  })
  if (d.outro !== undefined) out.push(d.outro.trim(), '')
  const points = typeof d.variables === 'function' ? 'points sampled from keys of `src/core/random.ts`' : 'points drawn by fast-check'
  out.push(
    `**Checked:** every pair of neighbouring lines agrees at ${runsOf(d)} random ${points} (seed ${seedOf(d.id)}, derivation \`${d.id}\`), ` +
    `to within the sum of the two lines' error bounds (${bounds(d)}). Source: \`${source}\`; spec: \`${spec}\`.`,
    '',
  )
  return out.join('\n')
}

export const renderFile = (p: ProofFile): string => p.derivations.map((d) => renderDerivation(d, p.source, p.spec)).join('\n')

export const renderIndex = (ps: readonly ProofFile[]): string =>
  JSON.stringify(ps.map((p) => ({
    id: p.id, family: p.family, name: p.name, title: p.title, path: p.fragment, spec: p.spec,
    derivations: p.derivations.map((d) => ({ id: d.id, title: d.title, runs: runsOf(d), seed: seedOf(d.id) })),
  })), null, 2) + '\n'

/** Every output file, by path relative to the output directory. */
export const renderAll = async (): Promise<Map<string, string>> => {
  const ps = await loadProofs()
  const files = new Map<string, string>()
  for (const p of ps) files.set(`${p.family}/${p.name}.md`, renderFile(p))
  files.set('index.json', renderIndex(ps))
  return files
}

const listFiles = (d: string): string[] => {
  try {
    return readdirSync(d).flatMap((f) => { const p = join(d, f); return statSync(p).isDirectory() ? listFiles(p) : [p] })
  } catch { return [] }
}

if (process.argv[1]?.endsWith('render-proofs.ts')) {
  const at = process.argv.indexOf('--out')
  const outDir = at >= 0 ? process.argv[at + 1] : join(ROOT, 'docs/generated/proofs')
  const files = await renderAll()
  // stale fragments (a proof renamed or removed) go; everything here is generated
  for (const f of listFiles(outDir)) if (!files.has(relative(outDir, f).split('\\').join('/'))) rmSync(f)
  for (const [rel, text] of files) {
    mkdirSync(dirname(join(outDir, rel)), { recursive: true })
    writeFileSync(join(outDir, rel), text)
  }
  console.log(`${files.size} files written to ${relative(process.cwd(), outDir) || '.'}`)
}
