/**
 * The op contract (../shared/STYLE.md, "One op, one path, five homes").
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
}

export interface OpDefinition<A, C> {
  readonly name: string
  readonly inputs: readonly InputSpec[]
  readonly outputs: readonly (string | OutputSpec)[]
  readonly attrs: (op: string, raw: RawAttrs | undefined) => E.Either<OpError, A>
  readonly forward: (attrs: A, inputs: Inputs) => E.Either<OpError, Forward<C>>
  readonly backward: (attrs: A, cache: C, cotangents: Tensors) => Tensors
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

/** The generic edge: no unknown inputs, required ones present, dtypes of the right kind. */
export const checkInputs = (op: string, specs: readonly InputSpec[], inputs: Inputs): E.Either<OpError, Inputs> => {
  for (const k of Object.keys(inputs)) {
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

/** Build an op from its definition; the generic input checks run before the op's own forward. */
export const defineOp = <A, C>(d: OpDefinition<A, C>): Op<A, C> => ({
  name: d.name,
  inputs: d.inputs,
  outputs: d.outputs.map((o) => (typeof o === 'string' ? { name: o } : o)),
  parseAttrs: (raw) => d.attrs(d.name, raw),
  forward: (attrs, inputs) => pipe(checkInputs(d.name, d.inputs, inputs), E.chain((ins) => d.forward(attrs, ins))),
  backward: d.backward,
})

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
 * output with no cotangent gets zeros (case format, `cotangents`).
 */
export const vjp = <A, C>(op: Op<A, C>, attrs: A, inputs: Inputs, cotangents: Tensors): E.Either<OpError, Vjp> =>
  pipe(
    op.forward(attrs, inputs),
    E.chain((fwd) => {
      const cot: Record<string, Tensor> = {}
      for (const k of Object.keys(cotangents)) {
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
      const all = op.backward(attrs, fwd.cache, cot)
      const gradients: Record<string, Tensor> = {}
      for (const name of gradInputs(op, inputs)) if (all[name] !== undefined) gradients[name] = all[name]
      return E.right({ outputs: fwd.outputs, gradients })
    }),
  )
