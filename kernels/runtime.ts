/**
 * The gpu.js runtime under every float32 kernel (kernels/gpujs-notes.md is
 * the field guide; its section numbers are cited as "gpujs §k").
 *
 * A `Device` is one gpu.js `GPU` in one backend:
 *   - 'webgpu': WGSL compute shaders over f32 buffers, through dawn.node
 *     (npm `webgpu`), whose `create([])` supplies `navigator.gpu`. On a machine
 *     with no GPU the adapter is Mesa's lavapipe (kernels/setup-webgpu.sh).
 *   - 'cpu': gpu.js's own cpu mode, the same kernel source transpiled to JS:
 *     float64 arithmetic, float32 output (gpujs §5.1). A translation check,
 *     not the reference: the reference is src/, in plain float64 TypeScript.
 * The backend is chosen per call (`openDevice('cpu')`) or per run
 * (NN_ORACLE_BACKEND=cpu|webgpu, default webgpu). With no WebGPU adapter the
 * device falls back to cpu with a loud warning, unless
 * NN_ORACLE_REQUIRE_WEBGPU=1 (CI sets it), which makes that an error.
 * Every result carries the backend and adapter that produced it (`Ran`).
 *
 * Kernels are shape-generic on webgpu: sizes travel as `Integer` arguments,
 * with dynamicOutput and dynamicArguments on, so one compiled kernel serves
 * every shape (a new WGSL text costs ~120 ms to compile on lavapipe,
 * gpujs §6.4); they are cached by (name, rank signature), the one thing a
 * compiled kernel cannot change (gpujs §7.13). On cpu they are cached by
 * (name, full shape) instead (see cacheKey). Either way the cache is a small
 * LRU whose evictions call destroy() (an undestroyed kernel keeps ~1.2 MB,
 * gpujs §7.10).
 *
 * Traps handled here, once, for every kernel:
 *   - loops bounded by an argument stop silently at loopMaxIterations
 *     (default 1000, gpujs §3): every kernel gets LOOP_CAP, and an Integer
 *     argument above it is refused rather than truncated;
 *   - mode 'async' silently stays on webasm when WGSL fails (gpujs §4): the
 *     backend is explicit, and the mode a kernel actually built in is checked
 *     after its first call;
 *   - argument kinds freeze at the first call (gpujs §7.13): every tensor goes
 *     in as input(Float32Array, dims), with its rank in the cache key;
 *   - gpu.js throws some errors and rejects others (gpujs §4): both become
 *     `Left` values here, and nothing escapes as an exception;
 *   - buffers above the device's binding limit (128 MiB on lavapipe, gpujs
 *     §7.2) are refused before upload with an error value.
 */
import * as E from 'fp-ts/lib/Either.js'
import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { type OpError, formatError, unsupported } from '../src/core/errors.ts'
import { type Bound, type DeviceTensor, type GpuHandle, adopt, bind, binding, fromF32, isBound, isDeviceTensor } from './device-tensor.ts'

export type Backend = 'webgpu' | 'cpu'

/** A failure of the machinery rather than of the caller's request. */
export interface BackendError {
  readonly _tag: 'BackendError'
  readonly op: string
  readonly backend: Backend
  readonly adapter: string
  readonly message: string
}

export type KernelError = OpError | BackendError

export const formatKernelError = (e: KernelError): string =>
  e._tag === 'BackendError' ? `${e.op}: ${e.backend} (${e.adapter}): ${e.message}` : formatError(e)

/** A value together with where it was computed. */
export interface Ran<T> {
  readonly value: T
  readonly backend: Backend
  readonly adapter: string
}

export type KernelResult<T> = Promise<E.Either<KernelError, Ran<T>>>

// ---------------------------------------------------------------- gpu.js, typed as far as we use it

/** `this` inside a kernel: thread ids are i32 on webgpu (gpujs §3). */
export interface KernelThis {
  readonly thread: { readonly x: number; readonly y: number; readonly z: number }
  readonly output: { readonly x: number; readonly y: number; readonly z: number }
}

interface GpuKernel {
  (...args: unknown[]): unknown
  setOutput(output: number[]): unknown
  destroy(): void
  readonly kernel?: { readonly constructor: { readonly mode?: string } }
}

