/**
 * The docs' references, checked: VitePress builds with exit 0 when a snippet's
 * `#region` does not exist (it inlines the whole file) and when an
 * `<!--@include: ...-->` target is missing (it drops the comment silently);
 * only a missing snippet FILE fails the build (docs/tools/notes.md, 2.3).
 * This script fails on all of them, and on a figure that is not there:
 *   (1) `<<< path#region` lines outside fenced code (the only place VitePress reads them):
 *       the file exists and has `// #region name` ... `// #endregion name`
 *   (2) `<!--@include: path#region{a,b}-->` anywhere (VitePress replaces them everywhere,
 *       fenced code included): the file exists, and the region if one is named
 *   (3) images `![...](/figures/x.svg)` and `<img src="/figures/x.svg">`: the file exists in docs/public
 *   (4) every checked derivation in REQUIRED_PROOFS is included by some page
 *   (5) the "On the GPU" notes stay honest: every `*.kernel.ts` file under kernels/ is
 *       named in some page, and every `name.kernel.ts` a page names exists
 *   (6) a repository path a page quotes in inline code (`src/...`, `spec/...`, `kernels/...`,
 *       `proofs/...`, `docs/...`) exists, so that "what we
 *       check" names real spec files (paths are relative to the repository, the docs' parent)
 * Paths resolve as VitePress resolves them: `@/` is the docs root, anything else
 * is relative to the page. Markers follow VitePress's findRegion (a trimmed line
 * `// #region name`, `<!-- #region name -->` in Markdown).
 * Run: node --import tsx docs/tools/docs-check.ts [docs-dir]   (exit 1 on any problem)
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

/** The derivations the proofs' renderer writes to docs/generated/proofs/<family>/<name>.md, each shown by a chapter. */
export const REQUIRED_PROOFS: readonly string[] = [
  'normalization/batch-norm', 'normalization/layer-norm', 'normalization/instance-norm', 'normalization/group-norm',
  'losses/softmax-cross-entropy',
  'activations/sigmoid', 'activations/tanh', 'activations/gelu',
  'convolution/conv2d', 'pooling/max-pool2d',
  'initialization/variance-of-sum', 'initialization/kaiming-relu',
  'regularization/inverted-dropout',
  'optimization/nesterov', 'optimization/adam-bias-correction',
]

export interface Problem { readonly file: string; readonly line: number; readonly message: string }
export interface Report { readonly pages: number; readonly references: number; readonly problems: readonly Problem[] }

/** VitePress's region markers (findRegion in vitepress/dist/node), for TS/JS and Markdown/HTML. */
const MARKERS = [/^\/\/ ?#?((?:end)?region) ([\w*-]+)$/, /^<!-- #?((?:end)?region) ([\w*-]+) -->$/, /^# ?((?:end)?region) ([\w*-]+)$/]

export const hasRegion = (text: string, name: string): boolean => {
  const lines = text.split(/\r?\n/).map((l) => l.trim())
  for (const re of MARKERS) {
    const start = lines.findIndex((l) => { const m = re.exec(l); return m !== null && m[1] === 'region' && m[2] === name })
    if (start < 0) continue
    if (lines.slice(start + 1).some((l) => { const m = re.exec(l); return m !== null && /^end ?region$/i.test(m[1]) && m[2] === name })) return true
  }
  return false
}

const walk = (dir: string): string[] => readdirSync(dir).flatMap((name) => {
  // docs/tools holds the tools and their notes (research text that quotes prototypes), not pages
  if (name === 'node_modules' || name === '.vitepress' || name === 'public' || name === 'tools') return []
  const p = join(dir, name)
  return statSync(p).isDirectory() ? walk(p) : name.endsWith('.md') ? [p] : []
})

const target = (docs: string, page: string, path: string): string =>
  path.startsWith('@') ? join(docs, path.slice(path[1] === '/' ? 2 : 1)) : resolve(dirname(page), path)

/** `path#region{lines}[title]` as VitePress's rawPathToToken splits it (the language suffix too). */
const splitSnippet = (raw: string): { path: string; region?: string } => {
  const s = raw.replace(/\s*\[[^\]]*\]\s*$/, '').replace(/\s*\{[^}]*\}\s*$/, '').trim()
  const hash = s.indexOf('#')
  return hash < 0 ? { path: s } : { path: s.slice(0, hash), region: s.slice(hash + 1) }
}

/** Kernel files under `dir` (relative paths), for (5). */
const kernelFiles = (dir: string): string[] => !existsSync(dir) ? [] : readdirSync(dir).flatMap((name) => {
  const p = join(dir, name)
  return statSync(p).isDirectory() ? kernelFiles(p) : name.endsWith('.kernel.ts') ? [p] : []
})

