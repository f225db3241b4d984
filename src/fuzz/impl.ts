/**
 * A channel to another implementation running as a child process: one case
 * per line on its stdin, one reply line per case on its stdout (the fuzz
 * protocol, docs/oracle.md "Differential fuzzing").
 *
 * The harness owns the implementation's whole process tree:
 *   - the command runs under /bin/sh in a new session (setsid, which also makes
 *     a new process group), so every descendant can be found and ended, even
 *     after the leader has exited (a `sleep 1005 &` that still holds the pipes);
 *   - every wait is bounded: a reply by the per-case timeout, the shutdown by a
 *     grace period, after which the whole session is killed and the pipes are
 *     destroyed, so nn-oracle itself always exits;
 *   - nn-oracle's own exit (normal, or Ctrl-C) kills what is left.
 *
 * Everything that comes back is untrusted. Each way it can go wrong is a
 * `Fault` value, never an exception and never a hang, and a fault is final:
 * the implementation is never silently restarted, so a fault cannot hide
 * behind a fresh process. Protocol faults: a reply with no case waiting
 * (unsolicited, or a duplicate of one already answered), a reply for another
 * case (out of order), a line that is not JSON or is longer than the limit, an
 * exit or a closed stdout before nn-oracle closed the implementation's stdin.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'

export type Fault =
  | { readonly kind: 'spawn'; readonly message: string }
  | { readonly kind: 'exited'; readonly code: number | null; readonly signal: string | null; readonly stderr: string; readonly during: string }
  | { readonly kind: 'timeout'; readonly ms: number; readonly stderr: string; readonly during: string }
  | { readonly kind: 'malformed'; readonly reason: string; readonly line: string }
  | { readonly kind: 'protocol'; readonly reason: string; readonly line: string }
  | { readonly kind: 'stdout-closed'; readonly stderr: string }

export type Reply = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly fault: Fault }

export interface Impl {
  /** Send one case (its id and its JSON line) and wait for the matching reply. */
  readonly request: (id: string, line: string) => Promise<Reply>
  /** End the session: close stdin, wait a bounded grace period, kill the tree. Idempotent. */
  readonly close: () => Promise<void>
  /** The first fault seen, at any time (also after the last reply, or during close). */
  readonly fault: () => Fault | undefined
  /** Cases sent so far. */
  readonly sent: () => number
}

export interface ImplOptions {
  /** Per-case reply timeout in milliseconds. */
  readonly timeoutMs: number
  /** Extra time the first case may take, for the implementation's start (an `import torch`); default 15 s. */
  readonly startupMs?: number
  readonly maxLineBytes?: number
  /** How long close() waits for the implementation to exit by itself after its stdin is closed. */
  readonly graceMs?: number
}

const tail = (s: string) => (s.trim() ? `; its stderr ends: ${JSON.stringify(s.trim().slice(-300))}` : '')

export const describeFault = (f: Fault): string => {
  switch (f.kind) {
    case 'spawn': return `the implementation could not be started: ${f.message}`
    case 'exited': return `the implementation exited (code ${f.code}, signal ${f.signal}) ${f.during}${tail(f.stderr)}`
    case 'timeout': return `the implementation did not answer within ${f.ms} ms ${f.during}${tail(f.stderr)}`
    case 'malformed': return `malformed reply: ${f.reason}: ${JSON.stringify(f.line.slice(0, 200))}`
    case 'protocol': return `protocol fault: ${f.reason}: ${JSON.stringify(f.line.slice(0, 200))}`
    case 'stdout-closed': return `the implementation closed its standard output while still running${tail(f.stderr)}`
  }
}

/** Pids of the session `sid` (Linux /proc; elsewhere only the process group is reachable). */
const sessionMembers = (sid: number): number[] => {
  let names: string[]
  try { names = readdirSync('/proc') } catch { return [] }
  const out: number[] = []
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue
    try {
      const stat = readFileSync(`/proc/${n}/stat`, 'utf8')
      // pid (comm) state ppid pgrp session ...; comm may hold spaces and parentheses.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(f[3]) === sid && f[0] !== 'Z') out.push(Number(n))
    } catch { /* gone meanwhile */ }
  }
  return out
}

/** Kill the process group and every other member of the session; synchronous, so it can run at exit. */
const killTree = (pid: number): void => {
  try { process.kill(-pid, 'SIGKILL') } catch { /* group already empty */ }
  for (const p of sessionMembers(pid)) { try { process.kill(p, 'SIGKILL') } catch { /* gone */ } }
}

const live = new Set<number>()
let exitHookInstalled = false
const installExitHook = () => {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => { for (const pid of live) killTree(pid) })
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => { for (const pid of live) killTree(pid); process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1)) })
  }
}

const sleep = (ms: number) => new Promise<void>((res) => setTimeout(res, ms))

