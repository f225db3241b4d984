/**
 * A WebAssembly binary encoder for the SIMD kernels, just large enough for
 * them: one memory of the module's own, functions of numeric types, and the
 * scalar and 128-bit instructions the kernels use.
 *
 * Why WebAssembly at all: V8 compiles JavaScript's float64 arithmetic to
 * scalar instructions, one number at a time. WebAssembly's SIMD proposal
 * (standard, on by default since Node 16.4) gives two float64 lanes per
 * instruction, integer operations on the same registers (an exponent field
 * built by a shift and an add), and no bounds check per access, which for
 * exp halves the time per element (src/fast/softmax-rows.ts).
 *
 * Why an encoder of our own instead of a text assembler: the module is a few
 * hundred bytes, built once per thread at first use, and this keeps it in
 * the TypeScript it serves, with no build step and no dependency (wabt's
 * wat2wasm or binaryen would be one of several megabytes for that).
 *
 * The listing style is WebAssembly's folded text form: each instruction is a
 * function of its operands' code, which it emits first (the stack machine's
 * order), so `f64x2.add(a, b)` reads as `(f64x2.add a b)`. Opcodes and
 * encodings: the WebAssembly core specification 2.0, section 5 (binary
 * format), and its SIMD instruction table.
 */

/** Code: bytes of instructions (or of anything else in the module). */
export type Code = readonly number[]

/** Value types (spec 5.3.1). */
export const I32 = 0x7f, F64 = 0x7c, V128 = 0x7b
export type ValType = typeof I32 | typeof F64 | typeof V128

/** Unsigned LEB128 (spec 5.2.2). */
export const uleb = (v: number): number[] => {
  const out: number[] = []
  do {
    let b = v & 0x7f
    v >>>= 7
    if (v !== 0) b |= 0x80
    out.push(b)
  } while (v !== 0)
  return out
}

/** Signed LEB128 of a 32-bit integer (spec 5.2.2). */
export const sleb = (v: number): number[] => {
  const out: number[] = []
  for (;;) {
    const b = v & 0x7f
    v >>= 7
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) { out.push(b); return out }
    out.push(b | 0x80)
  }
}

const f64Bytes = (v: number): number[] => Array.from(new Uint8Array(new Float64Array([v]).buffer))

const seq = (...parts: Code[]): number[] => parts.flat()
/** A prefixed SIMD instruction (0xfd, then its opcode as u32 LEB128), after its operands. */
const simd = (op: number, ...operands: Code[]): number[] => seq(...operands, [0xfd], uleb(op))
/** memarg: alignment exponent, then offset. */
const memarg = (align: number): number[] => [align, 0]

/** Instructions on locals and constants, and control (spec 5.4.1, 5.4.4). */
export const local = {
  get: (i: number): Code => [0x20, ...uleb(i)],
  set: (i: number, value: Code): Code => seq(value, [0x21], uleb(i)),
}
export const i32 = {
  const: (v: number): Code => [0x41, ...sleb(v)],
  add: (a: Code, b: Code): Code => seq(a, b, [0x6a]),
  and: (a: Code, b: Code): Code => seq(a, b, [0x71]),
  shl: (a: Code, b: Code): Code => seq(a, b, [0x74]),
  ltU: (a: Code, b: Code): Code => seq(a, b, [0x49]),
  eqz: (a: Code): Code => seq(a, [0x45]),
}
export const f64 = {
  const: (v: number): Code => [0x44, ...f64Bytes(v)],
  load: (addr: Code): Code => seq(addr, [0x2b], memarg(3)),
  store: (addr: Code, value: Code): Code => seq(addr, value, [0x39], memarg(3)),
  add: (a: Code, b: Code): Code => seq(a, b, [0xa0]),
  sub: (a: Code, b: Code): Code => seq(a, b, [0xa1]),
  min: (a: Code, b: Code): Code => seq(a, b, [0xa4]),
  max: (a: Code, b: Code): Code => seq(a, b, [0xa5]),
  ge: (a: Code, b: Code): Code => seq(a, b, [0x66]),
}
export const v128 = {
  load: (addr: Code): Code => seq(addr, [0xfd], uleb(0x00), memarg(4)),
  store: (addr: Code, value: Code): Code => seq(addr, value, [0xfd], uleb(0x0b), memarg(4)),
  /** Two float64 lanes. */
  f64x2: (a: number, b: number = a): Code => seq([0xfd], uleb(0x0c), f64Bytes(a), f64Bytes(b)),
  or: (a: Code, b: Code): Code => simd(0x50, a, b),
  /** 1 when any bit of `a` is set, else 0 (an i32). */
  anyTrue: (a: Code): Code => simd(0x53, a),
  /** 8 bytes at `addr` in lane 0, zero in lane 1. */
  load64Zero: (addr: Code): Code => seq(addr, [0xfd], uleb(0x5d), memarg(3)),
  /** 8 bytes at `addr` in both lanes. */
  load64Splat: (addr: Code): Code => seq(addr, [0xfd], uleb(0x0a), memarg(3)),
  /** Stores lane `lane` of `vec` (8 bytes) at `addr`. */
  store64Lane: (addr: Code, vec: Code, lane: 0 | 1): Code => seq(addr, vec, [0xfd], uleb(0x5b), memarg(3), [lane]),
  /** Loads 8 bytes at `addr` into lane `lane` of `vec`, keeping the other lane. */
  load64Lane: (addr: Code, vec: Code, lane: 0 | 1): Code => seq(addr, vec, [0xfd], uleb(0x57), memarg(3), [lane]),
}
export const f64x2 = {
  splat: (a: Code): Code => simd(0x14, a),
  /** `vec` with lane `lane` replaced by the f64 `value`. */
  replaceLane: (vec: Code, lane: 0 | 1, value: Code): Code => seq(vec, value, [0xfd], uleb(0x22), [lane]),
  extractLane: (a: Code, lane: 0 | 1): Code => seq(simd(0x21, a), [lane]),
  add: (a: Code, b: Code): Code => simd(0xf0, a, b),
  sub: (a: Code, b: Code): Code => simd(0xf1, a, b),
  mul: (a: Code, b: Code): Code => simd(0xf2, a, b),
  /** Lane-wise b < a ? b : a: one instruction (minpd), where f64x2.min's NaN and signed-zero rules cost several. */
  pmin: (a: Code, b: Code): Code => simd(0xf6, a, b),
  /** Lane-wise a < b ? b : a (maxpd). */
  pmax: (a: Code, b: Code): Code => simd(0xf7, a, b),
  /** All ones in a lane where a != b (so where a lane of `a` is NaN, with b = a). */
  ne: (a: Code, b: Code): Code => simd(0x48, a, b),
}
export const i32x4 = {
  extractLane: (a: Code, lane: 0 | 1 | 2 | 3): Code => seq(simd(0x1b, a), [lane]),
}
export const i64x2 = {
  shl: (a: Code, by: Code): Code => simd(0xcb, a, by),
  /** Logical shift right of each 64-bit lane. */
  shrU: (a: Code, by: Code): Code => simd(0xcd, a, by),
  add: (a: Code, b: Code): Code => simd(0xce, a, b),
}

