#!/usr/bin/env node
// The docs in a real browser: builds the site (docs/tools/docs-check.ts, then
// `vitepress build docs`), serves docs/.vitepress/dist on 127.0.0.1 with a tiny
// static server, and opens every page in headless Chromium (Debian's
// /usr/bin/chromium through playwright-core, a fresh profile, no network beyond
// 127.0.0.1). A page fails on
//   - a console error or an uncaught exception;
//   - a request that fails or answers >= 400, and any request off 127.0.0.1;
//   - raw TeX left on the page: `$$`, `\frac`, `\begin`, ... in text outside
//     rendered math and code, or a MathJax error node;
//   - a figure (img) that does not load or has zero size, or rendered math of zero size;
//   - a broken internal link: a page that does not exist, or a #fragment with no
//     element of that id on the target page.
// It saves one full-page screenshot per page to .reports/docs-screens/ and ends
// with "N passed, N failed" (N pages).
// Usage: node docs/tools/docs-test.mjs [--no-build] [--only SUBSTRING]
// Environment: CHROMIUM (default /usr/bin/chromium), DOCS_SCREENS (default .reports/docs-screens).
import { spawnSync } from 'node:child_process'
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { extname, join, relative, resolve, sep } from 'node:path'
import { chromium } from 'playwright-core'

const ROOT = resolve(new URL('..', import.meta.url).pathname)
const DIST = join(ROOT, 'docs/.vitepress/dist')
const SCREENS = resolve(ROOT, process.env.DOCS_SCREENS ?? '.reports/docs-screens')
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium'
const args = process.argv.slice(2)
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined

