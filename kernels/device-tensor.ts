/**
 * Device-resident float32 tensors: data uploaded once, passed from kernel to
 * kernel on the device, read back only when the caller asks (issue 18).
 *
 *   toDevice(dev, t)        float64 tensor -> DeviceTensor (one bulk float64 -> float32
 *                           conversion, one writeBuffer; an Either, it is synchronous)
 *   fromF32(dev, data, shape)  the same from float32 data already at hand
 *   runResident(dev, spec, out, args)   (kernels/runtime.ts) one kernel launch whose
 *                           tensor arguments may be DeviceTensors (or `bind(t, dims)` to
 *                           read one with other row-major dims of the same size) and whose
 *                           result stays on the device: no upload, no readback, no wait
 *   toHost(t)               -> Promise<Either<KernelError, Tensor>> (dtype float32)
 *   toF32(t)                -> Promise<Either<KernelError, Float32Array>>
 *   reshape(t, shape)       a view of the same buffer (no copy)
 *   release(...ts)          frees the buffer when its last view is released
 *
 * On webgpu a DeviceTensor holds a gpu.js pipeline handle (WebGPUBufferResult,
 * gpujs §2 "pipeline: true"); resident kernels are built `immutable`, so each
 * launch writes a fresh buffer and no later launch overwrites an earlier
 * result (gpujs §7.8). Launches are queue submits in order (gpujs §7.9), so a
 * chain of them runs with no host round trip until toHost. On the cpu backend
 * (gpu.js cpu mode) the "device" is the host: the tensor holds its
 * Float32Array, and the same code runs unchanged.
 *
 * Ownership: whoever receives a DeviceTensor releases it (intermediates of a
 * resident op are released by the op). A released tensor refuses to be read
 * or bound (an error value, not stale data).
 */
import * as E from 'fp-ts/lib/Either.js'
import { createRequire } from 'node:module'
import { unsupported } from '../src/core/errors.ts'
import { type Shape, type Tensor, make, sizeOf } from '../src/core/tensor.ts'
import type { Device, F32, KernelError } from './runtime.ts'

/** The slice of gpu.js's WebGPUBufferResult we use. */
export interface GpuHandle {
  readonly buffer: { readonly size: number; _refs?: number; destroy(): void }
  readonly output: readonly number[]
  readonly context: { readonly device: GpuDeviceLike; readonly isLost?: boolean }
  readonly _deleted?: boolean
  delete(): void
}

interface GpuDeviceLike {
  createBuffer(d: { size: number; usage: number }): { size: number; destroy(): void; mapAsync(mode: number, offset: number, size: number): Promise<void>; getMappedRange(o: number, s: number): ArrayBuffer; unmap(): void }
  createCommandEncoder(): { copyBufferToBuffer(a: unknown, ao: number, b: unknown, bo: number, n: number): void; finish(): unknown }
  readonly queue: { writeBuffer(b: unknown, o: number, d: Float32Array): void; submit(c: unknown[]): void }
}

/** Shared storage of the views of one buffer. */
interface Store {
  readonly handle?: GpuHandle
  readonly data?: Float32Array
  refs: number
}

export interface DeviceTensor {
  readonly _tag: 'DeviceTensor'
  readonly device: Device
  /** the tensor's shape (toHost returns it) */
  readonly shape: Shape
  readonly size: number
  /** @internal the buffer (webgpu) or host data (cpu), shared by views */
  readonly store: Store
  /** @internal this view's own release flag */
  readonly state: { released: boolean }
}

/** A tensor argument read with other row-major dims (same element count), e.g. [M, D] rows of an [N, T, D] tensor. */
export interface Bound {
  readonly _tag: 'Bound'
  readonly tensor: DeviceTensor
  readonly dims: readonly number[]
}

export const isDeviceTensor = (a: unknown): a is DeviceTensor => typeof a === 'object' && a !== null && (a as { _tag?: string })._tag === 'DeviceTensor'
export const isBound = (a: unknown): a is Bound => typeof a === 'object' && a !== null && (a as { _tag?: string })._tag === 'Bound'

export const bind = (tensor: DeviceTensor, dims: readonly number[] = tensor.shape): Bound => ({ _tag: 'Bound', tensor, dims })

