/**
 * Both cores (or all of them) for the memory-bound fast kernels.
 *
 * A fast op that splits into independent ranges (elements, rows, channels,
 * planes) describes one range as a `RangeKernel`: a named function that reads
 * its arguments and writes only its own range of its outputs. `parallelFor`
 * cuts [0, units) into one contiguous part per thread, hands parts 1.. to
 * worker threads and runs part 0 itself, then waits for the others. The
 * call stays synchronous and pure: no caller sees a worker.
 *
 * Why the result cannot depend on the thread count: every unit is computed
 * by the same code, reading the same values in the same order, whichever
 * thread runs it, and no sum crosses a unit boundary (a reduction across
 * units, such as layer norm's dgamma over rows, is a kernel of its own over
 * the other axis). So the parallel result is the serial one to the bit, and
 * spec/fast/threads.spec.ts asserts exactly that on random shapes.
 *
 * When it runs serially instead (no worse than before, same bits):
 *   - the work is below `MIN_WORK` elements (a hand-off costs 10-50 us);
 *   - some argument array is not on a SharedArrayBuffer (a worker cannot
 *     see an ordinary ArrayBuffer; ./shared-array.ts allocates the shared
 *     ones, and every fast op's outputs are shared from that size up);
 *   - no worker is ready yet (they start on first use, in the background),
 *     or there is no node:worker_threads (a browser), or NN_ORACLE_THREADS=1.
 *
 * The hand-off: one MessagePort per worker carries {kernel, args, lo, hi}
 * (shared arrays travel as references, numbers by value); a shared Int32
 * control word wakes the worker (Atomics.notify), which takes the message
 * with receiveMessageOnPort, runs the range, stores its sequence number in
 * DONE and notifies; the caller blocks in Atomics.wait until every part is
 * done. A worker that fails (an exception, a kernel it does not know)
 * reports it in STATUS; the caller then runs that part itself, which is
 * safe because every kernel writes its range whole (none accumulates into
 * memory it did not first set), and stops using the pool.
 */

/** One range of an op's work: reads `args`, writes units [lo, hi) of its outputs, nothing else. */
export interface RangeKernel<A> {
  readonly name: string
  readonly run: (args: A, lo: number, hi: number) => void
}

/**
 * A kernel's arguments: one object of typed arrays (shared, for the call to go
 * parallel) and plain numbers; it crosses to a worker by structured clone.
 */
export const rangeKernel = <A extends object>(name: string, run: (args: A, lo: number, hi: number) => void): RangeKernel<A> => ({ name, run })

/** Below this many elements touched, one thread: the hand-off (10-50 us) would cost more than it saves. */
export const MIN_WORK = 1 << 16

let minWork = MIN_WORK

/** The threshold now in force (`MIN_WORK` unless a spec lowered it). */
export const workThreshold = (): number => minWork

/**
 * Sets the threshold, returning the previous one: the specs lower it to 1 so
 * that the parallel path runs on small random shapes. Like the reference
 * switch of ./mode.ts, a process-wide setting read per call.
 */
export const setWorkThreshold = (n: number): number => {
  const was = minWork
  minWork = n
  return was
}

// Control words, one Int32Array per worker.
const SEQ = 0, DONE = 1, STATUS = 2, READY = 3

interface Worker {
  readonly ctrl: Int32Array
  readonly port: { postMessage: (m: unknown) => void }
}

interface Pool { readonly workers: readonly Worker[]; broken: boolean; seq: number; dispatches: number }

type WorkerThreads = typeof import('node:worker_threads')
type Os = typeof import('node:os')

const builtin = <T>(id: string): T | undefined => {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  return p?.getBuiltinModule?.(id) as T | undefined
}

/**
 * Threads in all (the caller's included): NN_ORACLE_THREADS when set (1 turns
 * the pool off), else the machine's available parallelism, at most 8 (the
 * memory-bound kernels stop scaling well before that).
 */
export const threadCount = (): number => {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.NN_ORACLE_THREADS
  if (env !== undefined && env !== '') {
    const t = Number(env)
    return Number.isInteger(t) && t >= 1 ? Math.min(t, 64) : 1
  }
  const os = builtin<Os>('node:os')
  return Math.max(1, Math.min(8, os?.availableParallelism?.() ?? 1))
}

/** Whether this process can run the pool at all (large arrays are shared either way: ./shared-array.ts recycles them). */
export const poolPossible: boolean = typeof SharedArrayBuffer === 'function' && typeof Atomics === 'object' &&
  builtin<WorkerThreads>('node:worker_threads')?.isMainThread === true && threadCount() > 1

let pool: Pool | undefined

/**
 * The worker module beside this one: worker.js in the compiled build. Under
 * tsx (the specs, the CLI from source) it is worker.ts, and a worker does not
 * inherit tsx's loader hooks on Node 20, so a two-line bootstrap registers
 * them first (tsx is then a devDependency in use, never a runtime one).
 */
