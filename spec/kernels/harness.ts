/**
 * Kernel-equals-reference, bound to uvu and fast-check (docs/style.md,
 * habit 9 and the tinygrad row: one suite, run once per backend).
 *
 * `parity` registers one test per backend (webgpu through dawn.node, and
 * gpu.js cpu mode). Each draws cases, runs the float64 op of src/ and the
 * float32 kernel, and checks every element of every output and gradient
 * against the bound the spec derives from the kernel's own arithmetic
 * (./bounds.ts). Inputs and cotangents are drawn as float32 values, so the
 * upload is exact and the bound is the kernel's arithmetic alone (the
 * `upload rounding` property in layers.spec.ts adds the rounding of float64
 * inputs to the bound and checks that too).
 *
 * Runs are deterministic (seed from the test name, as spec/support/property.ts);
 * a failure prints the seed and path to replay.
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import type { Test } from 'uvu'
import type { RawAttrs } from '../../src/core/attrs.ts'
import { formatError } from '../../src/core/errors.ts'
import { type Op, type Tensors, vjp } from '../../src/core/op.ts'
import { keyFromSeed, normalArray } from '../../src/core/random.ts'
import { type Shape, type Tensor, fromArray, sameShape, sizeOf } from '../../src/core/tensor.ts'
import type { KernelOp } from '../../kernels/op.ts'
import { type DeviceTensor, release, toDevice, toHost } from '../../kernels/device-tensor.ts'
import * as assert from 'uvu/assert'
import { type Backend, type Device, formatKernelError, openDevice } from '../../kernels/runtime.ts'
import { type ValueOptions, value } from '../laws/arbitraries.ts'
import { seedOf } from '../support/property.ts'
import { type B, check, checkRelative, exact } from './bounds.ts'

export const BACKENDS: readonly Backend[] = ['webgpu', 'cpu']

/**
 * Cases per kernel per backend. Each case runs every launch of the op
 * (a webgpu launch costs ~0.3 ms of overhead on lavapipe, gpujs §6.1), and
 * the bound is checked elementwise, so 100 cases check thousands of elements.
 */
export const KERNEL_RUNS = 100

/** A device, or a thrown error naming why (a test failure, never a silent skip). */
export const device = async (backend: Backend): Promise<Device> => {
  const d = await openDevice(backend)
  if (E.isLeft(d)) throw new Error(formatKernelError(d.left))
  return d.right
}

// ---------------------------------------------------------------- arbitraries of float32 values

/** A float32 value (drawn as float64, rounded once: still at least ~gap from a kink, gap >> u |x|). */
export const value32 = (o: ValueOptions = {}): fc.Arbitrary<number> => value(o).map(Math.fround)

export const tensor32 = (shape: Shape, o: ValueOptions = {}): fc.Arbitrary<Tensor> =>
  fc.array(value32(o), { minLength: sizeOf(shape), maxLength: sizeOf(shape) }).map((vs) => fromArray(shape, vs))

/** Standard normal float32 cotangents of a shape, from a seed. */
export const cotangent = (shape: Shape, seed: number): Tensor =>
  fromArray(shape, normalArray(keyFromSeed(seed), sizeOf(shape)).map(Math.fround))

// ---------------------------------------------------------------- parity

export interface Case {
  readonly attrs: RawAttrs
  readonly inputs: Tensors
  /** seed of the float32 cotangents (one per output, drawn by `cotangent`) */
  readonly seed: number
}

/** Reference results: outputs, and gradients for the given cotangents. */
export interface Reference {
  readonly outputs: Tensors
  readonly gradients?: Tensors
}

/** Bounds per element, in the reference's flat order. */
export interface Bounds {
  readonly outputs: Readonly<Record<string, readonly B[]>>
  readonly gradients?: Readonly<Record<string, readonly B[]>>
}

/** Relative budgets in ULPs per element (./bounds.ts checkRelative), in the reference's flat order; undefined skips an element. */
export interface Relative {
  readonly outputs: Readonly<Record<string, readonly (number | undefined)[]>>
  readonly gradients?: Readonly<Record<string, readonly (number | undefined)[]>>
}