// GPUBufferUsage / GPUMapMode values, fixed by the WebGPU spec (as gpu.js spells them)
const USAGE_MAP_READ = 0x0001, USAGE_COPY_SRC = 0x0004, USAGE_COPY_DST = 0x0008, USAGE_STORAGE = 0x0080, MAP_MODE_READ = 0x0001

const require = createRequire(import.meta.url)
type HandleClass = new (s: { buffer: unknown; output: number[]; componentCount: number; context: unknown; kernel: unknown }) => GpuHandle
const handleClass = (): HandleClass => (require('gpu.js') as { WebGPUBufferResult: HandleClass }).WebGPUBufferResult

const backendError = (dev: Device, op: string, message: string): KernelError =>
  ({ _tag: 'BackendError', op, backend: dev.backend, adapter: dev.adapter, message })

const wrap = (dev: Device, shape: Shape, store: Store): DeviceTensor =>
  ({ _tag: 'DeviceTensor', device: dev, shape: [...shape], size: sizeOf(shape), store, state: { released: false } })

/** @internal A kernel's pipeline output (webgpu) or host result (cpu) as a DeviceTensor of `shape`. */
export const adopt = (dev: Device, shape: Shape, value: GpuHandle | Float32Array): DeviceTensor =>
  wrap(dev, shape, value instanceof Float32Array ? { data: value, refs: 1 } : { handle: value, refs: 1 })

/** float32 data (row-major, of `shape`) onto the device: one writeBuffer, no conversion. */
export const fromF32 = (dev: Device, data: Float32Array, shape: Shape): E.Either<KernelError, DeviceTensor> => {
  const n = sizeOf(shape)
  if (data.length !== n) return E.left(backendError(dev, 'toDevice', `internal: ${data.length} values for shape [${shape}]`))
  if (n > dev.maxElements) {
    return E.left(unsupported('toDevice', 'tensor', `at most ${dev.maxElements} float32 values per buffer on this device`, String(n)))
  }
  if (dev.backend === 'cpu' || dev.context === undefined) return E.right(adopt(dev, shape, data))
  try {
    const ctx = dev.context as GpuHandle['context']
    // an empty tensor still gets a 4-byte buffer: WebGPU cannot bind a zero-size one
    const buffer = ctx.device.createBuffer({ size: Math.max(4, n * 4), usage: USAGE_STORAGE | USAGE_COPY_SRC | USAGE_COPY_DST })
    if (n > 0) ctx.device.queue.writeBuffer(buffer, 0, data)
    const handle = new (handleClass())({ buffer, output: [Math.max(n, 1)], componentCount: 1, context: ctx, kernel: undefined })
    return E.right(adopt(dev, shape, handle))
  } catch (e) {
    return E.left(backendError(dev, 'toDevice', e instanceof Error ? e.message : String(e)))
  }
}

/** A float64 tensor onto the device, rounded to float32 once, in bulk (Float32Array.from). */
export const toDevice = (dev: Device, t: Tensor): E.Either<KernelError, DeviceTensor> => fromF32(dev, Float32Array.from(t.data), t.shape)

/** A view of the same buffer with another shape of the same size. */
export const reshape = (t: DeviceTensor, shape: Shape): E.Either<KernelError, DeviceTensor> => {
  if (sizeOf(shape) !== t.size) return E.left(backendError(t.device, 'reshape', `internal: [${t.shape}] has ${t.size} values, [${shape}] ${sizeOf(shape)}`))
  if (t.state.released) return E.left(backendError(t.device, 'reshape', 'the tensor was released'))
  t.store.refs++
  return E.right(wrap(t.device, shape, t.store))
}

/** Release views; a buffer is freed when its last view goes (idempotent per view). */
export const release = (...ts: readonly (DeviceTensor | undefined)[]): void => {
  for (const t of ts) {
    if (t === undefined || t.state.released) continue
    t.state.released = true
    if (--t.store.refs === 0 && t.store.handle !== undefined) t.store.handle.delete()
  }
}