const spawnWorker = (wt: WorkerThreads, options: import('node:worker_threads').WorkerOptions) => {
  if (!import.meta.url.endsWith('.ts')) return new wt.Worker(new URL('./worker.js', import.meta.url), options)
  const tsx = import.meta.resolve('tsx/esm/api'), entry = new URL('./worker.ts', import.meta.url).href
  return new wt.Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}) })`, { ...options, eval: true })
}

const startPool = (): Pool => {
  const wt = builtin<WorkerThreads>('node:worker_threads')!
  const workers: Worker[] = []
  for (let i = 1; i < threadCount(); i++) {
    const ctrl = new Int32Array(new SharedArrayBuffer(16))
    const { port1, port2 } = new wt.MessageChannel()
    const w = spawnWorker(wt, { workerData: { ctrl, port: port2 }, transferList: [port2] })
    w.unref() // an idle pool never keeps the process alive
    port1.unref()
    // A worker that could not start (a missing file, a loader error) never sets READY: the pool only skips it.
    w.on('error', () => { Atomics.store(ctrl, READY, 0) })
    workers.push({ ctrl, port: port1 })
  }
  return { workers, broken: false, seq: 0, dispatches: 0 }
}

/** The pool, started on first call (its workers become ready in the background); undefined where it cannot run. */
const getPool = (): Pool | undefined => {
  if (!poolPossible) return undefined
  pool ??= startPool()
  return pool.broken ? undefined : pool
}

/** Resolves once every worker is ready (true), or false when there is no pool. For benchmarks and specs. */
export const poolReady = async (timeoutMs = 10_000): Promise<boolean> => {
  const p = getPool()
  if (p === undefined) return false
  const start = Date.now()
  while (!p.workers.every((w) => Atomics.load(w.ctrl, READY) === 1)) {
    if (Date.now() - start > timeoutMs) return false
    await new Promise((r) => setTimeout(r, 5))
  }
  return true
}

let reverseParts = 0

/**
 * Specs only: with n > 1, every call that would go parallel is cut into n
 * parts that run on the calling thread, last part first. That is a schedule
 * the pool can produce (a worker done before the caller starts), made
 * deterministic: a kernel whose parts are not independent, or a caller that
 * splits one that is not, gives other bits than one thread. 0 turns it off;
 * returns the previous setting.
 */
export const setReverseParts = (n: number): number => {
  const was = reverseParts
  reverseParts = n
  return was
}

/** Whether the pool runs, is broken (a worker failed a range), and how many calls it has split: what the specs check. */
export const poolStatus = (): { readonly running: boolean; readonly broken: boolean; readonly dispatches: number } =>
  ({ running: pool !== undefined, broken: pool?.broken ?? false, dispatches: pool?.dispatches ?? 0 })

/** Where part i of `parts` contiguous parts of [0, units) starts. */
const bound = (i: number, units: number, parts: number): number => Math.floor((i * units) / parts)

const shareable = (v: unknown): boolean =>
  !(v instanceof Float64Array || v instanceof Int32Array) || v.buffer instanceof SharedArrayBuffer

/**
 * Runs `k` over units [0, units), in parallel when it pays and is possible,
 * else serially; `work` is the number of elements the call touches (what
 * decides whether the hand-off pays). Returns once every unit is done.
 */
export const parallelFor = <A extends object>(k: RangeKernel<A>, args: A, units: number, work: number): void => {
  if (reverseParts > 1 && work >= minWork && units > 1) {
    for (let i = reverseParts - 1; i >= 0; i--) k.run(args, bound(i, units, reverseParts), bound(i + 1, units, reverseParts))
    return
  }
  const p = work >= minWork && units > 1 ? getPool() : undefined
  const ready = p === undefined ? [] : p.workers.filter((w) => Atomics.load(w.ctrl, READY) === 1)
  if (p === undefined || ready.length === 0 || !Object.values(args).every(shareable)) { k.run(args, 0, units); return }
  const parts = Math.min(ready.length + 1, units)
  const cut = (i: number): number => bound(i, units, parts)
  const seq = ++p.seq
  p.dispatches++
  for (let i = 1; i < parts; i++) {
    const w = ready[i - 1]
    w.port.postMessage({ kernel: k.name, args, lo: cut(i), hi: cut(i + 1) })
    Atomics.store(w.ctrl, STATUS, 0)
    Atomics.store(w.ctrl, SEQ, seq)
    Atomics.notify(w.ctrl, SEQ)
  }
  k.run(args, 0, cut(1))
  for (let i = 1; i < parts; i++) {
    const w = ready[i - 1]
    for (;;) {
      const d = Atomics.load(w.ctrl, DONE)
      if (d === seq) break
      Atomics.wait(w.ctrl, DONE, d)
    }
    if (Atomics.load(w.ctrl, STATUS) !== 0) { // the worker could not run its part: run it here, and stop using the pool
      p.broken = true
      k.run(args, cut(i), cut(i + 1))
    }
  }
}

/** The control-word layout, for ./worker.ts. */
export const CONTROL = { SEQ, DONE, STATUS, READY } as const
