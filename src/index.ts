/**
 * nn-oracle: the library's public entry point.
 *
 *   lookup('layer_norm')          an op value { name, inputs, outputs, parseAttrs, forward, backward }
 *   vjp(op, attrs, inputs, cot)   forward and the hand-derived VJP, as an Either
 *   evaluate(case)                check one case-format case
 */
export { allOps, lookup, registry } from './registry.ts'
export { type Op, type Inputs, type Tensors, type Forward, type Vjp, defineOp, vjp, gradInputs } from './core/op.ts'
export { type OpError, formatError } from './core/errors.ts'
export * as Tensor from './core/tensor.ts'
export * as Random from './core/random.ts'
export * as Graph from './graph/index.ts'
export * as Training from './training/index.ts'
export * as Schedules from './schedules/index.ts'
export * as Averaging from './averaging/index.ts'
export * as Ensembles from './ensembles/index.ts'
export * as SecondOrder from './second-order/index.ts'
export * as Augmentation from './augmentation/index.ts'
export * as Preprocessing from './preprocessing/index.ts'
export * as Data from './data/index.ts'
export { parseCase, parseLine, type Case } from './cases/case.ts'
export { evaluate, compute, type CaseResult } from './cases/evaluate.ts'
export { PROFILES, profileConventions } from './profiles/profiles.ts'
export { CONVENTIONS } from './profiles/conventions.ts'
export { diagnose } from './profiles/diagnose.ts'

import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { type OpError as Err, invalid as invalidError, unsupported as unsupportedError } from './core/errors.ts'
import { type Tensors as Ts, type Inputs as Ins, type Vjp as V, vjp as vjpOf } from './core/op.ts'
import { lookup as find } from './registry.ts'

/**
 * The one-call entry: an op by catalogue name, attributes as the case format
 * writes them (defaults filled in), inputs, and optional cotangents.
 * Returns outputs, and the gradients of sum(cotangent * output) when
 * cotangents are given, or an error value naming what is wrong.
 */
export const apply = (name: string, attrs: Readonly<Record<string, unknown>>, inputs: Ins, cotangents?: Ts): E.Either<Err, V> => {
  const op = typeof name === 'string' ? find(name) : undefined
  if (op === undefined) return E.left(unsupportedError(String(name), 'op', 'an op of the catalogue (nn-oracle ops)', JSON.stringify(name) ?? String(name)))
  if (attrs !== undefined && (attrs === null || typeof attrs !== 'object' || Array.isArray(attrs))) return E.left(invalidError(name, 'attrs', 'an object of attributes', JSON.stringify(attrs) ?? String(attrs)))
  try {
    return pipe(
      op.parseAttrs(attrs),
      E.chain((a) => (cotangents === undefined
        ? E.map((f: { outputs: Ts }) => ({ outputs: f.outputs, gradients: {} }))(op.forward(a, inputs))
        : vjpOf(op, a, inputs, cotangents))),
    )
  } catch (e) {
    // Never a throw from the public entry: whatever escaped validation is reported as a value.
    return E.left(invalidError(name, 'inputs', 'inputs the oracle can compute', `an internal error (please report): ${String((e as Error)?.message ?? e).slice(0, 200)}`))
  }
}