/** The float32 values, read back (webgpu: one copy to a staging buffer and one map). */
export const toF32 = async (t: DeviceTensor): Promise<E.Either<KernelError, Float32Array>> => {
  const dev = t.device
  if (t.state.released) return E.left(backendError(dev, 'toHost', 'the tensor was released'))
  if (t.store.data !== undefined) return E.right(t.store.data.slice(0, t.size))
  const h = t.store.handle!
  if (t.size === 0) return E.right(new Float32Array(0))
  try {
    if (h.context.isLost === true) throw new Error('WebGPU device was lost; the buffer no longer holds data')
    const device = h.context.device
    const bytes = t.size * 4
    const staging = device.createBuffer({ size: bytes, usage: USAGE_MAP_READ | USAGE_COPY_DST })
    const enc = device.createCommandEncoder()
    enc.copyBufferToBuffer(h.buffer, 0, staging, 0, bytes)
    device.queue.submit([enc.finish()])
    await staging.mapAsync(MAP_MODE_READ, 0, bytes)
    const out = new Float32Array(staging.getMappedRange(0, bytes).slice(0))
    staging.unmap()
    staging.destroy()
    return E.right(out)
  } catch (e) {
    return E.left(backendError(dev, 'toHost', e instanceof Error ? e.message : String(e)))
  }
}

/** Read back as a float64 tensor of dtype float32 (the float32 values, exact in float64). */
export const toHost = async (t: DeviceTensor): Promise<E.Either<KernelError, Tensor>> =>
  E.map((d: Float32Array) => make(t.shape, Float64Array.from(d), 'float32'))(await toF32(t))

/**
 * @internal What a kernel call binds for a device argument read with `dims`:
 * webgpu, a fresh view handle whose gpu.js dims are `dims` reversed (gpu.js
 * indexes a[z][y][x] with x fastest), to be deleted once the launch is
 * submitted; cpu, the host data with those dims.
 */
export const binding = (a: DeviceTensor | Bound): E.Either<KernelError, { readonly value: unknown; readonly done: () => void; readonly dims: readonly number[]; readonly data?: Float32Array }> => {
  const t = isBound(a) ? a.tensor : a
  const dims = isBound(a) ? a.dims : t.shape
  if (t.state.released) return E.left(backendError(t.device, 'bind', 'a released tensor was passed to a kernel'))
  if (sizeOf(dims) !== t.size) return E.left(backendError(t.device, 'bind', `internal: [${dims}] read from a tensor of ${t.size} values`))
  if (t.store.data !== undefined) return E.right({ value: t.store.data, done: () => undefined, dims, data: t.store.data })
  const h = t.store.handle!
  const output = dims.length === 0 || t.size === 0 ? [1] : [...dims].reverse()
  const view = new (handleClass())({ buffer: h.buffer, output, componentCount: 1, context: h.context, kernel: undefined })
  return E.right({ value: view, done: () => view.delete(), dims })
}

/** An error value carried out of a `scoped` body (never escapes `scoped`). */
class Abort {
  constructor(readonly error: KernelError) {}
}

/**
 * The body of a resident op, as straight-line code: `s.ok(e)` unwraps an
 * Either or ends the body with its error; `s.temp(t)` marks a tensor as an
 * intermediate, released when the body ends however it ends (results are
 * not marked, so the caller gets them). Errors come out as `Left` values;
 * anything else thrown is a bug and propagates.
 */
export interface Scope {
  ok<T>(e: E.Either<KernelError, T>): T
  temp<T extends DeviceTensor | undefined>(t: T): T
}

export const scoped = async <T>(body: (s: Scope) => Promise<T>): Promise<E.Either<KernelError, T>> => {
  const temps: DeviceTensor[] = []
  const s: Scope = {
    ok: (e) => { if (E.isLeft(e)) throw new Abort(e.left); return e.right },
    temp: (t) => { if (t !== undefined) temps.push(t); return t },
  }
  try {
    return E.right(await body(s))
  } catch (e) {
    if (e instanceof Abort) return E.left(e.error)
    throw e
  } finally {
    release(...temps)
  }
}

/**
 * `f` with a device copy attached (uploaded now, once): host-path launches
 * that take `f` bind the copy instead of uploading `f` again (runtime.ts
 * `run`). webgpu only; on cpu `f` comes back as it is. Release the copy with
 * `unpin` when the op is done with it.
 */
export const pin = (dev: Device, f: F32): E.Either<KernelError, F32> => {
  if (dev.backend !== 'webgpu' || f.data.length === 0) return E.right(f)
  return E.map((t: DeviceTensor) => ({ ...f, resident: t }))(fromF32(dev, f.data, [f.data.length]))
}

export const unpin = (...fs: readonly (F32 | undefined)[]): void => { for (const f of fs) release(f?.resident) }
