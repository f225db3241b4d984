/**
 * The op contract (docs/style.md, "One op, one path, five homes").
 *
 * An op is a value: a pure `forward` from attributes and named inputs to named
 * outputs and a named cache, and a hand-derived `backward`, the vector-Jacobian
 * product, from that cache and the cotangents of the outputs to the gradients
 * of the inputs. There is no autodiff engine: every backward is written from
 * its derivation (each module's header cites the equations).
 *
 *   forward : (attrs, inputs)          -> Either<OpError, { outputs, cache }>
 *   backward: (attrs, cache, cotangents) -> gradients
 *
 * `forward` validates at the edge and returns an error value; `backward` is
 * total, because its arguments come from a successful forward and from
 * cotangents whose shapes `vjp` (below) has already checked.
 *
 * A fast op may add a third, optional, for when the cotangents come with the
 * call: both in one pass, the same values to the bit, or undefined to leave
 * the call to the two (`Fused` below).
 *
 *   fused   : (attrs, inputs, cotangents) -> { outputs, gradients } | undefined
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type { RawAttrs } from './attrs.ts'
import { type OpError, invalid, show, showShape } from './errors.ts'
import { type Tensor, isFloat, sameShape, zeros } from './tensor.ts'

/** Which dtypes an input accepts. */
export type InputKind = 'float' | 'int' | 'float-or-int' | 'any'

export interface InputSpec {
  readonly name: string
  readonly optional?: boolean
  /** false for inputs that never get a gradient (a loss's weight, running stats, masks). */
  readonly grad?: boolean
  readonly kind?: InputKind
}

export interface OutputSpec {
  readonly name: string
  /**
   * false for outputs outside the differentiable graph: integer outputs
   * (max-pool indices) and batch norm's running statistics, which PyTorch
   * updates as buffers with no gradient. A cotangent for a non-grad float
   * output is accepted and contributes nothing; one for an int output is invalid.
   */
  readonly grad?: boolean
}

export type Inputs = Readonly<Record<string, Tensor | undefined>>
export type Tensors = Readonly<Record<string, Tensor>>

export interface Forward<C> {
  readonly outputs: Tensors
  readonly cache: C
}

export interface Op<A = any, C = any> {
  readonly name: string
  readonly inputs: readonly InputSpec[]
  readonly outputs: readonly OutputSpec[]
  readonly parseAttrs: (raw: RawAttrs | undefined) => E.Either<OpError, A>
  readonly forward: (attrs: A, inputs: Inputs) => E.Either<OpError, Forward<C>>
  readonly backward: (attrs: A, cache: C, cotangents: Tensors) => Tensors
  /** Optional: forward and backward in one pass (`Fused`). */
  readonly fused?: Fused<A>
}

/**
 * An op's vector-Jacobian product in one pass, for when the cotangents are
 * known before the forward (`vjp` below): the outputs and the gradients of
 * every input, the same to the bit as forward then backward would give. It
 * may decline with undefined, and for anything it does not take (any input
 * or cotangent the two passes would report as an error among them) it must:
 * `vjp` then runs the two passes, so errors come from one place. The
 * gradients of inputs that get none are filtered out by `vjp`, as for the
 * two passes.
 */
export type Fused<A> = (attrs: A, inputs: Inputs, cotangents: Tensors) => Vjp | undefined

/**
 * For a `Fused` pass: the cotangents' only entry, `name`, when it is a
 * well-formed float tensor (what `vjp` checks of each cotangent but its
 * shape, which the pass checks against its own output); else undefined,
 * and the pass declines.
 */
export const soleCotangent = (cotangents: Tensors, name: string): Tensor | undefined => {
  if (cotangents === null || typeof cotangents !== 'object' || Object.keys(cotangents).length !== 1) return undefined
  const g = cotangents[name]
  return g === undefined || tensorProblem(g) !== undefined || !isFloat(g) ? undefined : g
}

export interface OpDefinition<A, C> {
  readonly name: string
  readonly inputs: readonly InputSpec[]
  readonly outputs: readonly (string | OutputSpec)[]
  readonly attrs: (op: string, raw: RawAttrs | undefined) => E.Either<OpError, A>
  readonly forward: (attrs: A, inputs: Inputs) => E.Either<OpError, Forward<C>>
  readonly backward: (attrs: A, cache: C, cotangents: Tensors) => Tensors
  readonly fused?: Fused<A>
}

const dtypeOk = (kind: InputKind, t: Tensor): boolean =>
  kind === 'any' ? true
    : kind === 'float' ? isFloat(t)
    : kind === 'int' ? t.dtype === 'int64'
    : isFloat(t) || t.dtype === 'int64'

