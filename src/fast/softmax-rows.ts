/**
 * Softmax terms of one contiguous row in WebAssembly SIMD, two float64 lanes
 * at a time, for cross entropy's forward (./losses.ts): the max m, the terms
 * q_c = exp(x_c - m) and their sum s, the same three quantities its scalar
 * loop computes, in half the time (4096 rows of 1000, one thread: 19.4 to
 * 9.6-10 ms, copies included, when the kernel still scaled each row to p).
 * The probabilities p_c = q_c (1 / s) are not formed here: the backward
 * folds 1 / s into its own factor (./losses.ts (7)), which saves that third
 * pass over the row. The terms stay in the instance's memory (the kept row)
 * until the caller copies them out (`rowOut`), as they are for the two-pass
 * path, or scaled by one factor on the way out (`scale` below), which is how
 * the one-pass product (./losses.ts (9)) turns q into dx without storing q.
 *
 * Same values as ./exp.ts's fexp, to the bit: every lane runs fexp's own
 * operations in fexp's order (IEEE float64 in WebAssembly rounds each
 * operation to nearest, with no fused or wider intermediate), on its own
 * constants and table:
 *   (1) t = v INV_L + SHIFT, k = t - SHIFT          (k = round(v N / ln 2))
 *   (2) r = (v - k L1) - k L2                        (fexp's r with lo = 0: adding 0
 *                                                     changes at most the sign of a zero r,
 *                                                     which p(r) = 1 + r(...) does not see)
 *   (3) q = (T[j] p(r)) 2^e,  j = k mod N,  e = floor(k / N)
 * Two steps of (3) are integer operations on t's bits instead of fexp's
 * int32 arithmetic, with the same results:
 *  - t = 1.5 2^52 + k is a float64 whose significand holds 2^51 + k, so the
 *    low 32 bits of t's bits are k in two's complement (|k| < 2^31): j is
 *    their low LOG_N = 9 bits, taken per lane as an i32 and read from T.
 *  - 2^e: t's bits are B + k, B = 0x4338 2^48 (1.5 2^52's bits), as a 64-bit
 *    integer (the significand absorbs k's sign). B is a multiple of 2^9, so
 *    shifting right by 9 (logically) gives B/2^9 + floor(k / 2^9) = B/2^9 + e,
 *    and shifting that left by 52 gives e 2^52 modulo 2^64, because
 *    (B/2^9) 2^52 = B 2^43 is a multiple of 2^64 (B's lowest set bit is bit
 *    51). Two shifts: no arithmetic shift (SSE has none for 64-bit lanes,
 *    and V8's emulation of i64x2.shr_s cost an eighth of the exp pass), and
 *    no mask (a constant register fewer: the loop lost a spill, 7.3 to 6.7 ms).
 *    Added to the bits of
 *    T[j] p(r) (a normal number in [0.99, 2)) it adds e to the exponent
 *    field, which is exact multiplication by 2^e while the result stays
 *    normal: fexp's domain, v in [-708, 709], guarantees that (exp.ts (4)),
 *    and fexp's P[1100 + e] multiplication is exact there too.
 * The row is checked against that domain once: with m the row's maximum and
 * lo its minimum, fl(x - m) >= fl(lo - m) for every x (rounding is
 * monotonic), and x - m <= 0, so fl(lo - m) >= -708 puts every argument
 * inside. A row that fails (an infinite or NaN logit, or a spread above
 * 708) returns -1 and takes the scalar loop, which meets Math.exp there as
 * the reference does.
 *
 * Not the same as the scalar loop: the order of s's sum. Lane 0 sums the
 * even classes, lane 1 the odd ones, then lane 0 + lane 1, then the last
 * class of an odd row. Any order of summing c terms is within
 * g_{c-1} = (c - 1) u / (1 - (c - 1) u) of the exact sum of their
 * magnitudes (Higham, Accuracy and Stability of Numerical Algorithms, 2nd
 * ed., (4.4)), the bound the cross entropy check already takes for each side
 * (spec/fast/pointwise.spec.ts, `ceWithin`), so the order changes nothing
 * there.
 *
 * One instance per thread (each worker compiles its own, at its first row):
 * its memory holds T at byte 0 (8 N = 4096 bytes), m at byte 8 N, the row
 * from byte 8 N + 16; it grows to the longest row seen. A row is copied in
 * and its terms copied out (about 0.2 ns an element each way in cache; to
 * and from shared arrays more, see ./shared-array.ts `copyOut`): WebAssembly
 * reads only its own memory, and the inputs and outputs stay ordinary arrays.
 */