interface GpuInstance {
  createKernel(fn: Function, settings: Record<string, unknown>): GpuKernel
}

interface GpuJs {
  GPU: new (settings: { mode: string }) => GpuInstance
  input: (value: Float32Array, size: number[]) => unknown
  WebGPUContext: { acquire(): Promise<{ adapter: { info?: AdapterInfo; limits: { maxStorageBufferBindingSize: number } } }> }
}

interface AdapterInfo { readonly vendor?: string; readonly architecture?: string; readonly description?: string }

const require = createRequire(import.meta.url)

/**
 * gpu.js and webgpu are optional peer dependencies of nn-oracle: only this
 * entry point (`nn-oracle/kernels`) needs them, so the reference path and the
 * CLI install without their ~220 MB. Loaded on first use; when missing,
 * `openDevice` returns an error value that says how to install them.
 */
export const INSTALL_HINT = 'npm install gpu.js@2.24.1 webgpu@0.6.2 (optional peer dependencies of nn-oracle/kernels)'
let gpujsModule: GpuJs | undefined
const loadGpuJs = (): E.Either<string, GpuJs> => {
  if (gpujsModule !== undefined) return E.right(gpujsModule)
  try {
    gpujsModule = require('gpu.js') as GpuJs
    return E.right(gpujsModule)
  } catch (e) {
    return E.left(`gpu.js is not installed (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); install it with: ${INSTALL_HINT}`)
  }
}
/** Only called once a device exists, which required gpu.js to load. */
const gpujsLoaded = (): GpuJs => gpujsModule!

// ---------------------------------------------------------------- kernel specs

export type ArgType = 'Input' | 'Integer' | 'Float'

/**
 * One gpu.js kernel. `fn` must be a `function` (gpu.js parses its source;
 * arrow functions are refused, gpujs §2) and may call the plain `function`
 * declarations in `functions`. `args` lists every parameter, in order, with
 * its type: 'Input' for tensors (row-major dims, gpu.js reads a[i0][i1][i2]),
 * 'Integer' for sizes and flags (i32 on webgpu), 'Float' for scalars (f32).
 * Kernel code indexes inline or through 'Input' dims, never through a
 * declared integer local: such locals are f32 on webgpu and go wrong above
 * 2^24 (gpujs §3, "Numeric types").
 */
export interface KernelSpec {
  readonly name: string
  readonly fn: Function
  readonly args: Readonly<Record<string, ArgType>>
  readonly functions?: readonly Function[]
  /**
   * Values each thread returns (default 1): a kernel returning [a, b] .. [a, b, c, d]
   * (gpu.js Array(2)-Array(4), gpujs §2) writes them thread-major, components
   * fastest; `run` returns sizeOf(out) * components values and `runResident` a
   * tensor of shape [...out, components].
   */
  readonly components?: 1 | 2 | 3 | 4
}

/** A tensor argument: float32 data in row-major order and its shape. */
export interface F32 {
  readonly data: Float32Array
  readonly dims: readonly number[]
  /**
   * A device copy of `data` (device-tensor.ts `pin`): `run` binds it instead
   * of uploading the data again, so an op that reads one tensor in several
   * launches uploads it once.
   */
  readonly resident?: DeviceTensor
}

export type Arg = F32 | number

export const f32 = (data: ArrayLike<number>, dims: readonly number[]): F32 =>
  ({ data: data instanceof Float32Array ? data : Float32Array.from(data), dims })

/**
 * Loop bound given to every kernel. Kernel loops run to an Integer argument,
 * so the cap must exceed every such argument; 2^24 is also where f32 stops
 * representing integers, past which indices are not trustworthy anyway.
 */
export const LOOP_CAP = 2 ** 24

/** maxComputeWorkgroupsPerDimension, the WebGPU default that gpu.js's device keeps. */
const WG_MAX = 65535

/** Kernels kept compiled per device; ~1.2 MB each on lavapipe (gpujs §7.10). */
export const CACHE_SIZE = 48

// ---------------------------------------------------------------- devices

/** A compiled kernel and whether a launch has shown it runs on the device's own backend. */
type CacheEntry = { readonly kernel: GpuKernel; verified: boolean }

