/**
 * Hostile implementations for the fuzz harness specs, written as small node
 * scripts into a temporary directory. Each answers relu cases correctly until
 * it turns hostile, and appends its pid (and those of any children it starts)
 * to a pid file, so a spec can check that nothing is left running.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { scratchDir } from '../support/scratch.ts'

export const dir = scratchDir('nn-oracle-hostile-')
export const EXAMPLE = resolve('docs/examples/impl/impl.mjs')

const HOSTILE = `
import { appendFileSync, closeSync } from 'node:fs'
import { spawn } from 'node:child_process'
const [mode, afterText, pidFile] = process.argv.slice(2)
const after = Number(afterText)
appendFileSync(pidFile, process.pid + '\\n')
const out = (s) => process.stdout.write(s)
const answer = (c) => JSON.stringify({ id: c.id, outputs: { y: { dtype: 'float64', shape: c.inputs.x.shape, data: c.inputs.x.data.map((v) => (v > 0 ? v : 0)) } },
  gradients: { x: { dtype: 'float64', shape: c.inputs.x.shape, data: c.inputs.x.data.map((v, i) => (v > 0 ? c.cotangents.y.data[i] : 0)) } } }) + '\\n'
if (mode === 'banner') out('{"id": "hello"}\\n')
if (mode === 'orphan-early') {
  const child = spawn('sleep', ['1005'], { stdio: ['ignore', 'inherit', 'inherit'] })
  appendFileSync(pidFile, child.pid + '\\n')
}
let seen = 0, buf = ''
process.stdin.on('data', (b) => {
  buf += b
  let nl
  while ((nl = buf.indexOf('\\n')) >= 0) {
    const c = JSON.parse(buf.slice(0, nl)); buf = buf.slice(nl + 1)
    if (seen++ < after) { out(answer(c)); continue }
    switch (mode) {
      case 'double': out(answer(c) + answer(c)); break
      case 'crash': process.exit(3)
      case 'orphan-early': process.exit(0)
      case 'hang': break
      case 'garbage': out('this is not json\\n'); break
      case 'wrong-id': out(answer({ ...c, id: 'other' })); break
      case 'huge': out('['.repeat(65 * 1024 * 1024)); break
      case 'stdout-closed': closeSync(1); setInterval(() => {}, 1000); break
      case 'late-extra': out(answer(c)); break
      default: out(answer(c))
    }
  }
})
process.stdin.on('end', () => { if (mode === 'late-extra') out('{"id": "nobody"}\\n') })
`

export const hostileScript = join(dir, 'hostile.mjs')
writeFileSync(hostileScript, HOSTILE)

let counter = 0
/** A fresh pid file and the command line of a hostile implementation. */
export const hostile = (mode: string, after = 0): { command: string; pidFile: string } => {
  const pidFile = join(dir, `pids-${mode}-${++counter}`)
  writeFileSync(pidFile, '')
  return { command: `exec node ${hostileScript} ${mode} ${after} ${pidFile}`, pidFile }
}

/** The pids written to a pid file that are still alive. */
export const survivors = (pidFile: string): number[] => {
  if (!existsSync(pidFile)) return []
  return readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number).filter((pid) => {
    try { process.kill(pid, 0) } catch { return false }
    // A zombie has exited; only its parent's wait is missing.
    try { return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')) } catch { return false }
  })
}

/**
 * A proxy around the example implementation (itself a child process) that
 * corrupts the reply r when `when` (a JS expression over the case c) holds;
 * by default the last element of y is off by 0.5.
 */
export const proxy = (name: string, when: string, corrupt = 'const y = r.outputs.y.data; y[y.length - 1] += 0.5'): string => {
  const file = join(dir, `proxy-${name}.mjs`)
  writeFileSync(file, `
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
const child = spawn(process.execPath, [${JSON.stringify(EXAMPLE)}], { stdio: ['pipe', 'pipe', 'inherit'] })
const cases = new Map()
createInterface({ input: process.stdin }).on('line', (l) => { const c = JSON.parse(l); cases.set(c.id, c); child.stdin.write(l + '\\n') })
process.stdin.on('end', () => child.stdin.end())
createInterface({ input: child.stdout }).on('line', (l) => {
  const r = JSON.parse(l), c = cases.get(r.id)
  if (r.outputs && (${when})) { ${corrupt} }
  process.stdout.write(JSON.stringify(r) + '\\n')
})
`)
  return `node ${file}`
}
