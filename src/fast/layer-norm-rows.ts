/**
 * Layer norm's backward over two rows at once in WebAssembly SIMD, one row
 * per float64 lane, for ./normalization.ts's `layerNormBackwardRows` (the
 * weighted case): the row sums of (4) and dx of (5),
 *   sD = sum_j g_j w_j,   sDX = sum_j (g_j w_j) xhat_j,   xhat_j = (x_j - mu) is,
 *   dx_j = f (d (g_j w_j) - sD - xhat_j sDX),   f = is / d,
 * with each lane running the JavaScript loop's operations on its own row in
 * the loop's order: the same additions in the same order, each IEEE float64
 * operation rounded to nearest with no fused or wider intermediate, so the
 * same bits as the scalar loop, and so as the reference (the property in
 * spec/fast/normalization.spec.ts compares them to the bit). Lanes hold two
 * rows, not two neighbours of one row, because two neighbours would split
 * each sum into an even and an odd part and change its rounding.
 *
 * Why not the scalar loop: V8 reloads every typed array's base and length on
 * each pass of a loop over arrays it does not know as constants, and this
 * loop reads three (one thread, [4096, 1024]: 12.0 ms, against 5.1 for the
 * same loop over module constants). WebAssembly addresses its own memory.
 * The rows are copied in and dx copied out (about 0.3 ns an element each way).
 *
 * Memory, with B = 8 d bytes a row: w at 0, the two rows of x at B, of g at
 * 3 B, of dx at 5 B; 7 B in all. One instance per thread, grown to the
 * longest row seen.
 */
import { copyOut } from './shared-array.ts'
import { type Code, F64, I32, type Memory, V128, block, brIf, encodeModule, f64x2, i32, instantiate, local, loop, regionBytes, spanning, v128 } from './wasm.ts'

/** Longer rows take the scalar loop: the kernel's byte offsets are 32-bit (7 B < 2^31). */
export const MAX_D = 2 ** 24

// locals of pair(d, mu0, is0, f0, mu1, is1, f1): the parameters, then the row's bytes B, the
// byte offset p, the bases of g's and dx's rows, and the vectors
const d = 0, mu0 = 1, is0 = 2, f0 = 3, mu1 = 4, is1 = 5, f1 = 6
const B = 7, p = 8, gAt = 9, out = 10, mu = 11, is = 12, f = 13, dd = 14, sD = 15, sDX = 16, w = 17, xv = 18, gv = 19, dh = 20

const seq = (...parts: Code[]): Code => parts.flat()
const both = (a: number, b: number): Code => f64x2.replaceLane(f64x2.splat(local.get(a)), 1, local.get(b))
/** The two rows' values at byte p of a region starting at `at`: row 0 in lane 0, row 1 (B bytes on) in lane 1. */
const rows = (at: Code): Code => {
  const a = i32.add(at, local.get(p))
  return v128.load64Lane(i32.add(a, local.get(B)), v128.load64Zero(a), 1)
}
/** w_j (both lanes), x_j and g_j (a row a lane), for the byte p = 8 j. */
const loadColumn: Code = seq(
  local.set(w, v128.load64Splat(local.get(p))),
  local.set(xv, rows(local.get(B))),
  local.set(gv, rows(local.get(gAt))),
)
/** Runs `body` for p = 0, 8, ... below B. */
const columns = (...body: Code[]): Code => seq(
  local.set(p, i32.const(0)),
  block(brIf(0, i32.eqz(i32.ltU(local.get(p), local.get(B)))), loop(
    ...body,
    local.set(p, i32.add(local.get(p), i32.const(8))),
    brIf(0, i32.ltU(local.get(p), local.get(B))),
  )),
)
const xhat = f64x2.mul(f64x2.sub(local.get(xv), local.get(mu)), local.get(is))