export const startImpl = (command: string, o: ImplOptions | number): Impl => {
  const opts: ImplOptions = typeof o === 'number' ? { timeoutMs: o } : o
  const maxLineBytes = opts.maxLineBytes ?? 64 * 1024 * 1024
  const graceMs = opts.graceMs ?? 1000
  installExitHook()

  let child: ChildProcess | undefined
  let stderr = ''
  let first: Fault | undefined
  let pending: { id: string; settle: (r: Reply) => void } | undefined
  const answered = new Set<string>()
  let sent = 0
  let closing = false
  let exited = false
  let reaping = false // close() is killing what is left: those exits are ours, not faults
  let closed: Promise<void> | undefined

  const destroyPipes = () => {
    for (const s of [child?.stdin, child?.stdout, child?.stderr]) { try { s?.destroy() } catch { /* closed */ } }
  }
  const fault = (f: Fault) => {
    if (first === undefined) first = f
    if (child?.pid !== undefined) killTree(child.pid)
    destroyPipes()
    const p = pending
    pending = undefined
    p?.settle({ ok: false, fault: first })
  }
  const during = () => (pending ? `while case ${JSON.stringify(pending.id)} was waiting for its reply` : closing ? 'after its input was closed' : 'between cases, before its input was closed')

  const onLine = (line: string) => {
    if (line.trim() === '' && pending === undefined) return // a stray blank line carries nothing
    let value: unknown
    try { value = JSON.parse(line) } catch { fault({ kind: 'malformed', reason: 'not JSON', line }); return }
    const id = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { id?: unknown }).id : undefined
    const key = JSON.stringify(id) ?? 'undefined'
    if (pending === undefined) {
      fault({ kind: 'protocol', reason: answered.has(key) ? `a second reply to case ${key}` : 'a reply arrived when no case was waiting for one', line })
      return
    }
    if (id !== pending.id) {
      fault({ kind: 'protocol', reason: answered.has(key) ? `a second reply to case ${key} while case ${JSON.stringify(pending.id)} was waiting` : `a reply for ${key} while case ${JSON.stringify(pending.id)} was waiting (out of order or unsolicited)`, line })
      return
    }
    answered.add(JSON.stringify(pending.id))
    const p = pending
    pending = undefined
    p.settle({ ok: true, value })
  }

  const start = () => {
    try {
      child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'], detached: true })
    } catch (e) {
      first = { kind: 'spawn', message: (e as Error).message }
      return
    }
    const me = child
    if (me.pid !== undefined) live.add(me.pid)
    me.on('error', (e) => fault({ kind: 'spawn', message: e.message }))
    me.stdin!.on('error', () => { /* EPIPE: the exit or the closed stdout is reported instead */ })
    me.stderr!.on('data', (b: Buffer) => { stderr = (stderr + b.toString('utf8')).slice(-4096) })
    me.stderr!.on('error', () => {})
    me.stdout!.on('error', () => {})
    // Lines are assembled from chunks without rescanning what came before, so a
    // huge line costs linear time, and is cut off at maxLineBytes.
    let parts: Buffer[] = []
    let held = 0
    me.stdout!.on('data', (b: Buffer) => {
      let at = 0
      while (first === undefined) {
        const nl = b.indexOf(0x0a, at)
        const piece = b.subarray(at, nl < 0 ? b.length : nl)
        held += piece.length
        if (held > maxLineBytes) { fault({ kind: 'malformed', reason: `a reply line longer than ${maxLineBytes} bytes`, line: (parts[0] ?? piece).toString('utf8', 0, 200) }); return }
        parts.push(piece)
        if (nl < 0) return
        const line = Buffer.concat(parts).toString('utf8')
        parts = []; held = 0
        at = nl + 1
        onLine(line)
      }
    })
    me.stdout!.on('end', () => {
      if (first !== undefined || closing) return
      if (held > 0) { fault({ kind: 'malformed', reason: 'the output ended in the middle of a line', line: Buffer.concat(parts).toString('utf8', 0, 200) }); return }
      // The leader may be exiting: give its exit a moment to be the reported fault.
      setTimeout(() => { if (first === undefined && !closing) fault({ kind: 'stdout-closed', stderr }) }, 100)
    })
    me.on('exit', (code, signal) => {
      exited = true
      if (me.pid !== undefined && first === undefined && !reaping && !(closing && code === 0)) {
        // An exit before its input is closed is a fault even when no case is waiting;
        // after the close, only an unclean exit is.
        fault({ kind: 'exited', code, signal, stderr, during: during() })
      }
      // The leader is gone; its descendants may still hold the pipes: end them all.
      if (me.pid !== undefined) killTree(me.pid)
      if (!closing) destroyPipes()
    })
  }

  return {
    request: (id, line) => new Promise<Reply>((resolve) => {
      if (child === undefined && first === undefined && !closing) start()
      if (first !== undefined) { resolve({ ok: false, fault: first }); return }
      if (closing) { resolve({ ok: false, fault: { kind: 'protocol', reason: 'a case was sent after close', line: '' } }); return }
      sent++
      const ms = opts.timeoutMs + (sent === 1 ? opts.startupMs ?? 15000 : 0)
      const timer = setTimeout(() => fault({ kind: 'timeout', ms, stderr, during: during() }), ms)
      pending = { id, settle: (r) => { clearTimeout(timer); resolve(r) } }
      child!.stdin!.write(line + '\n')
    }),
    close: () => {
      if (closed) return closed
      closing = true
      closed = (async () => {
        const c = child
        if (c === undefined || c.pid === undefined) return
        try { c.stdin?.end() } catch { /* closed */ }
        // Wait (bounded) for the leader to exit by itself, reading any last lines:
        // a reply that arrives now is unsolicited, and a fault.
        const deadline = Date.now() + graceMs
        while (!exited && Date.now() < deadline) await sleep(10)
        await sleep(20) // let the last stdout chunk and the exit event be delivered
        reaping = true
        killTree(c.pid)
        destroyPipes()
        // Bounded wait until nothing of the session is left (SIGKILL cannot be ignored).
        const end = Date.now() + 2000
        while (sessionMembers(c.pid).length > 0 && Date.now() < end) { killTree(c.pid); await sleep(10) }
        live.delete(c.pid)
      })()
      return closed
    },
    fault: () => first,
    sent: () => sent,
  }
}
