/**
 * A channel to another implementation running as a child process: one case
 * per line on its stdin, one reply line per case on its stdout.
 *
 * Everything that comes back is untrusted. Each way it can go wrong is a
 * `Fault` value, never an exception and never a hang: the process exits or
 * cannot start, a reply takes longer than the timeout, a reply is not JSON or
 * longer than the line limit, or arrives with the wrong id. The child runs in
 * its own process group so a timeout kills it and anything it started.
 */
import { type ChildProcess, spawn } from 'node:child_process'

export type Fault =
  | { readonly kind: 'spawn'; readonly message: string }
  | { readonly kind: 'exited'; readonly code: number | null; readonly signal: string | null; readonly stderr: string }
  | { readonly kind: 'timeout'; readonly ms: number; readonly stderr: string }
  | { readonly kind: 'malformed'; readonly reason: string; readonly line: string }

export type Reply = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly fault: Fault }

export interface Impl {
  readonly request: (line: string) => Promise<Reply>
  readonly close: () => void
}

export const describeFault = (f: Fault): string => {
  const tail = (s: string) => (s.trim() ? `; its stderr ends: ${JSON.stringify(s.trim().slice(-300))}` : '')
  switch (f.kind) {
    case 'spawn': return `the implementation could not be started: ${f.message}`
    case 'exited': return `the implementation exited (code ${f.code}, signal ${f.signal}) before answering${tail(f.stderr)}`
    case 'timeout': return `the implementation did not answer within ${f.ms} ms${tail(f.stderr)}`
    case 'malformed': return `malformed reply: ${f.reason}: ${JSON.stringify(f.line.slice(0, 200))}`
  }
}

export const startImpl = (command: string, timeoutMs: number, maxLineBytes = 64 * 1024 * 1024): Impl => {
  let child: ChildProcess | undefined
  let stderr = ''
  let pending: ((r: Reply) => void) | undefined
  let dead: Fault | undefined

  const settle = (r: Reply) => { const p = pending; pending = undefined; p?.(r) }
  const kill = () => {
    if (child?.pid !== undefined && child.exitCode === null) {
      try { process.kill(-child.pid, 'SIGKILL') } catch { try { child.kill('SIGKILL') } catch { /* already gone */ } }
    }
  }
  const fault = (f: Fault) => { dead = f; kill(); settle({ ok: false, fault: f }) }

  const start = () => {
    stderr = ''; dead = undefined
    let me: ChildProcess
    try {
      me = child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'], detached: true })
    } catch (e) {
      dead = { kind: 'spawn', message: (e as Error).message }
      return
    }
    // Events of a child we have already replaced (after a fault) are ignored.
    const live = () => child === me
    me.on('error', (e) => { if (live()) fault({ kind: 'spawn', message: e.message }) })
    me.stdin!.on('error', () => { /* EPIPE: reported through 'exit' */ })
    me.stderr!.on('data', (b: Buffer) => { if (live()) stderr = (stderr + b.toString('utf8')).slice(-4096) })
    // Lines are assembled from chunks without rescanning what came before, so a
    // huge line costs linear time, and is cut off at maxLineBytes.
    let parts: Buffer[] = []
    let held = 0
    me.stdout!.on('data', (b: Buffer) => {
      if (!live() || dead !== undefined) return
      let start = 0
      for (;;) {
        const nl = b.indexOf(0x0a, start)
        const piece = b.subarray(start, nl < 0 ? b.length : nl)
        parts.push(piece)
        held += piece.length
        if (held > maxLineBytes) { fault({ kind: 'malformed', reason: `a reply line longer than ${maxLineBytes} bytes`, line: parts[0].toString('utf8', 0, 200) }); return }
        if (nl < 0) return
        const line = Buffer.concat(parts).toString('utf8')
        parts = []; held = 0
        start = nl + 1
        if (pending === undefined) { fault({ kind: 'malformed', reason: 'a line arrived when no case was waiting for one', line }); return }
        let value: unknown
        try { value = JSON.parse(line) } catch { fault({ kind: 'malformed', reason: 'not JSON', line }); return }
        settle({ ok: true, value })
      }
    })
    me.on('exit', (code, signal) => {
      if (!live()) return
      if (dead === undefined) dead = { kind: 'exited', code, signal, stderr }
      settle({ ok: false, fault: dead })
    })
  }

  return {
    request: (line) => new Promise<Reply>((resolve) => {
      if (child === undefined || dead !== undefined || child.exitCode !== null) start()
      if (dead !== undefined) { resolve({ ok: false, fault: dead }); return }
      const timer = setTimeout(() => fault({ kind: 'timeout', ms: timeoutMs, stderr }), timeoutMs)
      pending = (r) => { clearTimeout(timer); resolve(r) }
      child!.stdin!.write(line + '\n')
    }),
    close: () => {
      try { child?.stdin?.end() } catch { /* closed */ }
      const c = child
      setTimeout(() => { if (c && c.exitCode === null) { try { process.kill(-c.pid!, 'SIGKILL') } catch { /* gone */ } } }, 500).unref()
    },
  }
}