const pair: Code[] = [
  local.set(B, i32.shl(local.get(d), i32.const(3))),
  local.set(gAt, i32.add(i32.shl(local.get(B), i32.const(1)), local.get(B))), // 3 B
  local.set(out, i32.add(i32.shl(local.get(B), i32.const(2)), local.get(B))), // 5 B
  local.set(mu, both(mu0, mu1)),
  local.set(is, both(is0, is1)),
  local.set(f, both(f0, f1)),
  local.set(dd, f64x2.splat(seq(local.get(d), [0xb7]))), // f64.convert_i32_s: d exactly (d < 2^31), JavaScript's d in d (g w)
  local.set(sD, v128.f64x2(0)),
  local.set(sDX, v128.f64x2(0)),
  columns( // (4): sD += g w; sDX += (g w) xhat, in j order
    loadColumn,
    local.set(dh, f64x2.mul(local.get(gv), local.get(w))),
    local.set(sD, f64x2.add(local.get(sD), local.get(dh))),
    local.set(sDX, f64x2.add(local.get(sDX), f64x2.mul(local.get(dh), xhat))),
  ),
  columns( // (5): dx = f ((d (g w) - sD) - xhat sDX)
    loadColumn,
    local.set(dh, f64x2.mul(local.get(f), f64x2.sub(
      f64x2.sub(f64x2.mul(local.get(dd), f64x2.mul(local.get(gv), local.get(w))), local.get(sD)),
      f64x2.mul(xhat, local.get(sDX))))),
    v128.store64Lane(i32.add(local.get(out), local.get(p)), local.get(dh), 0),
    v128.store64Lane(i32.add(i32.add(local.get(out), local.get(p)), local.get(B)), local.get(dh), 1),
  ),
]

const module = (): Uint8Array => encodeModule([{
  name: 'pair', params: [I32, F64, F64, F64, F64, F64, F64], results: [],
  locals: [I32, I32, I32, I32, V128, V128, V128, V128, V128, V128, V128, V128, V128, V128],
  body: pair,
}], 1)

interface Instance {
  readonly memory: Memory
  view: Float64Array
  /** dx's two rows as bytes, for the copy out to shared memory (re-made for another d or after growth) */
  dxBytes?: Uint8Array
  readonly pair: (d: number, mu0: number, is0: number, f0: number, mu1: number, is1: number, f1: number) => void
}

let instance: Instance | null | undefined

const ready = (): Instance | null => {
  if (instance !== undefined) return instance
  const exports = instantiate<Omit<Instance, 'view'>>(module())
  return (instance = exports === null ? null : { memory: exports.memory, view: new Float64Array(exports.memory.buffer), pair: exports.pair })
}

/** Whether the pairs go through WebAssembly here (the spec asserts it, so that its rows really test the kernel). */
export const pairsAvailable = (): boolean => ready() !== null

/**
 * This thread's instance ready for rows of d values, with the weights w
 * copied in (every call: the caller's array may hold other values than last
 * time, and d values a range cost nothing beside its rows), or null: no
 * WebAssembly SIMD, d out of range, or no memory to grow into; the caller
 * then takes its scalar loop.
 */
export const readyFor = (w: Float64Array, dim: number): Instance | null => {
  const it = dim >= 1 && dim <= MAX_D ? ready() : null
  if (it === null) return null
  const view = spanning(it.memory, it.view, 7 * 8 * dim)
  if (view === null) return null
  it.view = view
  it.view.set(w.subarray(0, dim), 0)
  return it
}

/**
 * dx of rows r and r + 1 (contiguous, d values each, starting at element o)
 * from x, g, their means and 1/sigma: (4), (5) through the kernel, written to
 * dx[o, o + 2 d). `it` is `readyFor`'s instance for this range's weights and d.
 */
export const backwardPair = (it: Instance, x: Float64Array, g: Float64Array, dx: Float64Array, o: number, dim: number,
  m0: number, s0: number, m1: number, s1: number): void => {
  const n = 2 * dim
  it.view.set(x.subarray(o, o + n), dim)
  it.view.set(g.subarray(o, o + n), 3 * dim)
  it.pair(dim, m0, s0, s0 / dim, m1, s1, s1 / dim) // f = is / d, as the scalar loop's
  it.dxBytes = regionBytes(it.memory, it.dxBytes, 40 * dim, 8 * n) // dx's rows, at 5 B
  copyOut(it.dxBytes, dx, o)
}