export interface Parity<A> {
  readonly kernel: KernelOp<A>
  /** the float64 reference, usually `opReference(src op)` */
  readonly reference: (c: Case, cotangents: Tensors) => Reference
  readonly arb: fc.Arbitrary<Case>
  readonly bounds: (c: Case, attrs: A, cotangents: Tensors) => Bounds
  /** budgets for normal float32 results, checked beside `bounds` (optional) */
  readonly relative?: (c: Case, attrs: A, cotangents: Tensors) => Relative
  readonly runs?: number
  readonly name?: string
}

/** The src op's forward and vjp as the reference. */
export const opReference = (op: Op) => (c: Case, cotangents: Tensors): Reference => {
  const attrs = op.parseAttrs(c.attrs)
  if (E.isLeft(attrs)) throw new Error(formatError(attrs.left))
  const r = vjp(op, attrs.right, c.inputs, cotangents)
  if (E.isLeft(r)) throw new Error(formatError(r.left))
  return r.right
}

/** One element: within its absolute bound, and within its relative budget when it has one (./bounds.ts). */
export const checkElement = (label: string, k: number, r: number, b: B, ulps?: number): string | undefined =>
  check(label, k, r, b) ?? (ulps === undefined ? undefined : checkRelative(label, k, r, ulps))

const compare = (what: string, k: Tensor | undefined, r: Tensor, b: readonly B[] | undefined, rel?: readonly (number | undefined)[]): string | undefined => {
  if (k === undefined) return `${what}: missing from the kernel's results`
  if (!sameShape(k.shape, r.shape)) return `${what}: kernel shape [${k.shape}], reference [${r.shape}]`
  if (k.dtype !== 'float32') return `${what}: kernel dtype ${k.dtype}, expected float32`
  if (b === undefined || b.length !== r.data.length) return `${what}: the spec gives ${b?.length} bounds for ${r.data.length} elements`
  if (rel !== undefined && rel.length !== r.data.length) return `${what}: the spec gives ${rel.length} relative budgets for ${r.data.length} elements`
  for (let i = 0; i < r.data.length; i++) {
    const msg = checkElement(`${what}[${i}]`, k.data[i], r.data[i], b[i], rel?.[i])
    if (msg !== undefined) return msg
  }
  return undefined
}

/** One parity case on one device: undefined when every element is within its bound. */
export const parityCase = async <A>(p: Parity<A>, dev: Device, c: Case): Promise<string | undefined> => {
  const attrs = p.kernel.parseAttrs(c.attrs)
  if (E.isLeft(attrs)) return formatError(attrs.left)
  const fwd = await p.kernel.forward(dev, attrs.right, c.inputs)
  if (E.isLeft(fwd)) return formatKernelError(fwd.left)
  if (fwd.right.backend !== dev.backend || fwd.right.adapter !== dev.adapter) return `result says ${fwd.right.backend} (${fwd.right.adapter}), device is ${dev.backend}`
  const outs = fwd.right.value.outputs
  const cot: Record<string, Tensor> = {}
  Object.keys(outs).sort().forEach((k, i) => { cot[k] = cotangent(outs[k].shape, c.seed + i) })
  const ref = p.reference(c, cot)
  const bounds = p.bounds(c, attrs.right, cot)
  const rel = p.relative?.(c, attrs.right, cot)
  for (const k of Object.keys(ref.outputs)) {
    const msg = compare(`outputs.${k}`, outs[k], ref.outputs[k], bounds.outputs[k], rel?.outputs[k])
    if (msg !== undefined) return msg
  }
  if (p.kernel.backward === undefined || ref.gradients === undefined) return undefined
  const bwd = await p.kernel.backward(dev, attrs.right, fwd.right.value.cache, cot)
  if (E.isLeft(bwd)) return formatKernelError(bwd.left)
  if (bwd.right.backend !== dev.backend) return `gradients say ${bwd.right.backend}, device is ${dev.backend}`
  for (const k of Object.keys(ref.gradients)) {
    const msg = compare(`gradients.${k}`, bwd.right.value[k], ref.gradients[k], bounds.gradients?.[k], rel?.gradients?.[k])
    if (msg !== undefined) return msg
  }
  return undefined
}

