#!/usr/bin/env node
// Runs every spec with uvu (TypeScript through tsx), passes uvu's output
// through, and ends with the line CI counts: "N passed, N failed".
// Usage: node spec/run.mjs [dir] [pattern]   (defaults: spec, \.spec\.ts$)
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const uvuBin = fileURLToPath(new URL('../node_modules/uvu/bin.js', import.meta.url))
const [dir = 'spec', pattern = '\\.spec\\.ts$'] = process.argv.slice(2)

const child = spawn(process.execPath, ['--import', 'tsx', uvuBin, dir, pattern, '--color=false'], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, FORCE_COLOR: '0' },
})
let out = ''
child.stdout.on('data', (b) => { process.stdout.write(b); out += b.toString() })
child.on('close', (code) => {
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '')
  const num = (label) => Number((plain.match(new RegExp(`${label}:\\s+(\\d+)`)) ?? [])[1] ?? NaN)
  const total = num('Total'), passed = num('Passed'), skipped = num('Skipped')
  if (Number.isNaN(total) || Number.isNaN(passed)) {
    // uvu crashed before its summary (a spec failed to import): count it as one failure.
    console.log('0 passed, 1 failed')
    process.exit(code || 1)
  }
  const failed = total - passed - (Number.isNaN(skipped) ? 0 : skipped)
  console.log(`${passed} passed, ${failed} failed`)
  process.exit(failed > 0 ? 1 : code ?? 1)
})
