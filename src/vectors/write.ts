/**
 * Golden vectors: cases in docs/case-format.md form computed by the
 * oracle, for other implementations to consume. Every attribute is written
 * explicitly (defaults filled in), every number comes from the seed, and JSON
 * number formatting is the shortest round-trip form, so one seed gives a
 * byte-identical file on every machine.
 */
import * as E from 'fp-ts/lib/Either.js'
import { formatError } from '../core/errors.ts'
import { type Op, type Tensors, gradInputs, vjp } from '../core/op.ts'
import { foldIn, keyFromSeed } from '../core/random.ts'
import { type DType, type Tensor, make } from '../core/tensor.ts'
import { encodeTensor } from '../cases/tensor-json.ts'
import { compute } from '../cases/evaluate.ts'
import type { Convention } from '../profiles/conventions.ts'
import { referenceOf } from '../fast/dispatch.ts'
import { setReference } from '../fast/mode.ts'
import { lookup } from '../registry.ts'
import { makeGen } from './gen.ts'
import { VARIANTS, type Variant } from './variants.ts'
import { compositeCases } from './composite.ts'

export type VectorDtype = 'float32' | 'float64'

const hash = (s: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/** Round float inputs to float32 when writing float32 vectors, so the oracle computes from what is written. */
const asDtype = (t: Tensor, dtype: VectorDtype): Tensor =>
  t.dtype === 'float64' || t.dtype === 'float32'
    ? make(t.shape, dtype === 'float32' ? t.data.map(Math.fround) : t.data, dtype)
    : t

const encodeAll = (ts: Tensors, dtype: VectorDtype) =>
  Object.fromEntries(Object.entries(ts).map(([k, t]) => [k, encodeTensor(t, t.dtype === 'int64' || t.dtype === 'bool' ? t.dtype : dtype as DType)]))

/** The parsed attributes written back in case form, checked to parse to the same thing. */
const explicitAttrs = (op: Op, raw: Readonly<Record<string, unknown>>): Record<string, unknown> => {
  const parsed = op.parseAttrs(raw)
  if (E.isLeft(parsed)) throw new Error(`vectors: variant attributes for ${op.name} do not parse: ${formatError(parsed.left)}`)
  const written = JSON.parse(JSON.stringify(parsed.right)) as Record<string, unknown>
  const again = op.parseAttrs(written)
  return E.isRight(again) && JSON.stringify(again.right) === JSON.stringify(parsed.right) ? written : { ...raw }
}

export interface VectorCase {
  readonly id: string
  readonly op: string
  readonly attrs: Record<string, unknown>
  readonly inputs: Record<string, unknown>
  readonly outputs: Record<string, unknown>
  readonly cotangents?: Record<string, unknown>
  readonly gradients?: Record<string, unknown>
}

/**
 * One golden case. Under PyTorch's conventions (no `conventions`) every
 * attribute is written out; under a profile only the variant's own attributes
 * are, because an omitted attribute takes the profile's default.
 */
export const makeCase = (op: Op, variant: Variant, k: number, seed: number, dtype: VectorDtype, conventions: readonly Convention[] = []): VectorCase => {
  op = referenceOf(op) // golden vectors are the readable reference's numbers, byte-stable (src/fast/dispatch.ts)
  const gen = makeGen(foldIn(foldIn(keyFromSeed(seed), hash(op.name)), k))
  const inputs = Object.fromEntries(Object.entries(variant.inputs(gen)).map(([n, t]) => [n, asDtype(t, dtype)]))
  const profiled = conventions.some((c) => c.op === op.name)
  const attrs = profiled ? { ...variant.attrs } : explicitAttrs(op, variant.attrs)
  const parsed = op.parseAttrs(attrs)
  if (E.isLeft(parsed)) throw new Error(`vectors: ${formatError(parsed.left)}`)
  const fwd = op.forward(parsed.right, inputs)
  if (E.isLeft(fwd)) throw new Error(`vectors: variant ${variant.name} of ${op.name} is not a valid case: ${formatError(fwd.left)}`)
  const wrt = gradInputs(op, inputs)
  const id = `${op.name}/${variant.name}-${String(k).padStart(2, '0')}`
  if (wrt.length === 0) {
    const outs = profiled ? compute(op, { id, op: op.name, attrs, inputs, outputs: {} }, conventions) : E.right({ outputs: fwd.right.outputs })
    if (E.isLeft(outs)) throw new Error(`vectors: ${formatError(outs.left)}`)
    return { id, op: op.name, attrs, inputs: encodeAll(inputs, dtype), outputs: encodeAll(outs.right.outputs, dtype) }
  }
  const cotangents: Record<string, Tensor> = {}
  for (const o of op.outputs) {
    const y = fwd.right.outputs[o.name]
    if (o.grad !== false && y !== undefined && y.dtype !== 'int64') cotangents[o.name] = asDtype(gen.normal(y.shape), dtype)
  }
  const r = profiled
    ? compute(op, { id, op: op.name, attrs, inputs, cotangents, gradients: {} }, conventions)
    : vjp(op, parsed.right, inputs, cotangents)
  if (E.isLeft(r)) throw new Error(`vectors: ${formatError(r.left)}`)
  return {
    id, op: op.name, attrs,
    inputs: encodeAll(inputs, dtype),
    outputs: encodeAll(r.right.outputs, dtype),
    cotangents: encodeAll(cotangents, dtype),
    // A convention may rewrite an input (class targets into soft targets): gradients only for the case's own wrt.
    gradients: encodeAll(Object.fromEntries(wrt.filter((k) => r.right.gradients[k] !== undefined).map((k) => [k, r.right.gradients[k]])), dtype),
  }
}

/** Cases for the named ops: `count` per op (default: each variant once), cycling through the variants. */
export function* vectorCases(ops: readonly string[], seed: number, dtype: VectorDtype, count?: number, conventions: readonly Convention[] = []): Generator<VectorCase> {
  for (const name of ops) {
    if (name === 'graph' || name === 'train') { // ./composite.ts, through the catalogue: force its readable references, as for every golden case
      const was = setReference(true)
      try { yield* compositeCases(name, seed, dtype, count) as Generator<VectorCase> } finally { setReference(was) }
      continue
    }
    const op = lookup(name)
    const variants = VARIANTS[name]
    if (op === undefined || variants === undefined) continue
    const n = count ?? variants.length
    for (let k = 0; k < n; k++) yield makeCase(op, variants[k % variants.length], k, seed, dtype, conventions)
  }
}

export const vectorOps = (): string[] => Object.keys(VARIANTS)
