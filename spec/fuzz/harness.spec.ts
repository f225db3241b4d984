/**
 * The fuzz harness under fire (src/fuzz/impl.ts): every hostile
 * implementation ends within 30 s with the right exit status, a message naming
 * what happened, and no process left behind. Timeouts are short (0.3-2 s) to
 * keep the spec fast; the 30 s bound is the ceiling each run is held to.
 */
import { spawnSync } from 'node:child_process'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { fuzzCommand } from '../../src/cli/fuzz.ts'
import { EXAMPLE, dir, hostile, survivors } from './hostile.ts'
import { join } from 'node:path'
import { writeFileSync } from 'node:fs'

const test = suite('fuzz harness: hostile implementations')

/** Run `nn-oracle fuzz` in this process, capturing what it prints. */
const fuzzCli = async (argv: string[]): Promise<{ code: number; out: string; ms: number }> => {
  const lines: string[] = []
  const log = console.log, error = console.error
  console.log = (...a: unknown[]) => { lines.push(a.join(' ')) }
  console.error = (...a: unknown[]) => { lines.push(a.join(' ')) }
  const t0 = Date.now()
  try {
    const code = await fuzzCommand(argv)
    return { code, out: lines.join('\n'), ms: Date.now() - t0 }
  } finally { console.log = log; console.error = error }
}

const hostileRun = async (mode: string, after: number, expectCode: number, expectText: string, extra: string[] = []) => {
  const h = hostile(mode, after)
  const r = await fuzzCli(['--impl', h.command, '--op', 'relu', '--runs', '6', '--seed', '1', '--timeout', '2', ...extra])
  assert.is(r.code, expectCode, `${mode}: exit ${r.code}\n${r.out}`)
  assert.match(r.out, expectText, `${mode}: ${r.out}`)
  assert.ok(r.ms < 30000, `${mode} took ${r.ms} ms`)
  assert.equal(survivors(h.pidFile), [], `${mode}: processes left behind`)
  return r
}

test('double reply: a protocol fault (exit 3), not a silent pass with restarts', async () => {
  const r = await hostileRun('double', 0, 3, 'a second reply to case "fuzz-1"')
  assert.match(r.out, 'IMPLEMENTATION FAULT after 1 cases')
})

test('a reply for another case (out of order) and a reply nobody asked for are protocol faults', async () => {
  await hostileRun('wrong-id', 1, 3, 'a reply for "other" while case "fuzz-2" was waiting (out of order')
  await hostileRun('banner', 0, 3, 'a reply for "hello" while case "fuzz-1" was waiting')
})

test('an extra line after the last reply (seen only at the close) is a fault', async () => {
  await hostileRun('late-extra', 0, 3, 'a reply arrived when no case was waiting for one: "{\\"id\\": \\"nobody\\"}"')
})

test('crash after 3 replies: a fault at case 4, not shrunk, and its replay reproduces it', async () => {
  const r = await hostileRun('crash', 3, 3, 'exited (code 3, signal null) while case "fuzz-4" was waiting')
  assert.match(r.out, 'after 4 cases')
  const replay = r.out.match(/replay: nn-oracle fuzz .* --op relu (.*)$/m)
  assert.ok(replay, r.out)
  const args = replay![1].split(' ')
  assert.equal(args.slice(0, 4), ['--seed', '1', '--runs', '4'])
  const h = hostile('crash', 3)
  const again = await fuzzCli(['--impl', h.command, '--op', 'relu', ...args])
  assert.is(again.code, 3, again.out)
  assert.match(again.out, 'while case "fuzz-4" was waiting')
})

test('hang: the per-case timeout ends it (exit 3)', async () => {
  await hostileRun('hang', 1, 3, 'did not answer within 300 ms', ['--timeout', '0.3'])
})

test('garbage and an oversized line are faults', async () => {
  await hostileRun('garbage', 2, 3, 'not JSON')
  await hostileRun('huge', 0, 3, 'longer than 67108864 bytes')
})

test('stdout closed while the implementation keeps running: a fault, and the process is ended', async () => {
  await hostileRun('stdout-closed', 1, 3, 'closed its standard output')
})

test('the leader exits early while a child it started holds the pipe: a fault, and the child is ended', async () => {
  await hostileRun('orphan-early', 2, 3, 'exited (code 0, signal null) while case "fuzz-3" was waiting')
})

test('leader exec-ed with a background child holding the pipes: the command itself exits (0, agreement), leaving nothing behind', () => {
  const pidFile = join(dir, 'pids-orphan-holder')
  writeFileSync(pidFile, '')
  const impl = `sleep 1005 & echo $! >> ${pidFile}; exec node ${EXAMPLE}`
  const t0 = Date.now()
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'fuzz', '--impl', impl, '--op', 'relu', '--runs', '5'], { encoding: 'utf8', timeout: 30000 })
  assert.is(r.status, 0, `${r.stdout}${r.stderr}${r.error ?? ''}`)
  assert.ok(Date.now() - t0 < 30000)
  assert.match(r.stdout, 'agrees with the oracle')
  assert.equal(survivors(pidFile), [], 'the background sleep was left running')
})

test('a command that does not exist is a fault with a message', async () => {
  const r = await fuzzCli(['--impl', '/nonexistent/impl --flag', '--op', 'relu', '--runs', '3', '--timeout', '2'])
  assert.is(r.code, 3)
  assert.match(r.out, 'exited (code 127')
})

test('declines are counted per reason, never a fault; declining everything is exit 4', async () => {
  const all = await fuzzCli(['--impl', `node ${EXAMPLE}`, '--op', 'softmax', '--runs', '5'])
  assert.is(all.code, 4, all.out)
  assert.match(all.out, 'declined 5: op softmax is not implemented here')
})

test.run()
