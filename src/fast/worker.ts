/**
 * One worker of ./threads.ts's pool: waits on its control word, takes the
 * message the caller posted, runs that range of the named kernel, reports.
 *
 * After each range it runs a minor collection of its own (young) heap. The
 * message's shared arrays are wrappers this isolate made for the caller's
 * SharedArrayBuffers, and V8 does not count shared memory toward a
 * collection: left to itself this isolate, which allocates almost nothing,
 * would keep every array it was ever sent alive (measured: 10 GB after 300
 * calls on 32 MB arrays). A minor collection of a nearly empty young
 * generation costs about 40 us. `gc` is reached through a fresh context
 * with --expose-gc set only for the moment it takes to make it.
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { RANGE_KERNELS } from './range-kernels.ts'
import { CONTROL } from './threads.ts'

const { SEQ, DONE, STATUS, READY } = CONTROL

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as (o?: { type: 'minor' | 'major' }) => void
setFlagsFromString('--no-expose-gc')

const { ctrl, port } = workerData as { ctrl: Int32Array; port: import('node:worker_threads').MessagePort }
const byName = new Map(RANGE_KERNELS.map((k) => [k.name, k]))

/**
 * How long a worker watches its control word before it sleeps in
 * Atomics.wait, ms. Calls of a loop come back to back (the benchmark's runs
 * one event-loop turn apart), and a worker asleep on an idle virtual CPU
 * here sometimes woke a whole half-run late: runs of 10.7-11.3 ms of cross
 * entropy whose CPU time equalled their wall time (one thread at a time)
 * among runs of 5.5-6. Watching for 1 ms after each range cut them from 11
 * to 3 of 32 counted runs in four traced benchmark runs each way
 * (docs/performance.md, session 8), at the price of up to 1 ms of one core
 * after the last call of a burst, as OpenMP's default wait policy does for
 * PyTorch.
 */
const WATCH_MS = 1

/** Returns once SEQ moves past `seen` or WATCH_MS have gone by. */
const watchFor = (seen: number): void => {
  const end = performance.now() + WATCH_MS
  while (Atomics.load(ctrl, SEQ) === seen && performance.now() < end) { /* the next range may come at once */ }
}

Atomics.store(ctrl, READY, 1)
let seq = 0
for (;;) {
  watchFor(seq)
  Atomics.wait(ctrl, SEQ, seq)
  seq = Atomics.load(ctrl, SEQ)
  try {
    const m = receiveMessageOnPort(port)?.message as { kernel: string; args: never; lo: number; hi: number } | undefined
    const k = m === undefined ? undefined : byName.get(m.kernel)
    if (m === undefined || k === undefined) Atomics.store(ctrl, STATUS, 1)
    else k.run(m.args, m.lo, m.hi)
  } catch {
    Atomics.store(ctrl, STATUS, 1)
  }
  Atomics.store(ctrl, DONE, seq)
  Atomics.notify(ctrl, DONE)
  gc({ type: 'minor' })
}