/** Register the parity property of a kernel, once per backend. */
export const parity = <A>(test: Test, p: Parity<A>): void => {
  for (const backend of BACKENDS) {
    const name = `${p.name ?? p.kernel.name} [${backend}]: float32 kernel within its derived bound of the float64 op`
    test(name, async () => {
      const dev = await device(backend)
      const seed = process.env.NN_ORACLE_SEED !== undefined ? Number(process.env.NN_ORACLE_SEED) : seedOf(name)
      const path = process.env.NN_ORACLE_PATH
      const details = await fc.check(fc.asyncProperty(p.arb, async (c) => {
        const msg = await parityCase(p, dev, c)
        if (msg !== undefined) throw new Error(msg)
      }), { numRuns: p.runs ?? KERNEL_RUNS, seed, ...(path ? { path } : {}) })
      if (details.failed) {
        const err = details.errorInstance as Error | undefined
        throw new Error(
          `"${name}" failed after ${details.numRuns} runs on ${dev.backend} (${dev.adapter}): ${err?.message ?? String(details.errorInstance)}\n` +
          `  counterexample: ${fc.stringify(details.counterexample).slice(0, 2000)}\n` +
          `  replay: NN_ORACLE_SEED=${details.seed} NN_ORACLE_PATH=${details.counterexamplePath} node spec/run.mjs spec/kernels`,
        )
      }
    })
  }
}

/** Bounds of a pointwise op: f per element, and g f'(x) given the bound of y. */
export const pointwiseBounds = <A>(f: (x: B, a: A) => B, df: (x: B, y: B, g: B, a: A) => B) =>
  (c: Case, a: A, cot: Tensors): Bounds => {
    const x = c.inputs.x.data
    const ys = Array.from(x, (v) => f(exact(v), a))
    const g = cot.y.data
    return { outputs: { y: ys }, gradients: { x: ys.map((y, i) => df(exact(x[i]), y, exact(g[i]), a)) } }
  }

/**
 * The resident form of `kernel` (kernels/device-tensor.ts) must give the host
 * path's float32 numbers bit for bit: the forward on `inputs`, then the
 * backward against the cotangent drawn from `seed`, every output and gradient
 * compared with Object.is (so -0 and NaN count). Throws on the first difference.
 */
export const residentMatchesHost = async <A>(dev: Device, kernel: KernelOp<A>, attrs: A, inputs: Tensors, seed: number): Promise<void> => {
  const must = <T>(e: E.Either<unknown, T>): T => { if (E.isLeft(e)) throw new Error(formatKernelError(e.left as never)); return e.right }
  const host = must(await kernel.forward(dev, attrs, inputs)).value
  const cot = { y: cotangent(host.outputs.y.shape, seed) }
  const hg = must(await kernel.backward!(dev, attrs, host.cache, cot)).value
  const r = kernel.resident!
  const din: Record<string, DeviceTensor> = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, must(toDevice(dev, t))]))
  const rf = must(await r.forward(dev, attrs, din))
  const g = must(toDevice(dev, cot.y))
  const rg = must(await r.backward!(dev, attrs, rf.cache, { y: g }))
  const pairs: [string, Tensor, DeviceTensor][] = [['y', host.outputs.y, rf.outputs.y], ...Object.keys(hg).map((k): [string, Tensor, DeviceTensor] => [`d${k}`, hg[k], rg[k]])]
  try {
    assert.equal(Object.keys(rg).sort(), Object.keys(hg).sort(), 'the same gradients')
    for (const [name, h, d] of pairs) {
      const t = must(await toHost(d))
      assert.equal(t.shape, h.shape, `${name} shape`)
      for (let i = 0; i < h.data.length; i++) if (!Object.is(t.data[i], h.data[i])) assert.unreachable(`${name}[${i}]: host ${h.data[i]}, resident ${t.data[i]}`)
    }
  } finally {
    r.dispose(rf.cache)
    release(...Object.values(din), g, ...Object.values(rf.outputs), ...Object.values(rg))
  }
}
