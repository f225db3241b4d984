/**
 * Immutable tensors over Float64Array.
 *
 * Every dtype is stored as float64 (int64 values are exact up to 2^53, bool is
 * 0/1): the oracle computes in float64 whatever the dtype (case format,
 * "Tensor"), and the dtype tag records what the value means. Layout is
 * row-major with no strides: element (i0, ..., ik) of shape (d0, ..., dk) sits
 * at ((i0 * d1 + i1) * d2 + ...) + ik.
 *
 * Nothing here writes to an argument's data. Functions allocate a fresh array,
 * fill it, and hand it out; `readonly` on the interface keeps callers honest.
 */
export type DType = 'float32' | 'float64' | 'int64' | 'bool'
export type Shape = readonly number[]

export interface Tensor {
  readonly dtype: DType
  readonly shape: Shape
  readonly data: Float64Array
}

export const isFloat = (t: Tensor): boolean => t.dtype === 'float32' || t.dtype === 'float64'

/** Number of elements; 1 for a scalar. */
export const sizeOf = (shape: Shape): number => shape.reduce((a, b) => a * b, 1)

export const make = (shape: Shape, data: Float64Array, dtype: DType = 'float64'): Tensor =>
  ({ dtype, shape: [...shape], data })

export const fromArray = (shape: Shape, values: ArrayLike<number>, dtype: DType = 'float64'): Tensor =>
  make(shape, Float64Array.from(values), dtype)

export const scalar = (v: number, dtype: DType = 'float64'): Tensor => make([], Float64Array.of(v), dtype)

export const full = (shape: Shape, v: number, dtype: DType = 'float64'): Tensor =>
  make(shape, new Float64Array(sizeOf(shape)).fill(v), dtype)

export const zeros = (shape: Shape, dtype: DType = 'float64'): Tensor => full(shape, 0, dtype)
export const ones = (shape: Shape, dtype: DType = 'float64'): Tensor => full(shape, 1, dtype)
export const zerosLike = (t: Tensor): Tensor => zeros(t.shape, t.dtype)

export const sameShape = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((d, i) => d === b[i])

/** Row-major strides of a shape (derived, never stored). */
export const stridesOf = (shape: Shape): number[] => {
  const s = new Array<number>(shape.length)
  let acc = 1
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i] }
  return s
}

/** Multi-index of flat position `flat` in `shape`. */
export const unravel = (flat: number, shape: Shape): number[] => {
  const idx = new Array<number>(shape.length)
  for (let i = shape.length - 1; i >= 0; i--) { idx[i] = flat % shape[i]; flat = Math.floor(flat / shape[i]) }
  return idx
}

export const normalizeAxis = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis)

export const reshape = (t: Tensor, shape: Shape): Tensor => make(shape, t.data, t.dtype)

export const map = (t: Tensor, f: (v: number, i: number) => number): Tensor => {
  const out = new Float64Array(t.data.length)
  for (let i = 0; i < out.length; i++) out[i] = f(t.data[i], i)
  return make(t.shape, out)
}

/** Same-shape elementwise combination (shapes are the caller's invariant). */
export const zip = (a: Tensor, b: Tensor, f: (x: number, y: number, i: number) => number): Tensor => {
  const out = new Float64Array(a.data.length)
  for (let i = 0; i < out.length; i++) out[i] = f(a.data[i], b.data[i], i)
  return make(a.shape, out)
}

export const add = (a: Tensor, b: Tensor): Tensor => zip(a, b, (x, y) => x + y)
export const sub = (a: Tensor, b: Tensor): Tensor => zip(a, b, (x, y) => x - y)
export const mul = (a: Tensor, b: Tensor): Tensor => zip(a, b, (x, y) => x * y)
export const scale = (a: Tensor, s: number): Tensor => map(a, (x) => x * s)

/** Inner product <a, b> over all elements, the pairing used by the VJP identity. */
export const dot = (a: Tensor, b: Tensor): number => {
  let s = 0
  for (let i = 0; i < a.data.length; i++) s += a.data[i] * b.data[i]
  return s
}

export const sumAll = (t: Tensor): number => {
  let s = 0
  for (let i = 0; i < t.data.length; i++) s += t.data[i]
  return s
}

// ---------------------------------------------------------------- broadcasting

/** NumPy broadcasting of two shapes, or undefined when they do not broadcast. */
export const broadcastShapes = (a: Shape, b: Shape): number[] | undefined => {
  const n = Math.max(a.length, b.length)
  const out = new Array<number>(n)
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1
    const db = b[b.length - n + i] ?? 1
    if (da !== db && da !== 1 && db !== 1) return undefined
    out[i] = da === 1 ? db : da
  }
  return out
}

/**
 * For each flat position of `out`, the flat position in a tensor of `shape`
 * broadcast to `out` (a gather table; shape must broadcast to out).
 */
export const broadcastIndex = (shape: Shape, out: Shape): Int32Array => {
  const n = sizeOf(out)
  const idx = new Int32Array(n)
  const offset = out.length - shape.length
  const srcStrides = stridesOf(shape)
  const counter = new Array<number>(out.length).fill(0)
  for (let f = 0; f < n; f++) {
    let s = 0
    for (let d = offset; d < out.length; d++) {
      const dim = shape[d - offset]
      if (dim !== 1) s += counter[d] * srcStrides[d - offset]
    }
    idx[f] = s
    for (let d = out.length - 1; d >= 0; d--) {
      if (++counter[d] < out[d]) break
      counter[d] = 0
    }
  }
  return idx
}