import { copyOut } from './shared-array.ts'
import { C3, C4, INV_L, L1, L2, LOG_N, N, SHIFT, T } from './exp.ts'
import { type Code, F64, I32, type Memory, V128, block, brIf, encodeModule, f64, f64x2, i32, i32x4, i64x2, instantiate, local, loop, regionBytes, ret, spanning, v128, when } from './wasm.ts'

const M_AT = 8 * N // byte offset of the row's max, after T
const ROW = M_AT + 16 // byte offset of the row (16-aligned)
/** Longer rows take the scalar loop: the kernel's byte offsets are 32-bit (2^24 classes: 128 MiB a row). */
const MAX_ROW = 2 ** 24

// locals of softmax(n): parameter 0 is n; the rest follow it (s holds the row's
// minimum until the domain check, then the sum)
const n = 0, p = 1, end = 2, v = 3, acc = 4, lo = 5, t = 6, k = 7, r = 8, q = 9, tab = 10, nan = 11, m = 12, s = 13

/** (3)'s j = k mod N as a byte offset into T, from lane `lane` (0 or 2) of t's i32 view. */
const tableAt = (lane: 0 | 2): Code => i32.shl(i32.and(i32x4.extractLane(local.get(t), lane), i32.const(N - 1)), i32.const(3))

/** q = exp(v) in both lanes, (1)-(3); v inside fexp's domain. */
const expLanes: Code[] = [
  local.set(t, f64x2.add(f64x2.mul(local.get(v), v128.f64x2(INV_L)), v128.f64x2(SHIFT))), // (1)
  local.set(k, f64x2.sub(local.get(t), v128.f64x2(SHIFT))), // (1)
  local.set(r, f64x2.sub(f64x2.sub(local.get(v), f64x2.mul(local.get(k), v128.f64x2(L1))), f64x2.mul(local.get(k), v128.f64x2(L2)))), // (2)
  local.set(q, f64x2.add(v128.f64x2(1), f64x2.mul(local.get(r), // (3): fexp's Horner form
    f64x2.add(v128.f64x2(1), f64x2.mul(local.get(r),
      f64x2.add(v128.f64x2(0.5), f64x2.mul(local.get(r),
        f64x2.add(v128.f64x2(C3), f64x2.mul(local.get(r), v128.f64x2(C4)))))))))),
  local.set(tab, v128.load64Lane(tableAt(0), local.get(tab), 0)),
  local.set(tab, v128.load64Lane(tableAt(2), local.get(tab), 1)),
  local.set(q, i64x2.add(f64x2.mul(local.get(tab), local.get(q)), // T[j] p(r), then + e 2^52 on its bits
    i64x2.shl(i64x2.shrU(local.get(t), i32.const(LOG_N)), i32.const(52)))),
]

const seq = (...parts: Code[]): Code => parts.flat()
const even = i32.and(local.get(n), i32.const(-2))
const row = (at: Code): Code => i32.add(i32.const(ROW), i32.shl(at, i32.const(3)))
const lane = (vec: number, l: 0 | 1): Code => f64x2.extractLane(local.get(vec), l)
/** Runs `body` for p = ROW, ROW + 16, ... below end (the row's even part). */
const pairs = (...body: Code[]): Code => seq(
  local.set(p, i32.const(ROW)),
  block(brIf(0, i32.eqz(i32.ltU(local.get(p), local.get(end)))), loop(
    ...body,
    local.set(p, i32.add(local.get(p), i32.const(16))),
    brIf(0, i32.ltU(local.get(p), local.get(end))),
  )),
)
const odd = (...body: Code[]): Code => when(i32.and(local.get(n), i32.const(1)), ...body)