export interface Device {
  readonly backend: Backend
  readonly adapter: string
  /** largest f32 element count of one buffer (Infinity on cpu) */
  readonly maxElements: number
  readonly gpu: GpuInstance
  readonly cache: Map<string, CacheEntry>
  /** webgpu: gpu.js's shared { adapter, device } (WebGPUContext.acquire), which device tensors upload through */
  readonly context?: unknown
}

const CPU_ADAPTER = 'gpu.js cpu mode (JavaScript, float64 arithmetic, float32 output)'

const envBackend = (): Backend => (process.env.NN_ORACLE_BACKEND === 'cpu' ? 'cpu' : 'webgpu')
const requireWebGpu = (): boolean => process.env.NN_ORACLE_REQUIRE_WEBGPU === '1'

let cpuDevice: Device | undefined
let gpuDevice: Promise<E.Either<string, Device>> | undefined

const makeCpu = (): Device =>
  (cpuDevice ??= { backend: 'cpu', adapter: CPU_ADAPTER, maxElements: Infinity, gpu: new (gpujsLoaded().GPU)({ mode: 'cpu' }), cache: new Map() })

const describe = (i: AdapterInfo | undefined): string =>
  [i?.vendor, i?.architecture, i?.description].filter((s) => s !== undefined && s !== '').join(' / ') || 'unknown adapter'

/** `<tmp>/nn-oracle-xdg-<uid>`, private to the user as XDG_RUNTIME_DIR must be (mode 0700). */
const runtimeDir = (): string => {
  const dir = join(tmpdir(), `nn-oracle-xdg-${userInfo().uid}`)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  return dir
}

/** navigator.gpu from dawn.node, then the adapter gpu.js will use; Left with the reason when there is none. */
const makeWebGpu = async (): Promise<E.Either<string, Device>> => {
  try {
    // Mesa writes its shader cache and sockets under XDG_RUNTIME_DIR and warns on every start when unset.
    // One folder per user, reused by every process (a fresh one per process would pile up in the temp folder).
    process.env.XDG_RUNTIME_DIR ??= runtimeDir()
    const g = globalThis as { navigator?: { gpu?: unknown } }
    if (g.navigator?.gpu === undefined) {
      const webgpu = (await import('webgpu').catch((e: unknown) => {
        throw new Error(`the webgpu package is not installed (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); install it with: ${INSTALL_HINT}`)
      })) as unknown as { create: (o: string[]) => unknown; globals: object }
      Object.assign(globalThis, webgpu.globals) // GPUBufferUsage and friends, which gpu.js reads as globals
      const gpu = webgpu.create([])
      if (g.navigator === undefined) g.navigator = { gpu }
      else Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true })
    }
    const context = await gpujsLoaded().WebGPUContext.acquire()
    const { adapter } = context
    return E.right({
      context,
      backend: 'webgpu',
      adapter: describe(adapter.info),
      maxElements: Math.floor(adapter.limits.maxStorageBufferBindingSize / 4),
      gpu: new (gpujsLoaded().GPU)({ mode: 'webgpu' }),
      cache: new Map(),
    })
  } catch (e) {
    return E.left(e instanceof Error ? e.message : String(e))
  }
}

let warned = false
const warnFallback = (reason: string): void => {
  if (warned) return
  warned = true
  const bar = '!'.repeat(78)
  console.warn(`${bar}\nnn-oracle kernels: NO WEBGPU ADAPTER, FALLING BACK TO gpu.js CPU MODE.\n  reason: ${reason}\n` +
    `  Results report backend 'cpu'. On Debian/Ubuntu, kernels/setup-webgpu.sh installs a software adapter;\n` +
    `  set NN_ORACLE_REQUIRE_WEBGPU=1 to make this an error.\n${bar}`)
}

/**
 * The device for `backend` (default: NN_ORACLE_BACKEND, else webgpu). One
 * device per backend per process: gpu.js shares one GPUDevice anyway
 * (gpujs §1).
 */
export const openDevice = async (backend: Backend = envBackend()): Promise<E.Either<KernelError, Device>> => {
  const loaded = loadGpuJs()
  if (E.isLeft(loaded)) return E.left({ _tag: 'BackendError', op: 'openDevice', backend, adapter: 'none', message: loaded.left })
  if (backend === 'cpu') return E.right(makeCpu())
  gpuDevice ??= makeWebGpu()
  const d = await gpuDevice
  if (E.isRight(d)) return d
  if (requireWebGpu()) {
    return E.left({ _tag: 'BackendError', op: 'openDevice', backend: 'webgpu', adapter: 'none', message: `no WebGPU adapter and NN_ORACLE_REQUIRE_WEBGPU=1: ${d.left}` })
  }
  warnFallback(d.left)
  return E.right(makeCpu())
}

