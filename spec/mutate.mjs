#!/usr/bin/env node
// Mutation check: every law must be able to fail. Each spec/**/mutations.json
// lists planted bugs: {"file", "find", "replace", "spec", "why"}. For each, this
// script applies the edit to a copy of the tree's file, runs the named spec,
// expects it to FAIL, and restores the file. A mutation that leaves the spec
// green is a law that guards nothing; the script exits 1 naming it.
// Usage: node spec/mutate.mjs [filter]     (filter: substring of the mutations file path)
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const filter = process.argv[2] ?? ''
const walk = (d) => readdirSync(d).flatMap((f) => {
  const p = join(d, f)
  return statSync(p).isDirectory() ? walk(p) : f === 'mutations.json' ? [p] : []
})
const files = walk('spec').filter((p) => p.includes(filter))
let survived = 0, killed = 0
for (const mf of files) {
  for (const m of JSON.parse(readFileSync(mf, 'utf8'))) {
    const original = readFileSync(m.file, 'utf8')
    if (!original.includes(m.find)) { console.log(`? ${m.file}: text not found: ${m.find}`); survived++; continue }
    writeFileSync(m.file, original.replace(m.find, m.replace))
    try {
      const r = spawnSync(process.execPath, ['--import', 'tsx', m.spec], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } })
      // uvu exits non-zero when a test fails (and so does a spec that cannot load);
      // the exit status alone decides, so no printed text can fake a kill.
      if (r.status !== 0) { killed++; console.log(`killed   ${m.file}: ${m.why}`) }
      else { survived++; console.log(`SURVIVED ${m.file}: ${m.why}`) }
    } finally {
      writeFileSync(m.file, original)
    }
  }
}
console.log(`${killed} killed, ${survived} survived`)
process.exit(survived > 0 ? 1 : 0)
