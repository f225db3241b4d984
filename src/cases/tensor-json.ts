/**
 * Tensors in the case format (docs/case-format.md, "Tensor"):
 *   {"dtype": "float32" | "float64" | "int64" | "bool", "shape": [..], "data": [..] | "<base64>"}
 * Data is row-major; non-finite floats are the strings "NaN", "Infinity",
 * "-Infinity"; a string `data` is base64 of the little-endian bytes.
 *
 * Decoding is defensive: this is the boundary where untrusted input arrives.
 * The element count is checked against the data actually present before any
 * allocation, so a shape like [1e9, 1e9] costs nothing and is reported.
 */
import * as E from 'fp-ts/lib/Either.js'
import { show } from '../core/errors.ts'
import { type DType, type Tensor, make } from '../core/tensor.ts'

const DTYPES: readonly DType[] = ['float32', 'float64', 'int64', 'bool']
const BYTES: Record<DType, number> = { float32: 4, float64: 8, int64: 8, bool: 1 }
const MAX_RANK = 32
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** A decoding problem: where in the case (`inputs.x.shape`) and what is wrong. */
export interface TensorError { readonly path: string; readonly reason: string }

const err = (path: string, reason: string): E.Either<TensorError, never> => E.left({ path, reason })

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

const NONFINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity }

const decodeElement = (dtype: DType, v: unknown): number | undefined => {
  if (dtype === 'bool') return v === true ? 1 : v === false ? 0 : undefined
  if (dtype === 'int64') return typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined
  if (typeof v === 'number') return v
  return typeof v === 'string' && v in NONFINITE ? NONFINITE[v] : undefined
}

const expectedElement: Record<DType, string> = {
  float32: 'a number or "NaN", "Infinity", "-Infinity"',
  float64: 'a number or "NaN", "Infinity", "-Infinity"',
  int64: 'an integer within +-2^53',
  bool: 'true or false',
}

const decodeBase64 = (dtype: DType, s: string, n: number, path: string): E.Either<TensorError, Float64Array> => {
  if (s.length % 4 !== 0 || !BASE64.test(s)) return err(`${path}.data`, 'a base64 string (length a multiple of 4, alphabet A-Z a-z 0-9 + /)')
  const bytes = Buffer.from(s, 'base64')
  if (bytes.length !== n * BYTES[dtype]) {
    return err(`${path}.data`, `${n * BYTES[dtype]} bytes of base64 for ${n} ${dtype} elements, got ${bytes.length} bytes`)
  }
  const out = new Float64Array(n)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let i = 0; i < n; i++) {
    if (dtype === 'float32') out[i] = view.getFloat32(4 * i, true)
    else if (dtype === 'float64') out[i] = view.getFloat64(8 * i, true)
    else if (dtype === 'bool') {
      const b = view.getUint8(i)
      if (b > 1) return err(`${path}.data[${i}]`, `a bool byte 0 or 1, got ${b}`)
      out[i] = b
    } else {
      const big = view.getBigInt64(8 * i, true)
      if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < -BigInt(Number.MAX_SAFE_INTEGER)) {
        return err(`${path}.data[${i}]`, `an int64 within +-2^53 (the oracle's exact range), got ${big}`)
      }
      out[i] = Number(big)
    }
  }
  return E.right(out)
}

export const decodeTensor = (v: unknown, path: string): E.Either<TensorError, Tensor> => {
  if (!isPlainObject(v)) return err(path, `a tensor object {dtype, shape, data}, got ${show(v)}`)
  for (const k of Object.keys(v)) if (k !== 'dtype' && k !== 'shape' && k !== 'data') return err(`${path}.${k}`, `no such tensor field (expected dtype, shape, data)`)
  const { dtype, shape, data } = v
  if (typeof dtype !== 'string' || !(DTYPES as readonly string[]).includes(dtype)) {
    return err(`${path}.dtype`, `one of ${DTYPES.join(', ')}, got ${show(dtype)}`)
  }
  const dt = dtype as DType
  if (!Array.isArray(shape) || shape.length > MAX_RANK || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    return err(`${path}.shape`, `a list of at most ${MAX_RANK} non-negative integers, got ${show(shape)}`)
  }
  // Multiply in float64: a product past 2^53 is already far beyond any data present.
  const n = (shape as number[]).reduce((a, b) => a * b, 1)
  if (typeof data === 'string') {
    return E.map((d: Float64Array) => make(shape as number[], d, dt))(decodeBase64(dt, data, n, path))
  }
  if (!Array.isArray(data)) return err(`${path}.data`, `a list of elements or a base64 string, got ${show(data)}`)
  if (data.length !== n) {
    return err(`${path}.data`, `${n} elements for shape [${(shape as number[]).join(', ')}], got ${data.length}`)
  }
  const out = new Float64Array(n)
  // Float data is nearly all numbers: those are copied without a call per element.
  const float = dt === 'float64' || dt === 'float32'
  for (let i = 0; i < n; i++) {
    const v = data[i]
    if (float && typeof v === 'number') { out[i] = v; continue }
    const x = decodeElement(dt, v)
    if (x === undefined) return err(`${path}.data[${i}]`, `${expectedElement[dt]} for dtype ${dt}, got ${show(v)}`)
    out[i] = x
  }
  return E.right(make(shape as number[], out, dt))
}

/** A float written so that JSON round-trips it exactly (shortest repr), non-finite as strings. */
const encodeElement = (dtype: DType, x: number): number | string | boolean => {
  if (dtype === 'bool') return x !== 0
  if (Number.isNaN(x)) return 'NaN'
  if (x === Infinity) return 'Infinity'
  if (x === -Infinity) return '-Infinity'
  if (dtype === 'float32') return Math.fround(x)
  return Object.is(x, -0) ? 0 : x
}

export interface TensorJson { readonly dtype: DType; readonly shape: number[]; readonly data: (number | string | boolean)[] }

/** The case-format object for a tensor, written as `dtype` (float32 rounds each element). */
export const encodeTensor = (t: Tensor, dtype: DType = t.dtype): TensorJson =>
  ({ dtype, shape: [...t.shape], data: Array.from(t.data, (x) => encodeElement(dtype, x)) })