export const checkDocs = (docsDir: string, required: readonly string[] = REQUIRED_PROOFS, kernelsDir = 'kernels'): Report => {
  const docs = resolve(docsDir)
  const problems: Problem[] = []
  const included = new Set<string>()
  let references = 0
  const pages = walk(docs)
  const kernelsNamed = new Map<string, { file: string; line: number }>()
  for (const page of pages) {
    const file = relative(process.cwd(), page)
    const lines = readFileSync(page, 'utf8').split(/\r?\n/)
    lines.forEach((line, i) => {
      for (const m of line.matchAll(/[\w-]+\.kernel\.ts/g)) if (!kernelsNamed.has(m[0])) kernelsNamed.set(m[0], { file, line: i + 1 })
    })
    let fence: string | undefined
    lines.forEach((line, i) => {
      const at = (message: string): void => { problems.push({ file, line: i + 1, message }) }
      // (2) includes, everywhere
      for (const m of line.matchAll(/<!--\s*@include:\s*(.*?)\s*-->/g)) {
        references++
        let spec = m[1]
        const range = /\{(\d*),(\d*)\}$/.exec(spec)
        if (range) spec = spec.slice(0, -range[0].length)
        const region = /#([\w-]+)$/.exec(spec)
        if (region) spec = spec.slice(0, -region[0].length)
        const p = target(docs, page, spec)
        included.add(p)
        if (!existsSync(p) || !statSync(p).isFile()) at(`include target missing: ${spec} (resolved to ${relative(process.cwd(), p)}); VitePress would drop it silently`)
        else if (region && !hasRegion(readFileSync(p, 'utf8'), region[1])) at(`include region #${region[1]} not found in ${spec}; VitePress would include nothing`)
      }
      const open = /^\s*(```+|~~~+)/.exec(line)
      if (open) {
        if (fence === undefined) fence = open[1]
        else if (line.trim().startsWith(fence)) fence = undefined
        return
      }
      if (fence !== undefined) return
      // (1) snippets, outside fences
      const snip = /^\s{0,3}<<<\s*(\S.*)$/.exec(line)
      if (snip) {
        references++
        const { path, region } = splitSnippet(snip[1])
        const p = target(docs, page, path)
        if (!existsSync(p) || !statSync(p).isFile()) at(`snippet file missing: ${path}`)
        else if (region === undefined) at(`snippet without a #region: ${path} (show code by region, not whole files)`)
        else if (!hasRegion(readFileSync(p, 'utf8'), region)) at(`snippet region #${region} not found in ${path}; VitePress would inline the whole file`)
      }
      // (6) quoted repository paths
      for (const m of line.matchAll(/`((?:src|spec|kernels|proofs|docs)\/[\w./-]*)`/g)) {
        references++
        const p = m[1].replace(/[.,:;]+$/, '')
        if (!existsSync(join(dirname(docs), p))) at(`quotes ${p}, which does not exist`)
      }
      // (3) figures
      for (const m of line.matchAll(/!\[[^\]]*\]\(([^)\s]+)[^)]*\)|<img[^>]*\ssrc="([^"]+)"/g)) {
        const src = m[1] ?? m[2]
        if (/^[a-z]+:/i.test(src)) { at(`image from outside the site: ${src}`); continue }
        references++
        const p = src.startsWith('/') ? join(docs, 'public', src) : resolve(dirname(page), src)
        if (!existsSync(p)) at(`image missing: ${src} (run npm run docs:figures)`)
      }
    })
  }
  // (4) the checked derivations
  for (const name of required) {
    const p = join(docs, 'generated', 'proofs', `${name}.md`)
    if (!included.has(p)) problems.push({ file: relative(process.cwd(), docs), line: 0, message: `no page includes the checked derivation ${name} (<!--@include: ./generated/proofs/${name}.md-->)` })
  }
  // (5) kernels: named where they exist, and existing where named
  const onDisk = kernelFiles(kernelsDir)
  const names = new Set(onDisk.map((p) => p.split(/[\\/]/).pop()!))
  for (const p of onDisk) {
    const name = p.split(/[\\/]/).pop()!
    if (!kernelsNamed.has(name)) problems.push({ file: relative(process.cwd(), docs), line: 0, message: `${p} exists but no page names it: say so in the chapter's "On the GPU" section` })
  }
  for (const [name, at] of kernelsNamed) {
    if (onDisk.length > 0 && !names.has(name)) problems.push({ file: at.file, line: at.line, message: `names ${name}, which is not a file under ${kernelsDir}/` })
  }
  return { pages: pages.length, references, problems }
}

const main = (): void => {
  const r = checkDocs(process.argv[2] ?? 'docs')
  for (const p of r.problems) console.error(`${p.file}:${p.line}: ${p.message}`)
  console.log(`docs-check: ${r.pages} pages, ${r.references} references, ${r.problems.length} problem(s)`)
  process.exit(r.problems.length > 0 ? 1 : 0)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main()