// ---------------------------------------------------------------- running a kernel

const backendError = (dev: Device, op: string, message: string): E.Either<KernelError, never> =>
  E.left({ _tag: 'BackendError', op, backend: dev.backend, adapter: dev.adapter, message })

const sizeOf = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1)

/** gpu.js returns Float32Array, rows of them, or planes of rows: flatten to row-major. */
const flatten = (r: unknown, n: number): Float32Array => {
  if (r instanceof Float32Array) return r.length === n ? r : r.slice(0, n)
  // gpu.js webgpu shapes its readback as subarrays of one Float32Array: take that array whole
  let leaf: unknown = r
  while (Array.isArray(leaf) && leaf.length > 0) leaf = leaf[0]
  if (leaf instanceof Float32Array && leaf.byteOffset === 0 && leaf.buffer.byteLength === n * 4) return new Float32Array(leaf.buffer, 0, n)
  const out = new Float32Array(n)
  let at = 0
  const walk = (v: unknown): void => {
    if (v instanceof Float32Array) { out.set(v, at); at += v.length } else for (const w of v as unknown[]) walk(w)
  }
  walk(r)
  return out
}

const checkArgs = (dev: Device, spec: KernelSpec, out: readonly number[], args: readonly Arg[]): E.Either<KernelError, void> => {
  const types = Object.values(spec.args)
  if (types.length !== args.length) return backendError(dev, spec.name, `internal: ${args.length} arguments for ${types.length} parameters`)
  if (out.length < 1 || out.length > 3) return backendError(dev, spec.name, `internal: output rank ${out.length}; gpu.js has 1 to 3`)
  for (let i = 0; i < args.length; i++) {
    const a = args[i], t = types[i]
    if (t === 'Input') {
      if (typeof a === 'number') return backendError(dev, spec.name, `internal: argument ${i} must be a tensor`)
      if (a.data.length !== sizeOf(a.dims)) return backendError(dev, spec.name, `internal: argument ${i} has ${a.data.length} values for dims [${a.dims}]`)
      if (a.data.length > dev.maxElements) {
        return E.left(unsupported(spec.name, `argument ${i}`, `at most ${dev.maxElements} float32 values per buffer on this device`, `${a.data.length}`, 'split the tensor; gpu.js binds each tensor as one storage buffer'))
      }
    } else if (typeof a !== 'number') return backendError(dev, spec.name, `internal: argument ${i} must be a number`)
    else if (t === 'Integer' && (!Number.isInteger(a) || Math.abs(a) > LOOP_CAP)) {
      return E.left(unsupported(spec.name, `argument ${i}`, `an integer of magnitude <= ${LOOP_CAP} (the loop cap)`, String(a)))
    }
  }
  // 1-D dispatches fold past 65535 workgroups; 2-D and 3-D ones do not (gpujs §7.3: 8x8x1 workgroups).
  const limit = out.length === 1 ? [Infinity] : out.length === 2 ? [WG_MAX * 8, WG_MAX * 8] : [WG_MAX, WG_MAX * 8, WG_MAX * 8]
  if (dev.backend === 'webgpu' && out.some((d, i) => d > limit[i])) {
    return E.left(unsupported(spec.name, 'output', `dims within [${limit}] (workgroups per dimension)`, `[${out}]`))
  }
  if (sizeOf(out) * (spec.components ?? 1) > dev.maxElements) {
    return E.left(unsupported(spec.name, 'output', `at most ${dev.maxElements} float32 values per buffer on this device`, String(sizeOf(out) * (spec.components ?? 1))))
  }
  return E.right(undefined)
}

/**
 * The shape key of a compiled kernel. webgpu: the ranks only (shape-generic).
 * cpu: every dim, because gpu.js 2.24.1's cpu mode indexes a 2-D/3-D Input
 * with the OUTPUT's strides when dynamicArguments is on
 * (src/backend/cpu/function-node.js, the `dynamicArguments ? 'outputX'`
 * branches; spec/kernels/traps.spec.ts shows it), so there each shape gets its
 * own kernel with the sizes baked in (a cpu build costs ~2-3 ms, gpujs §6.4).
 */