/**
 * softmax(n): the row of n >= 1 values at ROW becomes q_c = exp(x_c - m) in
 * place, m is stored at M_AT, and s is returned; -1 (nothing written but m)
 * when the row is outside exp's domain.
 */
const softmax: Code[] = [
  local.set(end, row(even)),
  // m = max_c x_c and lo = min_c x_c through pmax and pmin (one instruction each;
  // f64x2.max and min, with Math.max's NaN and signed-zero rules, cost 2.5 times the
  // whole exp pass here). pmax skips a NaN, so NaNs are flagged on their own; it
  // also takes -0 and +0 as equal, which the caller corrects (softmaxRow below)
  local.set(acc, v128.f64x2(-Infinity)),
  local.set(lo, v128.f64x2(Infinity)),
  local.set(nan, v128.f64x2(0)),
  pairs(
    local.set(v, v128.load(local.get(p))),
    local.set(acc, f64x2.pmax(local.get(acc), local.get(v))),
    local.set(lo, f64x2.pmin(local.get(lo), local.get(v))),
    local.set(nan, v128.or(local.get(nan), f64x2.ne(local.get(v), local.get(v)))),
  ),
  local.set(m, f64.max(lane(acc, 0), lane(acc, 1))),
  local.set(s, f64.min(lane(lo, 0), lane(lo, 1))),
  odd(
    local.set(m, f64.max(local.get(m), f64.load(local.get(end)))), // f64.max: NaN-propagating
    local.set(s, f64.min(local.get(s), f64.load(local.get(end)))),
  ),
  f64.store(i32.const(M_AT), local.get(m)),
  // the domain check, once for the row: no NaN, and fl(lo - m) >= -708 (false for infinities)
  when(v128.anyTrue(local.get(nan)), ret(f64.const(-1))),
  when(i32.eqz(f64.ge(f64.sub(local.get(s), local.get(m)), f64.const(-708))), ret(f64.const(-1))),
  // q_c = exp(x_c - m) in place; s = (sum of even classes + sum of odd classes) + last of an odd row
  local.set(acc, v128.f64x2(0)),
  pairs(
    local.set(v, f64x2.sub(v128.load(local.get(p)), f64x2.splat(local.get(m)))),
    ...expLanes,
    v128.store(local.get(p), local.get(q)),
    local.set(acc, f64x2.add(local.get(acc), local.get(q))),
  ),
  local.set(s, f64.add(lane(acc, 0), lane(acc, 1))),
  odd(
    local.set(v, f64x2.sub(f64x2.splat(f64.load(local.get(end))), f64x2.splat(local.get(m)))),
    ...expLanes,
    f64.store(local.get(end), lane(q, 0)),
    local.set(s, f64.add(local.get(s), lane(q, 0))),
  ),
  local.get(s),
]

// locals of scale(n, f): parameters n (0) and f (1), then the row's even end, the pointer, f in both lanes
const fn = 0, ff = 1, fEnd = 2, fp = 3, fv = 4

/**
 * scale(n, f): the row at ROW (n >= 1 values) times f in place, one product
 * per element, q f: IEEE multiplication is commutative and rounds once, so
 * each result has the bits of JavaScript's f * q. For the fused vector-Jacobian
 * product (./losses.ts (9)), which scales the row in place before it leaves.
 */
