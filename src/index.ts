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
export { parseCase, parseLine, type Case } from './cases/case.ts'
export { evaluate, compute, type CaseResult } from './cases/evaluate.ts'
export { PROFILES, profileConventions } from './profiles/profiles.ts'
export { CONVENTIONS } from './profiles/conventions.ts'
export { diagnose } from './profiles/diagnose.ts'