export const broadcastTo = (t: Tensor, out: Shape): Tensor => {
  if (sameShape(t.shape, out)) return t
  const idx = broadcastIndex(t.shape, out)
  const data = new Float64Array(idx.length)
  for (let i = 0; i < idx.length; i++) data[i] = t.data[idx[i]]
  return make(out, data, t.dtype)
}

/**
 * The adjoint of `broadcastTo`: sum a gradient of shape `from` back onto
 * `shape`, so that <broadcastTo(x), g> = <x, sumTo(g, x.shape)>.
 */
export const sumTo = (g: Tensor, shape: Shape): Tensor => {
  if (sameShape(g.shape, shape)) return g
  const idx = broadcastIndex(shape, g.shape)
  const data = new Float64Array(sizeOf(shape))
  for (let i = 0; i < idx.length; i++) data[idx[i]] += g.data[i]
  return make(shape, data)
}

/** Elementwise binary op under NumPy broadcasting (shapes must broadcast). */
export const broadcastZip = (a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor => {
  const out = broadcastShapes(a.shape, b.shape)
  if (out === undefined) throw new Error(`internal: shapes ${a.shape} and ${b.shape} do not broadcast`)
  const ia = broadcastIndex(a.shape, out)
  const ib = broadcastIndex(b.shape, out)
  const data = new Float64Array(ia.length)
  for (let i = 0; i < data.length; i++) data[i] = f(a.data[ia[i]], b.data[ib[i]])
  return make(out, data)
}

// ---------------------------------------------------------------- reductions

/**
 * Sum over `axes` (normalized, any order). With keepdims the reduced axes stay
 * as size 1, which is what a backward pass needs to broadcast the result back.
 */
export const sumAxes = (t: Tensor, axes: readonly number[], keepdims = false): Tensor => {
  const rank = t.shape.length
  const ax = new Set(axes.map((a) => normalizeAxis(a, rank)))
  const keptShape = t.shape.map((d, i) => (ax.has(i) ? 1 : d))
  const idx = broadcastIndex(keptShape, t.shape)
  const data = new Float64Array(sizeOf(keptShape))
  for (let i = 0; i < idx.length; i++) data[idx[i]] += t.data[i]
  const shape = keepdims ? keptShape : t.shape.filter((_, i) => !ax.has(i))
  return make(shape, data)
}

export const meanAxes = (t: Tensor, axes: readonly number[], keepdims = false): Tensor => {
  const rank = t.shape.length
  const count = axes.map((a) => t.shape[normalizeAxis(a, rank)]).reduce((a, b) => a * b, 1)
  return scale(sumAxes(t, axes, keepdims), 1 / count)
}

// ---------------------------------------------------------------- linear algebra

/** Permute axes: out.shape[i] = t.shape[perm[i]]. */
export const transpose = (t: Tensor, perm: readonly number[]): Tensor => {
  const shape = perm.map((p) => t.shape[p])
  const inStrides = stridesOf(t.shape)
  const n = sizeOf(shape)
  const data = new Float64Array(n)
  const counter = new Array<number>(shape.length).fill(0)
  for (let f = 0; f < n; f++) {
    let s = 0
    for (let d = 0; d < shape.length; d++) s += counter[d] * inStrides[perm[d]]
    data[f] = t.data[s]
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++counter[d] < shape[d]) break
      counter[d] = 0
    }
  }
  return make(shape, data, t.dtype)
}

/** Swap the last two axes. */
export const mT = (t: Tensor): Tensor => {
  const r = t.shape.length
  const perm = t.shape.map((_, i) => i)
  perm[r - 2] = r - 1
  perm[r - 1] = r - 2
  return transpose(t, perm)
}

/** Plain 2-D product (n, k) x (k, m) -> (n, m) on raw arrays at offsets. */
const gemm = (a: Float64Array, ao: number, b: Float64Array, bo: number, out: Float64Array, oo: number, n: number, k: number, m: number): void => {
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < k; p++) {
      const av = a[ao + i * k + p]
      const brow = bo + p * m
      const orow = oo + i * m
      for (let j = 0; j < m; j++) out[orow + j] += av * b[brow + j]
    }
  }
}

/**
 * Batched matrix product with NumPy's rules: a [..., n, k], b [..., k, m], batch
 * dimensions broadcast. Both operands have rank >= 2 (the caller validates).
 * No zero-skipping: 0 * Inf must stay NaN, as IEEE and every framework have it.
 */
export const matmul = (a: Tensor, b: Tensor): Tensor => {
  const n = a.shape[a.shape.length - 2], k = a.shape[a.shape.length - 1]
  const m = b.shape[b.shape.length - 1]
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2))!
  const ia = broadcastIndex(a.shape.slice(0, -2), batch)
  const ib = broadcastIndex(b.shape.slice(0, -2), batch)
  const out = new Float64Array(sizeOf(batch) * n * m)
  for (let t = 0; t < ia.length; t++) gemm(a.data, ia[t] * n * k, b.data, ib[t] * k * m, out, t * n * m, n, k, m)
  return make([...batch, n, m], out)
}
