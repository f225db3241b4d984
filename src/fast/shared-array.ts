/**
 * Float64 arrays a worker thread can write: the outputs (and the caches) of
 * the fast kernels, from `MIN_WORK` elements up (./threads.ts), live on
 * SharedArrayBuffers, so that the op splits its work across threads and so
 * that the next op in a chain can too; their memory is recycled once nothing
 * can reach them (./buffer-pool.ts). To the caller they are ordinary fresh
 * Float64Arrays: same methods, same values, never aliased.
 *
 * One trap, handled here: V8 (Node 20) does not count SharedArrayBuffer
 * memory toward its collection heuristics, so a loop that drops shared
 * outputs would grow without bound until something else triggers a
 * collection (measured: 10 GB after 300 arrays of 32 MB). Each fresh shared
 * buffer is therefore paired, through a WeakMap entry that lives exactly as
 * long as the buffer, with an untouched ordinary ArrayBuffer of the same
 * length. That one V8 does count, so collections come as often as they would
 * for ordinary outputs. It is allocated uninitialized (Buffer.allocUnsafeSlow:
 * malloc, not calloc), so its pages are never touched and cost address space
 * only. A recycled buffer takes no new memory and gets none (allocating it
 * cost about 1 ms a call in the benchmark): if collections then lag, the
 * free list runs dry, and the take that empties it asks for a collection in
 * the next task (`askForCollection`); failing that, fresh buffers come with
 * their ballast, and that pressure brings the collection that refills it.
 */
import { takeBuffer } from './buffer-pool.ts'
import { workThreshold } from './threads.ts'

const ballast = new WeakMap<SharedArrayBuffer, ArrayBuffer>()

interface NodeBuffer { readonly allocUnsafeSlow?: (n: number) => { readonly buffer: ArrayBuffer } }
const nodeBuffer = (globalThis as { Buffer?: NodeBuffer }).Buffer

let poison = false

/**
 * Specs only: a reused buffer whose allocator promised to write every element
 * is filled with NaN instead of left as it was, so that a broken promise
 * shows as NaN in the results, not as last call's numbers. Returns the
 * previous setting.
 */
export const setPoison = (on: boolean): boolean => {
  const was = poison
  poison = on
  return was
}

/**
 * Untouched memory a collection request allocates and drops, bytes: far
 * enough past V8's external-memory limit that V8 starts a full collection
 * at once (traced with --trace-gc in the benchmark's loop: incremental
 * marking, finalized by a task of V8's own before the next call's take).
 */
export const PRESSURE_BYTES = 256 * 1024 * 1024

type Later = (f: () => void) => unknown
const later: Later = (globalThis as { setImmediate?: Later }).setImmediate ?? ((f) => setTimeout(f, 0))
let asked = false
let requests = 0

/**
 * Asks V8 for a full collection in the next task, once per task at most:
 * the recycler's free list for some large size ran dry while buffers of that
 * size are still out, and only a full collection tells which of them are
 * dead (./buffer-pool.ts). Without it the collection comes from the ballast
 * of fresh buffers, so the loop faults in one or two fresh buffers first,
 * every few runs (cross entropy [4096, 1000]: a run that faults takes 11-90
 * ms instead of 5.5-6). With it, the collection (about 1 ms here) runs
 * between the calls, and its finalizers hand the dead buffers back before
 * the next take. A loop that never yields runs no task: nothing changes
 * for it. The task holds no reference to anything. (Not unref'd: an unref'd
 * immediate ran too late in the benchmark's loop, and misses came back.)
 */
const askForCollection = (): void => {
  if (asked) return
  asked = true
  requests++
  later(() => {
    asked = false
    try {
      nodeBuffer!.allocUnsafeSlow!(PRESSURE_BYTES) // dropped at once: V8 counts it, then frees it at the collection it brings
    } catch {
      // no address space for it (a strict overcommit limit): no request, and the buffers come back as they did before
    }
  })
}

/** How many collections the allocator has asked for: for the specs. */
export const collectionRequests = (): number => requests