const cacheKey = (dev: Device, spec: KernelSpec, out: readonly number[], args: readonly Arg[]): string => {
  const shapeOf = (dims: readonly number[]): string => (dev.backend === 'webgpu' ? String(dims.length) : dims.join('x'))
  return `${spec.name}|${shapeOf(out)}|${args.map((a) => (typeof a === 'number' ? 's' : shapeOf(a.dims))).join(',')}`
}

const kernelFor = (dev: Device, spec: KernelSpec, key: string, resident = false): CacheEntry => {
  const hit = dev.cache.get(key)
  if (hit !== undefined) {
    dev.cache.delete(key) // re-insert: Map order is the LRU order
    dev.cache.set(key, hit)
    return hit
  }
  const kernel = dev.gpu.createKernel(spec.fn, {
    output: [1],
    argumentTypes: { ...spec.args },
    functions: [...(spec.functions ?? [])],
    loopMaxIterations: LOOP_CAP,
    dynamicOutput: true,
    dynamicArguments: dev.backend === 'webgpu',
    // resident kernels keep their result on the device, a fresh buffer per launch (gpujs §7.8)
    ...(resident ? { pipeline: true, immutable: true } : {}),
  })
  const entry = { kernel, verified: false }
  dev.cache.set(key, entry)
  while (dev.cache.size > CACHE_SIZE) {
    const [oldest, old] = dev.cache.entries().next().value!
    dev.cache.delete(oldest)
    old.kernel.destroy()
  }
  return entry
}

/** Drop (and destroy) every cached kernel, e.g. after a device loss (gpujs §7.11). */
export const clearCache = (dev: Device): void => {
  for (const { kernel } of dev.cache.values()) {
    try { kernel.destroy() } catch { /* already dead with its device */ }
  }
  dev.cache.clear()
}

/**
 * Run `spec` over an output of row-major shape `out` (rank 1-3; the kernel
 * sees this.thread.x as the last index). Zero-size outputs return without a
 * launch; zero-size tensor arguments are passed as one zero (a kernel reads
 * nothing from an empty tensor, but gpu.js cannot bind an empty buffer).
 */
export const run = async (dev: Device, spec: KernelSpec, out: readonly number[], args: readonly Arg[]): Promise<E.Either<KernelError, Float32Array>> => {
  const checked = checkArgs(dev, spec, out, args)
  if (E.isLeft(checked)) return checked
  const n = sizeOf(out) * (spec.components ?? 1)
  if (n === 0) return E.right(new Float32Array(0))
  const key = cacheKey(dev, spec, out, args)
  try {
    const entry = kernelFor(dev, spec, key)
    entry.kernel.setOutput([...out].reverse())
    const views: (() => void)[] = []
    const gpuArgs = args.map((a) => {
      if (typeof a === 'number') return a
      if (a.data.length > 0 && a.resident !== undefined && !a.resident.state.released && a.resident.store.handle !== undefined) {
        const b = binding(bind(a.resident, a.dims))
        if (E.isRight(b)) { views.push(b.right.done); return b.right.value }
      }
      return gpuInput(a)
    })
    let result: unknown
    try { result = await entry.kernel(...gpuArgs) } finally { for (const done of views) done() }
    const wrongMode = verifyMode(dev, spec, key, entry)
    if (wrongMode !== undefined) return wrongMode
    return E.right(flatten(result, n))
  } catch (e) {
    return launchFailure(dev, spec, key, e)
  }
}

/** An F32 host tensor as a gpu.js argument; an empty one stands in as a single zero (gpu.js rejects empty inputs). */
const gpuInput = (a: F32): unknown =>
  a.data.length === 0 ? gpujsLoaded().input(new Float32Array(1), a.dims.map(() => 1)) : gpujsLoaded().input(a.data, [...a.dims].reverse())

/**
 * After a kernel's first launch: the backend gpu.js really built it for (it falls
 * back silently when WGSL fails to compile, gpujs §0). Left, and the kernel
 * evicted, when it is not the device's; undefined once verified.
 */