const step = (what, cmd, cmdArgs) => {
  const t0 = Date.now()
  const r = spawnSync(cmd, cmdArgs, { cwd: ROOT, stdio: 'inherit' })
  console.log(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  if (r.status !== 0) {
    console.log('0 passed, 1 failed')
    process.exit(1)
  }
}

if (!args.includes('--no-build')) {
  step('docs-check', process.execPath, ['--import', 'tsx', 'docs/tools/docs-check.ts', 'docs'])
  step('vitepress build', process.execPath, [join(ROOT, 'node_modules/vitepress/bin/vitepress.js'), 'build', 'docs'])
}
if (!existsSync(CHROMIUM)) {
  console.error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM)`)
  console.log('0 passed, 1 failed')
  process.exit(1)
}

// ---------------------------------------------------------------- static server

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.woff2': 'font/woff2', '.ico': 'image/x-icon', '.txt': 'text/plain' }

/** URL path -> file in dist, as a static host serves a VitePress build: /, /x and /x.html all work. */
const fileOf = (urlPath) => {
  let p = decodeURIComponent(urlPath.split('?')[0].split('#')[0])
  if (p.endsWith('/')) p += 'index.html'
  const full = resolve(DIST, '.' + p)
  if (!full.startsWith(DIST + sep) && full !== DIST) return undefined
  for (const c of [full, full + '.html']) if (existsSync(c) && statSync(c).isFile()) return c
  return undefined
}

const server = createServer((req, res) => {
  const f = fileOf(req.url ?? '/')
  if (f === undefined) {
    res.writeHead(404, { 'content-type': 'text/html' })
    res.end(existsSync(join(DIST, '404.html')) ? readFileSync(join(DIST, '404.html')) : 'not found')
    return
  }
  res.writeHead(200, { 'content-type': TYPES[extname(f)] ?? 'application/octet-stream' })
  createReadStream(f).pipe(res)
})
await new Promise((ok) => server.listen(0, '127.0.0.1', ok))
const ORIGIN = `http://127.0.0.1:${server.address().port}`

// ---------------------------------------------------------------- pages

const walk = (d) => readdirSync(d).flatMap((f) => {
  const p = join(d, f)
  return statSync(p).isDirectory() ? (f === 'assets' ? [] : walk(p)) : f.endsWith('.html') && f !== '404.html' ? [p] : []
})
const pages = walk(DIST).map((f) => '/' + relative(DIST, f).split(sep).join('/')).sort()
  .filter((p) => only === undefined || p.includes(only))

/** Ids on a page, read from its HTML (for #fragment links into other pages). */
const idCache = new Map()
const idsOf = (path) => {
  if (!idCache.has(path)) {
    const f = fileOf(path)
    idCache.set(path, f === undefined ? undefined : new Set([...readFileSync(f, 'utf8').matchAll(/\sid="([^"]+)"/g)].map((m) => m[1])))
  }
  return idCache.get(path)
}

// Runs in the page: what a reader would see that is wrong.
const inspect = async () => {
  const problems = []
  const doc = document.querySelector('.vp-doc') ?? document.body
  // Raw TeX: the text of the page without rendered math, code and scripts.
  const clone = doc.cloneNode(true)
  clone.querySelectorAll('mjx-container, pre, code, script, style, .katex').forEach((e) => e.remove())
  const text = clone.textContent ?? ''
  const tex = text.match(/\$\$|\\(?:frac|begin|end|mathrm|operatorname|partial|sum|sqrt|hat|left|right|cdot|odot|text|mathbb|lvert|rvert)\b|\\[()[\]]/)
  if (tex) {
    const i = text.indexOf(tex[0])
    problems.push(`raw TeX on the page: ${JSON.stringify(text.slice(Math.max(0, i - 40), i + 40).replace(/\s+/g, ' '))}`)
  }
  // MathJax marks a TeX error as an merror node and an undefined macro as red text (its noundefined package).
  const merror = doc.querySelectorAll('mjx-container [data-mml-node="merror"], mjx-container [data-mjx-error], mjx-container g[data-mml-node="mtext"][fill="red"]')
  if (merror.length > 0) {
    const m = merror[0].closest('mjx-container')
    problems.push(`${merror.length} TeX error(s) in rendered math: ${JSON.stringify(merror[0].getAttribute('data-mjx-error') ?? m?.getAttribute('aria-label') ?? 'undefined macro (red text)')}`)
  }
  for (const m of doc.querySelectorAll('mjx-container')) {
    const r = m.getBoundingClientRect()
    if (r.width === 0 || r.height === 0) { problems.push(`rendered math of zero size: ${JSON.stringify((m.getAttribute('aria-label') ?? m.textContent ?? '').slice(0, 60))}`); break }
  }
  // Figures: every img loaded, with a size.
  const imgs = [...document.querySelectorAll('img')]
  for (const img of imgs) {
    img.loading = 'eager'
    if (!img.complete) await new Promise((ok) => { img.addEventListener('load', ok, { once: true }); img.addEventListener('error', ok, { once: true }); setTimeout(ok, 5000) })
    const r = img.getBoundingClientRect()
    if (!img.complete || img.naturalWidth === 0 || r.width === 0 || r.height === 0) problems.push(`figure not shown: ${img.getAttribute('src')} (complete ${img.complete}, natural width ${img.naturalWidth}, box ${Math.round(r.width)} x ${Math.round(r.height)})`)
  }
  const links = [...document.querySelectorAll('a[href]')].map((a) => a.href)
  return { problems, links, math: doc.querySelectorAll('mjx-container').length, figures: imgs.length, title: document.title }
}

const profile = mkdtempSync(join(tmpdir(), 'docs-test-chromium-'))
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--disable-quic', '--no-first-run'],
  viewport: { width: 1280, height: 900 },
})
const local = (u) => u.startsWith(ORIGIN) || u.startsWith('data:') || u.startsWith('blob:')
await context.route('**/*', (route) => (local(route.request().url()) ? route.continue() : route.abort()))

rmSync(SCREENS, { recursive: true, force: true })
mkdirSync(SCREENS, { recursive: true })
/** One page: its problems (empty when it passes) and what it holds. */
const visit = async (path) => {
  const page = await context.newPage()
  const problems = []
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`) })
  page.on('pageerror', (e) => problems.push(`uncaught exception: ${e.message}`))
  page.on('requestfailed', (r) => { if (r.url().startsWith(ORIGIN)) problems.push(`request failed: ${r.url().slice(ORIGIN.length)} (${r.failure()?.errorText})`) })
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url().startsWith(ORIGIN) ? r.url().slice(ORIGIN.length) : r.url()}`) })
  page.on('request', (r) => { if (!local(r.url())) problems.push(`request off 127.0.0.1 (blocked): ${r.url()}`) })
  try {
    await page.goto(ORIGIN + path, { waitUntil: 'networkidle', timeout: 30000 })
    const r = await page.evaluate(inspect)
    problems.push(...r.problems)
    for (const href of new Set(r.links)) {
      if (!href.startsWith(ORIGIN)) continue
      const u = new URL(href)
      const target = u.pathname === new URL(ORIGIN + path).pathname ? path : u.pathname
      const ids = idsOf(target)
      if (ids === undefined) { problems.push(`broken link: ${href.slice(ORIGIN.length)} (no such page)`); continue }
      const frag = decodeURIComponent(u.hash.slice(1))
      if (frag !== '' && !ids.has(frag)) problems.push(`broken link: ${href.slice(ORIGIN.length)} (no element with id "${frag}")`)
    }
    const name = path.replace(/^\//, '').replace(/\.html$/, '').replace(/\//g, '_') || 'index'
    await page.screenshot({ path: join(SCREENS, `${name}.png`), fullPage: true })
    await page.close()
    return { path, problems: [...new Set(problems)], note: `${r.math} math, ${r.figures} figures` }
  } catch (e) {
    await page.close()
    return { path, problems: [...new Set(problems), e.message.split('\n')[0]], note: '' }
  }
}

// Two pages at a time (this is a 2-core machine); results are printed in page order.
const t0 = Date.now()
const results = new Array(pages.length)
let next = 0
await Promise.all(Array.from({ length: Math.min(2, pages.length) }, async () => {
  while (next < pages.length) {
    const i = next++
    results[i] = await visit(pages[i])
  }
}))
let passed = 0, failed = 0
for (const r of results) {
  if (r.problems.length === 0) {
    passed++
    console.log(`ok    ${r.path}  (${r.note})`)
  } else {
    failed++
    console.log(`FAIL  ${r.path}`)
    for (const p of r.problems) console.log(`        ${p}`)
  }
}
await context.close()
server.close()
rmSync(profile, { recursive: true, force: true })
console.log(`browser: ${pages.length} pages in ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in ${relative(ROOT, SCREENS)}/`)
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed > 0 || pages.length === 0 ? 1 : 0)