const kindText: Record<InputKind, string> = {
  float: 'a float32 or float64 tensor',
  int: 'an int64 tensor',
  'float-or-int': 'a float or int64 tensor',
  any: 'a tensor',
}

const DTYPES: readonly string[] = ['float32', 'float64', 'int64', 'bool']

/**
 * What is wrong with a value that should be a tensor, or undefined: the API is
 * called from plain JavaScript too, so a tensor's structure is checked at the
 * edge (a dtype of the four, a shape of non-negative integers, a Float64Array
 * of exactly the shape's size, integers for int64, 0/1 for bool), never
 * assumed by the code behind it.
 */
export const tensorProblem = (t: unknown): string | undefined => {
  if (t === null || typeof t !== 'object') return `${show(t)}, not a tensor {dtype, shape, data}`
  const { dtype, shape, data } = t as { dtype?: unknown; shape?: unknown; data?: unknown }
  if (typeof dtype !== 'string' || !DTYPES.includes(dtype)) return `dtype ${show(dtype)} (expected one of ${DTYPES.join(', ')})`
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return `shape ${show(shape)} (expected a list of non-negative integers)`
  if (!(data instanceof Float64Array)) return 'data that is not a Float64Array (build tensors with Tensor.fromArray or Tensor.make)'
  const n = (shape as number[]).reduce((a, b) => a * b, 1)
  if (data.length !== n) return `${data.length} elements of data for shape ${showShape(shape as number[])}, which holds ${n}`
  if (dtype === 'int64') { for (let i = 0; i < n; i++) if (!Number.isSafeInteger(data[i])) return `int64 data with the non-integer ${data[i]} at ${i}` }
  if (dtype === 'bool') { for (let i = 0; i < n; i++) if (data[i] !== 0 && data[i] !== 1) return `bool data with ${data[i]} at ${i} (expected 0 or 1)` }
  return undefined
}

/** The generic edge: no unknown inputs, required ones present, well-formed tensors, dtypes of the right kind. */
export const checkInputs = (op: string, specs: readonly InputSpec[], inputs: Inputs): E.Either<OpError, Inputs> => {
  if (inputs === null || typeof inputs !== 'object') return E.left(invalid(op, 'inputs', 'an object of named tensors', show(inputs)))
  for (const k of Object.keys(inputs)) {
    const bad = inputs[k] === undefined ? undefined : tensorProblem(inputs[k])
    if (bad !== undefined) return E.left(invalid(op, `inputs.${k}`, 'a tensor', bad))
    if (inputs[k] !== undefined && !specs.some((s) => s.name === k)) {
      return E.left(invalid(op, `inputs.${k}`, `one of the inputs ${specs.map((s) => s.name).join(', ')}`, `unknown input ${show(k)}`))
    }
  }
  for (const s of specs) {
    const t = inputs[s.name]
    if (t === undefined) {
      if (!s.optional) return E.left(invalid(op, `inputs.${s.name}`, kindText[s.kind ?? 'float'], 'nothing (it is required)'))
      continue
    }
    if (!dtypeOk(s.kind ?? 'float', t)) return E.left(invalid(op, `inputs.${s.name}`, kindText[s.kind ?? 'float'], `dtype ${t.dtype}`))
  }
  return E.right(inputs)
}

/**
 * The most elements one output may have: 2^27 float64s (1 GiB). Attributes
 * that ask for more (conv_transpose2d with stride 1e5) get an error value,
 * not an allocation failure thrown from inside the op.
 */
export const MAX_OUTPUT_ELEMENTS = 2 ** 27

const tooLarge = (op: string, n: number): OpError =>
  invalid(op, 'attrs', `attributes and shapes whose outputs hold at most ${MAX_OUTPUT_ELEMENTS} elements each`, n === Infinity ? 'an output too large to allocate' : `an output of ${n} elements`, 'a stride, padding or size far beyond the input is the usual cause')

