/**
 * The kernel contract: the float32 mirror of an op of src/ (docs/style.md,
 * "One op, one path, five homes", habit 12). Same name, same attributes
 * (parsed by the src op's own parser where the op exists), same input and
 * output names, and the same equation numbers as the src module's header.
 *
 *   forward : (device, attrs, inputs)            -> Promise<Either<KernelError, Ran<{ outputs, cache }>>>
 *   backward: (device, attrs, cache, cotangents) -> Promise<Either<KernelError, Ran<gradients>>>
 *
 * Tensors come in as float64 (src/core/tensor.ts) and are rounded to float32
 * on upload; results come back as tensors of dtype float32 (their float64 data
 * holds the float32 values exactly). The cache is the kernel's own (float32
 * intermediates), not the src op's.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { RawAttrs } from '../src/core/attrs.ts'
import type { OpError } from '../src/core/errors.ts'
import type { Inputs, Tensors } from '../src/core/op.ts'
import { type Shape, type Tensor, make, sizeOf } from '../src/core/tensor.ts'
import { type DeviceTensor, bind, release, reshape } from './device-tensor.ts'
import { type Device, type F32, type KernelError, type KernelResult, type KernelSpec, type KernelThis, f32, runResident } from './runtime.ts'

export interface KernelForward<C> {
  readonly outputs: Tensors
  readonly cache: C
}

export interface KernelOp<A = any, C = any> {
  readonly name: string
  readonly parseAttrs: (raw: RawAttrs | undefined) => E.Either<OpError, A>
  readonly forward: (dev: Device, attrs: A, inputs: Inputs) => KernelResult<KernelForward<C>>
  /** undefined for ops with no backward kernel (optimizer steps) */
  readonly backward?: (dev: Device, attrs: A, cache: C, cotangents: Tensors) => KernelResult<Tensors>
  /** the same op on device-resident tensors (./device-tensor.ts), where the kernel has one */
  readonly resident?: ResidentOp<A, any>
}

/** Device tensors by input, output or gradient name. */
export type DeviceTensors = Readonly<Record<string, DeviceTensor>>

/**
 * An op on device-resident tensors: the same kernels and equations as its
 * KernelOp, with nothing uploaded or read back. Ownership: the caller owns
 * `inputs` and must keep them alive until `dispose(cache)`; the caller owns
 * every returned output and gradient (release them with device-tensor's
 * `release`); `dispose` frees what the cache itself holds (intermediates).
 * Attributes are the KernelOp's parsed attributes. Shapes are checked as the
 * host path checks them (the same errors).
 */
export interface ResidentOp<A = any, C = any> {
  readonly forward: (dev: Device, attrs: A, inputs: DeviceTensors) => Promise<E.Either<KernelError, { readonly outputs: DeviceTensors; readonly cache: C }>>
  /**
   * `wanted` names the gradients the caller will use (all when undefined); an
   * op may skip the others (a network's first layer needs no dx of its data).
   */
  readonly backward?: (dev: Device, attrs: A, cache: C, cotangents: DeviceTensors, wanted?: ReadonlySet<string>) => Promise<E.Either<KernelError, DeviceTensors>>
  readonly dispose: (cache: C) => void
}

/** A tensor as a float32 kernel argument of the given (row-major) dims, its shape by default. */
export const upload = (t: Tensor, dims: readonly number[] = t.shape): F32 => f32(Float32Array.from(t.data), dims)

/** A float32 result as a tensor (float32 values are exact in float64). */
export const download = (shape: Shape, data: Float32Array): Tensor => make(shape, Float64Array.from(data), 'float32')

/** A float32 result kept for another kernel, with its dims. */
export const keep = (data: Float32Array, dims: readonly number[]): F32 => f32(data, dims)

/** Row `which` of a [rows, n] device tensor (a copy: a view cannot start mid-buffer). */
const rowOf: KernelSpec = {
  name: 'resident.row',
  args: { a: 'Input', which: 'Integer' },
  fn: function (this: KernelThis, a: number[][], which: number): number {
    return a[which][this.thread.x]
  },
}

/** Element `index` along one axis of `t` bound as `dims`, by `kernel`, as a new device tensor of `shape` (the kernel's result released). */
const take = async (dev: Device, kernel: KernelSpec, t: DeviceTensor, dims: Shape, index: number, shape: Shape): Promise<E.Either<KernelError, DeviceTensor>> => {
  const r = await runResident(dev, kernel, [sizeOf(shape)], [bind(t, dims), index])
  if (E.isLeft(r)) return r
  const v = reshape(r.right, shape)
  release(r.right)
  return v
}

/** Row `which` of `t` read as [rows, size(shape)], as a new device tensor of `shape`. */
export const takeRow = (dev: Device, t: DeviceTensor, rows: number, which: number, shape: Shape): Promise<E.Either<KernelError, DeviceTensor>> =>
  take(dev, rowOf, t, [rows, sizeOf(shape)], which, shape)

/** Column `col` of an element-major [n, k] tensor (a k-component kernel result, ../runtime.ts `components`). */
const columnOf: KernelSpec = {
  name: 'resident.column',
  args: { a: 'Input', col: 'Integer' },
  fn: function (this: KernelThis, a: number[][], col: number): number {
    return a[this.thread.x][col]
  },
}

/** Column `col` of `t` read as [size(shape), k], as a new device tensor of `shape`. */
export const takeColumn = (dev: Device, t: DeviceTensor, k: number, col: number, shape: Shape): Promise<E.Either<KernelError, DeviceTensor>> =>
  take(dev, columnOf, t, [sizeOf(shape), k], col, shape)
