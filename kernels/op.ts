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
import type * as E from 'fp-ts/lib/Either.js'
import type { RawAttrs } from '../src/core/attrs.ts'
import type { OpError } from '../src/core/errors.ts'
import type { Inputs, Tensors } from '../src/core/op.ts'
import { type Shape, type Tensor, make } from '../src/core/tensor.ts'
import { type Device, type F32, type KernelResult, f32 } from './runtime.ts'

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
}

/** A tensor as a float32 kernel argument of the given (row-major) dims, its shape by default. */
export const upload = (t: Tensor, dims: readonly number[] = t.shape): F32 => f32(Float32Array.from(t.data), dims)

/** A float32 result as a tensor (float32 values are exact in float64). */
export const download = (shape: Shape, data: Float32Array): Tensor => make(shape, Float64Array.from(data), 'float32')

/** A float32 result kept for another kernel, with its dims. */
export const keep = (data: Float32Array, dims: readonly number[]): F32 => f32(data, dims)