const scale: Code[] = [
  local.set(fEnd, i32.add(i32.const(ROW), i32.shl(i32.and(local.get(fn), i32.const(-2)), i32.const(3)))),
  local.set(fv, f64x2.splat(local.get(ff))),
  local.set(fp, i32.const(ROW)),
  block(brIf(0, i32.eqz(i32.ltU(local.get(fp), local.get(fEnd)))), loop(
    v128.store(local.get(fp), f64x2.mul(v128.load(local.get(fp)), local.get(fv))),
    local.set(fp, i32.add(local.get(fp), i32.const(16))),
    brIf(0, i32.ltU(local.get(fp), local.get(fEnd))),
  )),
  when(i32.and(local.get(fn), i32.const(1)),
    f64.store(local.get(fEnd), f64x2.extractLane(f64x2.mul(f64x2.splat(f64.load(local.get(fEnd))), local.get(fv)), 0))),
]

/** The module's bytes: softmax(n: i32) -> f64, scale(n: i32, f: f64) and one page of memory. */
const softmaxModule = (): Uint8Array => encodeModule([{
  name: 'softmax', params: [I32], results: [F64],
  locals: [I32, I32, V128, V128, V128, V128, V128, V128, V128, V128, V128, F64, F64],
  body: softmax,
}, { name: 'scale', params: [I32, F64], results: [], locals: [I32, I32, V128], body: scale }], 1)

/** One thread's instance: its memory as float64s (re-viewed after growth) and the function. */
interface Instance {
  readonly memory: Memory
  view: Float64Array
  /** the kept row's bytes, for `rowOut` (re-made for another n or after growth) */
  row?: Uint8Array
  readonly softmax: (n: number) => number
  readonly scale: (n: number, f: number) => void
}

let instance: Instance | null | undefined

/** This thread's instance, built at first use; null where WebAssembly SIMD is missing. */
const ready = (): Instance | null => {
  if (instance !== undefined) return instance
  const exports = instantiate<Omit<Instance, 'view'>>(softmaxModule())
  if (exports === null) return (instance = null)
  const view = new Float64Array(exports.memory.buffer)
  view.set(T, 0)
  return (instance = { memory: exports.memory, view, softmax: exports.softmax, scale: exports.scale })
}

/** Whether rows go through WebAssembly here (the spec asserts it, so that its rows really test the kernel). */
export const simdAvailable = (): boolean => ready() !== null

/**
 * The terms q_c = exp(x_c - m) of x[o, o + n) (n >= 1) through the SIMD
 * kernel, kept in this thread's instance (the kept row) until the next call:
 * `rowOut` copies them out, `keptTerm` reads one. Returns their sum s and
 * writes m, Math.max's maximum of the row, to max[0]; returns -1 (nothing
 * kept) when the row is outside exp's domain or there is no WebAssembly
 * SIMD, and the caller takes its scalar loop.
 */
export const softmaxRow = (x: Float64Array, o: number, n: number, max: Float64Array): number => {
  const it = n <= MAX_ROW ? ready() : null
  if (it === null) return -1
  const view = spanning(it.memory, it.view, ROW + 8 * n)
  if (view === null) return -1 // no memory for the row here: the scalar loop needs none
  it.view = view
  it.view.set(x.subarray(o, o + n), ROW / 8)
  const s = it.softmax(n)
  if (s < 0) return -1
  let m = it.view[M_AT / 8]
  if (m === 0) { // pmax's zero may carry the wrong sign: Math.max's is +0 if the row holds a +0
    m = -Infinity
    for (let f = o; f < o + n; f++) m = Math.max(m, x[f])
  }
  max[0] = m
  return s
}

/** q_j of the kept row (0 <= j < its n): read before `rowOut` scales it. */
export const keptTerm = (j: number): number => instance!.view[ROW / 8 + j]

/**
 * out[o, o + n) = the kept row's n terms, or each times f when f is given
 * (scaled in place first, by `scale` above: the bits of f * q). Only after a
 * `softmaxRow` on this thread that returned s >= 0, with the same n.
 */
export const rowOut = (n: number, out: Float64Array, o: number, f?: number): void => {
  const it = instance!
  if (f !== undefined) it.scale(n, f)
  it.row = regionBytes(it.memory, it.row, ROW, 8 * n)
  copyOut(it.row, out, o)
}