const sharedArray = (n: number, whole: boolean): Float64Array => {
  const { buffer, reused, dry } = takeBuffer(n * 8)
  if (dry) askForCollection()
  if (!reused) ballast.set(buffer, nodeBuffer!.allocUnsafeSlow!(Math.max(n * 8, 1)).buffer)
  const a = new Float64Array(buffer)
  if (reused && !whole) a.fill(0) // a fresh array is zeroed: so is a reused one
  else if (reused && poison) a.fill(NaN)
  return a
}

const canShare = typeof SharedArrayBuffer === 'function' && nodeBuffer?.allocUnsafeSlow !== undefined

export interface AllocateOptions {
  /**
   * Elements the call touches (n itself by default): the small outputs of a
   * large call, such as per-row statistics, pass the call's size so that its
   * kernel can still go parallel.
   */
  readonly work?: number
  /** The caller's kernel writes every element: a reused buffer need not be zeroed first. */
  readonly whole?: boolean
}

/**
 * A fresh Float64Array of n elements, zeroed unless `whole`; shared (and
 * recycled) when the call it serves touches at least `workThreshold()`
 * elements and the platform has SharedArrayBuffer.
 */
export const allocate = (n: number, o: AllocateOptions = {}): Float64Array =>
  canShare && (o.work ?? n) >= workThreshold() ? sharedArray(n, o.whole === true) : new Float64Array(n)

/** `allocate` for Int32 indices. */
export const allocateInt32 = (n: number, o: AllocateOptions = {}): Int32Array =>
  canShare && (o.work ?? n) >= workThreshold() ? new Int32Array(sharedArray(Math.ceil(n / 2), o.whole === true).buffer, 0, n) : new Int32Array(n)

/**
 * `a` itself when shared, or when `allocate` would not share for `work`; else
 * a shared copy. For the small read-only arguments of a parallel kernel
 * (class indices, per-class weights, window bounds), never for a large input:
 * a copy of that would cost what the threads save, and a large input that is
 * not shared runs serially instead.
 */
export const asShared = <T extends Float64Array | Int32Array>(a: T, work: number): T => {
  if (!canShare || work < workThreshold() || a.buffer instanceof SharedArrayBuffer) return a
  const s = (a instanceof Int32Array ? allocateInt32(a.length, { work, whole: true }) : allocate(a.length, { work, whole: true })) as T
  s.set(a)
  return s
}

/**
 * out[o ...] = the float64s whose bytes are `src` (a region of a kernel's
 * WebAssembly memory: ./softmax-rows.ts `rowOut`, ./layer-norm-rows.ts
 * `backwardPair`). Into shared memory through Node's Buffer.fill; into a
 * plain array, or where there is no Buffer, through TypedArray.prototype.set.
 *
 * Why Buffer.fill: V8 copies into a SharedArrayBuffer one word at a time with
 * relaxed atomic stores (TypedArray.prototype.set, and Buffer.copy through
 * it), where fill with a byte array as long as the range is one memcpy
 * (measured, 2048 rows of 1000 out to a shared array with cross entropy's
 * kernel and scaling pass: 4.72-4.80 ms against 4.20-4.29, one thread). The
 * rows written are the caller's own, so no other thread touches those bytes.
 * A plain output takes TypedArray.prototype.set, which is memcpy there.
 */
export const copyOut = (src: Uint8Array, out: Float64Array, o: number): void => {
  const to = out.buffer instanceof SharedArrayBuffer ? byteFillOf(out.buffer) : undefined
  if (to === undefined) { out.set(new Float64Array(src.buffer, src.byteOffset, src.length / 8), o); return }
  const at = out.byteOffset + 8 * o
  to.fill(src, at, at + src.length)
}

interface ByteFill { readonly fill: (value: Uint8Array, start: number, end: number) => unknown }
const NodeBytes = (globalThis as { Buffer?: { readonly from: (b: SharedArrayBuffer) => ByteFill } }).Buffer
const byteViews = new WeakMap<SharedArrayBuffer, ByteFill>()
/** A Buffer over shared memory b, made once per buffer; undefined where there is no Buffer. */
const byteFillOf = (b: SharedArrayBuffer): ByteFill | undefined => {
  if (NodeBytes === undefined) return undefined
  let v = byteViews.get(b)
  if (v === undefined) byteViews.set(b, (v = NodeBytes.from(b)))
  return v
}