const verifyMode = (dev: Device, spec: KernelSpec, key: string, entry: CacheEntry): E.Either<KernelError, never> | undefined => {
  if (entry.verified) return undefined
  const mode = entry.kernel.kernel?.constructor.mode
  if (mode !== dev.backend) {
    dev.cache.delete(key)
    entry.kernel.destroy()
    return backendError(dev, spec.name, `kernel built in mode ${String(mode)}, not ${dev.backend}`)
  }
  entry.verified = true
  return undefined
}

/** A launch that threw: drop the whole cache on a lost device, evict a kernel never seen working, and say why. */
const launchFailure = (dev: Device, spec: KernelSpec, key: string, e: unknown): E.Either<KernelError, never> => {
  const message = e instanceof Error ? e.message : String(e)
  if (/device (was )?lost/i.test(message)) clearCache(dev)
  const old = dev.cache.get(key)
  if (old !== undefined && !old.verified) { dev.cache.delete(key); try { old.kernel.destroy() } catch { /* dead */ } }
  return backendError(dev, spec.name, message.length > 2000 ? message.slice(0, 2000) + ' ...' : message)
}

/** Wrap a value with its provenance. */
export const ran = <T>(dev: Device, value: T): Ran<T> => ({ value, backend: dev.backend, adapter: dev.adapter })

// ---------------------------------------------------------------- device-resident launches (./device-tensor.ts)

/** A kernel argument of `runResident`: a host tensor (uploaded at this launch), a scalar, or a device tensor (bound, not copied). */
export type ResidentArg = Arg | DeviceTensor | Bound

/**
 * `run`, with the result left on the device as a DeviceTensor of shape `out`
 * and device tensors accepted as arguments (bound in place: no upload). On
 * webgpu the kernel is built in gpu.js pipeline mode, immutable (a fresh
 * output buffer per launch, gpujs §7.8), cached apart from its host-path
 * twin; the launch is a queue submit with no wait and no readback. On cpu
 * the same kernel runs through `run` and the result stays in host memory.
 */
export const runResident = async (dev: Device, spec: KernelSpec, out: readonly number[], args: readonly ResidentArg[]): Promise<E.Either<KernelError, DeviceTensor>> => {
  const bindings: { readonly done: () => void }[] = []
  const cleanup = (): void => { for (const b of bindings) b.done() }
  const values: unknown[] = []
  const plain: Arg[] = []
  for (const a of args) {
    if (isDeviceTensor(a) || isBound(a)) {
      const b = binding(a)
      if (E.isLeft(b)) { cleanup(); return b }
      bindings.push(b.right)
      values.push(b.right.value)
      // the checks read only the length and dims of a tensor argument
      plain.push(b.right.data !== undefined ? f32(b.right.data, b.right.dims) : { data: { length: sizeOf(b.right.dims) } as Float32Array, dims: b.right.dims })
    } else {
      values.push(a)
      plain.push(a)
    }
  }
  try {
    const shape = (spec.components ?? 1) === 1 ? out : [...out, spec.components!]
    if (dev.backend === 'cpu') {
      const r = await run(dev, spec, out, plain)
      return E.map((v: Float32Array) => adopt(dev, shape, v))(r)
    }
    const checked = checkArgs(dev, spec, out, plain)
    if (E.isLeft(checked)) return checked
    if (sizeOf(shape) === 0) return fromF32(dev, new Float32Array(0), shape)
    const key = `resident|${cacheKey(dev, spec, out, plain)}`
    try {
      const entry = kernelFor(dev, spec, key, true)
      entry.kernel.setOutput([...out].reverse())
      const gpuArgs = values.map((v) => (typeof v === 'number' || isGpuHandleLike(v) ? v : gpuInput(v as F32)))
      const handle = await entry.kernel(...gpuArgs)
      const wrongMode = verifyMode(dev, spec, key, entry)
      if (wrongMode !== undefined) return wrongMode
      return E.right(adopt(dev, shape, handle as GpuHandle))
    } catch (e) {
      return launchFailure(dev, spec, key, e)
    }
  } finally {
    cleanup()
  }
}

/** A gpu.js pipeline handle (a view from `binding`), as opposed to an F32 host tensor. */
const isGpuHandleLike = (v: unknown): boolean => typeof v === 'object' && v !== null && 'buffer' in v && 'context' in v
