/**
 * Recycling of the fast kernels' shared buffers (./shared-array.ts).
 *
 * Why: on the machines we measure, a fresh page costs about 2 us to fault in
 * (the kernel zeroes it, and under a hypervisor the host may fault it in
 * too), so writing a fresh 32 MB array costs 15 ms where writing one already
 * in use costs 1.5 ms (docs/performance.md, "Recycled memory"). The memory-bound
 * ops spend most of their time there. glibc reuses freed blocks below 32 MB
 * and PyTorch rides on that; a SharedArrayBuffer never gets it. So we keep
 * buffers of outputs nobody can reach any more and hand them out again.
 *
 * How it stays safe: a buffer handed out is a wrapper A of some memory, and
 * the pool keeps a second wrapper B of the same memory (structuredClone of a
 * SharedArrayBuffer shares, it does not copy). A FinalizationRegistry
 * watches A: only when A itself has been collected (every view of it, and
 * every reference to it, gone) does B go to the free list. Nothing a caller
 * can still reach is ever reused. A reused buffer is zeroed unless its
 * allocator promises to write every element (`whole`).
 *
 * What it costs: up to FREE_CAP bytes of idle buffers stay resident (the
 * oldest are let go first when newer ones come back), and the dead buffers
 * waiting for their finalizer. Finalizers run between tasks, so a loop that
 * never yields to the event loop (a plain synchronous training loop)
 * recycles nothing: after WATCH_CAP bytes watched with no finalizer run the
 * pool stops watching, so such a loop allocates fresh memory as before and
 * pins at most WATCH_CAP of garbage; a loop that awaits between steps
 * recycles, as far as V8's full collections keep up: the finalizers run
 * only after one, so a take that empties a large size's free list reports
 * `dry`, and the allocator asks for a collection between the calls
 * (./shared-array.ts). Results never depend on it.
 */

/**
 * Buffers below this size are neither watched nor reused: a small fresh
 * buffer costs next to nothing, and thousands of them on the free list made
 * every take slower (measured: 1.4 ms a call of max pooling, whose window
 * bounds are 128-byte arrays).
 */
export const RECYCLE_MIN = 1024 * 1024

let recycleMin = RECYCLE_MIN

/** Specs only: sets the smallest recycled size (0: all), returning the previous one, so that small shapes exercise the recycler. */
export const setRecycleMin = (bytes: number): number => {
  const was = recycleMin
  recycleMin = bytes
  return was
}

/**
 * From this size up, a take that leaves its size's free list empty while
 * other buffers of that size are still out reports `dry`, and the allocator
 * asks for a collection (./shared-array.ts `askForCollection`). Below it a
 * fresh buffer costs less than the full collection that might save it (a
 * fresh 16 MiB faults in 4096 pages: 5 ms and more here; a full collection
 * of a small heap about 1 ms).
 */
export const PRESSURE_MIN = 16 * 1024 * 1024

let pressureMin = PRESSURE_MIN

/** Specs only: sets the smallest size that reports `dry`, returning the previous one. */
export const setPressureMin = (bytes: number): number => {
  const was = pressureMin
  pressureMin = bytes
  return was
}

/** Idle buffers kept for reuse, bytes. */
export const FREE_CAP = 256 * 1024 * 1024
/** Bytes watched since the last finalizer ran, at most. */
export const WATCH_CAP = 256 * 1024 * 1024

const free = new Map<number, SharedArrayBuffer[]>()
/** Sizes of the idle buffers in the order they came back: the oldest goes first. */
const order: number[] = []
let freeBytes = 0
let sinceFinalizer = 0
let reused = 0
/** Per size, the wrappers watched and not yet finalized: buffers out with callers, or dead and not yet collected. */
const out = new Map<number, number>()
const count = (bytes: number, by: number): void => { out.set(bytes, (out.get(bytes) ?? 0) + by) }

const finalized = (b: SharedArrayBuffer): void => {
  sinceFinalizer = 0
  const bytes = b.byteLength
  count(bytes, -1)
  if (bytes > FREE_CAP) return
  while (freeBytes + bytes > FREE_CAP) { // make room: the oldest idle buffer goes (B dropped, and its memory with it)
    const old = order.shift()!
    free.get(old)!.shift()
    freeBytes -= old
  }
  const list = free.get(bytes)
  if (list === undefined) free.set(bytes, [b])
  else list.push(b)
  order.push(bytes)
  freeBytes += bytes
}

const registry = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<SharedArrayBuffer>(finalized) : undefined

/** Watches `a` (unless WATCH_CAP says finalizers are not running) so that its memory is recycled once `a` is unreachable. */
const watch = (a: SharedArrayBuffer, b: () => SharedArrayBuffer): void => {
  if (registry === undefined || sinceFinalizer + a.byteLength > WATCH_CAP) return
  registry.register(a, b())
  count(a.byteLength, 1)
  sinceFinalizer += a.byteLength
}

/**
 * Whether a take of `bytes` left the free list dry while the pool still
 * watches another buffer of that size, one that may be dead and waiting for a
 * full collection to come back (the one just handed out is watched too: so
 * more than one).
 */
const dryAfter = (bytes: number): boolean =>
  bytes >= pressureMin && (free.get(bytes)?.length ?? 0) === 0 && (out.get(bytes) ?? 0) > 1

/**
 * A shared buffer of `bytes` bytes: a recycled one (contents unspecified:
 * the caller zeroes it or overwrites it) with `reused` true, else a fresh
 * zeroed one. Either way watched for recycling, from RECYCLE_MIN bytes up;
 * `dry` as `dryAfter` says.
 */
export const takeBuffer = (bytes: number): { readonly buffer: SharedArrayBuffer; readonly reused: boolean; readonly dry: boolean } => {
  if (bytes < recycleMin) return { buffer: new SharedArrayBuffer(bytes), reused: false, dry: false }
  const list = free.get(bytes)
  const b = list?.pop()
  if (b !== undefined) {
    order.splice(order.lastIndexOf(bytes), 1)
    freeBytes -= bytes
    reused++
    const a = structuredClone(b)
    watch(a, () => b)
    return { buffer: a, reused: true, dry: dryAfter(bytes) }
  }
  const a = new SharedArrayBuffer(bytes)
  watch(a, () => structuredClone(a))
  return { buffer: a, reused: false, dry: dryAfter(bytes) }
}

/** What the pool holds now and how many buffers it has handed out again: for the specs and the benchmark. */
export const bufferPoolStatus = (): { readonly freeBytes: number; readonly reused: number } => ({ freeBytes, reused })
