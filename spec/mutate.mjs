#!/usr/bin/env node
// Mutation check: every law must be able to fail. Each spec/**/mutations.json
// lists planted bugs: {"file", "find", "replace", "spec", "why"}. For each, this
// script applies the edit in a temporary copy of the repository (never in the
// working tree, so an interrupted run leaves no planted bug behind and
// several runs can go on at once), runs the named spec there, and expects it
// to FAIL. A mutation that leaves the spec green is a law that guards nothing;
// a `find` text that does not occur exactly once is a stale entry. Either makes
// the script exit 1, naming it.
//
// Usage: node spec/mutate.mjs [--sample K/N] [filter]
//   filter      substring of the mutations file path (e.g. "normalization")
//   --sample    run only mutations whose running index i has i % N === K
//               (CI shards or samples with it; every entry is still checked
//               for a stale `find`)
import { spawn } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const args = process.argv.slice(2)
let sample = [0, 1]
const si = args.indexOf('--sample')
if (si >= 0) { sample = args[si + 1].split('/').map(Number); args.splice(si, 2) }
const jobsAt = args.indexOf('--jobs')
let jobs = 2
if (jobsAt >= 0) { jobs = Number(args[jobsAt + 1]); args.splice(jobsAt, 2) }
const filter = args[0] ?? ''

const root = resolve(new URL('..', import.meta.url).pathname)
const walk = (d) => readdirSync(d).flatMap((f) => {
  const p = join(d, f)
  return statSync(p).isDirectory() ? walk(p) : f === 'mutations.json' ? [p] : []
})

/** Every mutation with the number of times its `find` text occurs in its file. */
export const loadMutations = (dir = root) =>
  walk(join(dir, 'spec')).flatMap((mf) => JSON.parse(readFileSync(mf, 'utf8')).map((m) => {
    let count = 0
    try {
      const text = readFileSync(join(dir, m.file), 'utf8')
      for (let at = text.indexOf(m.find); at >= 0; at = text.indexOf(m.find, at + 1)) count++
    } catch { count = -1 }
    return { ...m, source: mf.slice(dir.length + 1), occurrences: count }
  }))

/** A private copy of the tree (sources only; node_modules linked, not copied). */
const copyTree = () => {
  const dir = mkdtempSync(join(tmpdir(), 'nn-oracle-mutate-'))
  for (const f of readdirSync(root)) {
    if (f === 'node_modules' || f === '.git' || f === 'dist' || f === 'docs') continue
    cpSync(join(root, f), join(dir, f), { recursive: true })
  }
  // docs: only what specs read (tools, examples, generated pages), not the built site.
  cpSync(join(root, 'docs'), join(dir, 'docs'), {
    recursive: true,
    filter: (p) => !p.includes(`${join('docs', '.vitepress', 'cache')}`) && !p.includes(`${join('docs', '.vitepress', 'dist')}`),
  })
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'))
  return dir
}

const runSpec = (dir, spec) => new Promise((done) => {
  const child = spawn(process.execPath, ['--import', 'tsx', spec], { cwd: dir, stdio: 'ignore', env: { ...process.env, FORCE_COLOR: '0' } })
  // A planted bug may make a law loop; a spec that has not finished in 10 minutes counts as killed by timeout.
  const timer = setTimeout(() => child.kill('SIGKILL'), 600_000)
  child.on('close', (code) => { clearTimeout(timer); done(code) })
})

const main = async () => {
  const all = loadMutations().filter((m) => m.source.includes(filter))
  let survived = 0, killed = 0, stale = 0
  for (const m of all) {
    if (m.occurrences !== 1) {
      stale++
      console.log(`STALE    ${m.source}: ${m.file}: the find text occurs ${m.occurrences} times (must be exactly once): ${JSON.stringify(m.find).slice(0, 100)}`)
    }
  }
  const chosen = all.filter((m, i) => m.occurrences === 1 && i % sample[1] === sample[0])
  // One private copy per worker; each restores its file after every mutation.
  const queue = [...chosen]
  const worker = async () => {
    const dir = copyTree()
    try {
      for (let m = queue.shift(); m !== undefined; m = queue.shift()) {
        const file = join(dir, m.file)
        const original = readFileSync(file, 'utf8')
        writeFileSync(file, original.replace(m.find, m.replace))
        try {
          // uvu exits non-zero when a test fails (and so does a spec that cannot
          // load); the exit status alone decides, so no printed text can fake a kill.
          const code = await runSpec(dir, m.spec)
          if (code !== 0) { killed++; console.log(`killed   ${m.file}: ${m.why}`) }
          else { survived++; console.log(`SURVIVED ${m.file}: ${m.why} (${m.source})`) }
        } finally {
          writeFileSync(file, original)
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker))
  console.log(`${killed} killed, ${survived} survived, ${stale} stale`)
  process.exit(survived > 0 || stale > 0 ? 1 : 0)
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) await main()