/** Build an op from its definition; the generic input checks run before the op's own forward. */
export const defineOp = <A, C>(d: OpDefinition<A, C>): Op<A, C> => ({
  name: d.name,
  inputs: d.inputs,
  outputs: d.outputs.map((o) => (typeof o === 'string' ? { name: o } : o)),
  parseAttrs: (raw) => d.attrs(d.name, raw),
  forward: (attrs, inputs) => pipe(checkInputs(d.name, d.inputs, inputs), E.chain((ins) => {
    const r = allocating(() => d.forward(attrs, ins))
    if (r === undefined) return E.left(tooLarge(d.name, Infinity))
    if (E.isRight(r)) for (const t of Object.values(r.right.outputs)) if (t.data.length > MAX_OUTPUT_ELEMENTS) return E.left(tooLarge(d.name, t.data.length))
    return r
  })),
  backward: d.backward,
  // the generic checks first; a result the two passes would refuse (an allocation
  // beyond the limit, an output too large) is declined, and they report it
  ...(d.fused === undefined ? {} : {
    fused: (attrs: A, inputs: Inputs, cot: Tensors) => {
      if (E.isLeft(checkInputs(d.name, d.inputs, inputs))) return undefined
      const r = allocating(() => d.fused!(attrs, inputs, cot))
      return r === undefined || Object.values(r.outputs).some((t) => t.data.length > MAX_OUTPUT_ELEMENTS) ? undefined : r
    },
  }),
})

/**
 * f(), or undefined where it ran out of room: an array too large to allocate
 * is a request beyond the limit, not an oracle bug; anything else is rethrown.
 */
const allocating = <T>(f: () => T): T | undefined => {
  try {
    return f()
  } catch (e) {
    if (e instanceof RangeError && /array length|allocation|buffer/i.test(e.message)) return undefined
    throw e
  }
}

/** The inputs of this call that get a gradient: present, float, and not excluded by the spec. */
export const gradInputs = (op: Op, inputs: Inputs): string[] =>
  op.inputs.filter((s) => s.grad !== false && inputs[s.name] !== undefined && isFloat(inputs[s.name]!)).map((s) => s.name)

export interface Vjp {
  readonly outputs: Tensors
  readonly gradients: Tensors
}

/**
 * Forward then backward, the public entry point for a vector-Jacobian product.
 * Cotangents are checked against the outputs (name, shape, float dtype); an
 * output with no cotangent gets zeros (case format, `cotangents`). An op with
 * a `fused` pass that takes the call gives the same values in one pass.
 */
export const vjp = <A, C>(op: Op<A, C>, attrs: A, inputs: Inputs, cotangents: Tensors): E.Either<OpError, Vjp> => {
  const one = op.fused?.(attrs, inputs, cotangents)
  if (one !== undefined) return E.right({ outputs: one.outputs, gradients: withGradients(op, inputs, one.gradients) })
  return twoPass(op, attrs, inputs, cotangents)
}

/** The gradients of the inputs that get one (`gradInputs`), out of all an op's backward returned. */
const withGradients = (op: Op, inputs: Inputs, all: Tensors): Tensors => {
  const gradients: Record<string, Tensor> = {}
  for (const name of gradInputs(op, inputs)) if (all[name] !== undefined) gradients[name] = all[name]
  return gradients
}

/** `vjp` as forward then backward. */
const twoPass = <A, C>(op: Op<A, C>, attrs: A, inputs: Inputs, cotangents: Tensors): E.Either<OpError, Vjp> =>
  pipe(
    op.forward(attrs, inputs),
    E.chain((fwd) => {
      const cot: Record<string, Tensor> = {}
      if (cotangents === null || typeof cotangents !== 'object') return E.left(invalid(op.name, 'cotangents', 'an object of named tensors', show(cotangents)))
      for (const k of Object.keys(cotangents)) {
        const bad = tensorProblem(cotangents[k])
        if (bad !== undefined) return E.left(invalid(op.name, `cotangents.${k}`, 'a tensor', bad))
        const spec = op.outputs.find((o) => o.name === k)
        const out = fwd.outputs[k]
        if (spec === undefined || out === undefined) {
          return E.left(invalid(op.name, `cotangents.${k}`, `a cotangent for one of the outputs ${op.outputs.map((o) => o.name).join(', ')}`, `unknown output ${show(k)}`))
        }
        const c = cotangents[k]
        if (!isFloat(c)) return E.left(invalid(op.name, `cotangents.${k}`, 'a float tensor', `dtype ${c.dtype}`))
        if (!isFloat(out)) return E.left(invalid(op.name, `cotangents.${k}`, 'no cotangent (an integer output has no gradient)', `a cotangent of shape ${showShape(c.shape)}`))
        if (!sameShape(c.shape, out.shape)) return E.left(invalid(op.name, `cotangents.${k}`, `shape ${showShape(out.shape)} (the output's)`, showShape(c.shape)))
        if (spec.grad !== false) cot[k] = c
      }
      for (const o of op.outputs) {
        const out = fwd.outputs[o.name]
        if (o.grad !== false && out !== undefined && cot[o.name] === undefined) cot[o.name] = zeros(out.shape)
      }
      return E.right({ outputs: fwd.outputs, gradients: withGradients(op, inputs, op.backward(attrs, fwd.cache, cot)) })
    }),
  )