/** Structured control with no block result (blocktype 0x40). */
export const block = (...body: Code[]): Code => seq([0x02, 0x40], ...body, [0x0b])
export const loop = (...body: Code[]): Code => seq([0x03, 0x40], ...body, [0x0b])
export const when = (cond: Code, ...body: Code[]): Code => seq(cond, [0x04, 0x40], ...body, [0x0b])
/** Branch to the enclosing block `depth` levels out (0: innermost) when `cond` holds. */
export const brIf = (depth: number, cond: Code): Code => seq(cond, [0x0d], uleb(depth))
export const ret = (value: Code): Code => seq(value, [0x0f])

/** A function: its signature, its extra locals (after the parameters), its body. */
export interface Func {
  readonly name: string
  readonly params: readonly ValType[]
  readonly results: readonly ValType[]
  readonly locals: readonly ValType[]
  readonly body: readonly Code[]
}

const vec = (items: Code[]): number[] => seq(uleb(items.length), ...items)
const section = (id: number, content: Code): number[] => seq([id], uleb(content.length), content)
const name = (s: string): number[] => vec(Array.from(new TextEncoder().encode(s), (b) => [b]))

/**
 * The module's bytes (spec 5.5): one type per function, a memory of `pages`
 * 64 KiB pages exported as "memory", every function exported by its name.
 */
export const encodeModule = (funcs: readonly Func[], pages: number): Uint8Array => {
  const types = funcs.map((f) => seq([0x60], vec(f.params.map((t) => [t])), vec(f.results.map((t) => [t]))))
  const exports = [seq(name('memory'), [0x02, 0]), ...funcs.map((f, i) => seq(name(f.name), [0x00], uleb(i)))]
  const bodies = funcs.map((f) => {
    const body = seq(vec(f.locals.map((t) => [1, t])), ...f.body, [0x0b])
    return seq(uleb(body.length), body)
  })
  return Uint8Array.from(seq(
    [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    section(1, vec(types)),
    section(3, vec(funcs.map((_, i) => uleb(i)))),
    section(5, vec([[0x00, ...uleb(pages)]])),
    section(7, vec(exports)),
    section(10, vec(bodies)),
  ))
}

/**
 * The part of the WebAssembly JavaScript API used here: lib ES2022 declares
 * none of it, and the DOM lib that does would bring the whole DOM.
 */
export interface Memory { readonly buffer: ArrayBuffer; grow: (pages: number) => number }
declare const WebAssembly: {
  validate: (bytes: Uint8Array) => boolean
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object) => { readonly exports: unknown }
}

/** An instance's exports (its memory and functions), or null where WebAssembly, or its SIMD, is missing. */
export const instantiate = <E extends { readonly memory: Memory }>(bytes: Uint8Array): E | null =>
  typeof WebAssembly === 'object' && WebAssembly.validate(bytes)
    ? new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as E
    : null

const PAGE = 65536

/**
 * `view` (a float64 view of all of `memory`) when it spans `bytes` already;
 * else the memory grown to span them and a new view of it (a view of the old
 * buffer has length 0 after growth); null when it cannot grow.
 */
export const spanning = (memory: Memory, view: Float64Array, bytes: number): Float64Array | null => {
  if (view.byteLength >= bytes) return view
  try {
    memory.grow(Math.ceil((bytes - view.byteLength) / PAGE))
  } catch {
    return null
  }
  return new Float64Array(memory.buffer)
}

/**
 * Bytes [at, at + bytes) of `memory`: `cached` when it is that region already,
 * else a new view. A view of a grown memory's old buffer has length 0, so a
 * growth always makes a new one.
 */
export const regionBytes = (memory: Memory, cached: Uint8Array | undefined, at: number, bytes: number): Uint8Array =>
  cached !== undefined && cached.length === bytes && cached.byteOffset === at ? cached : new Uint8Array(memory.buffer, at, bytes)
