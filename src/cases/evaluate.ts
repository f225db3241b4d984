/**
 * Evaluate one case against the oracle: parse its attributes, run forward
 * (and the VJP when it names gradients), and compare.
 *
 *   pass         every named output and gradient within tolerance
 *   fail         some element outside it (the worst one is reported)
 *   invalid      the case breaks the format or the op's contract
 *   unsupported  an op (or attribute value) the oracle does not have
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, formatError } from '../core/errors.ts'
import { type Op, type Tensors, gradInputs, vjp } from '../core/op.ts'
import type { Convention } from '../profiles/conventions.ts'
import { lookup } from '../registry.ts'
import type { Case } from './case.ts'
import { type Mismatch, compareTensor, defaultTolerance } from './compare.ts'
import { evaluateComposite } from './evaluate-composite.ts'

export type Status = 'pass' | 'fail' | 'invalid' | 'unsupported'

export interface CaseResult {
  readonly status: Status
  readonly id?: string
  readonly op?: string
  readonly reason?: string
  readonly mismatches?: readonly Mismatch[]
  /** The oracle's numbers, for diagnosis (convention profiles) and fuzz replies. */
  readonly actual?: { readonly outputs: Tensors; readonly gradients: Tensors }
}

const fromError = (c: Case, e: OpError): CaseResult =>
  ({ status: e._tag === 'Unsupported' ? 'unsupported' : 'invalid', id: c.id, op: c.op, reason: formatError(e) })

const invalidCase = (c: Case, reason: string): CaseResult => ({ status: 'invalid', id: c.id, op: c.op, reason })

/** Names the case may use: outputs of the op, gradients of its differentiable inputs. */
const checkNames = (op: Op, c: Case): string | undefined => {
  const outs = op.outputs.map((o) => o.name)
  for (const k of Object.keys(c.outputs ?? {})) {
    if (!outs.includes(k)) return `outputs.${k}: ${op.name} has no output ${JSON.stringify(k)} (its outputs: ${outs.join(', ')})`
  }
  if (c.gradients !== undefined) {
    const gradable = gradInputs(op, c.inputs)
    for (const k of Object.keys(c.gradients)) {
      if (!gradable.includes(k)) {
        const spec = op.inputs.find((s) => s.name === k)
        const why = spec === undefined ? `${op.name} has no input ${JSON.stringify(k)}`
          : c.inputs[k] === undefined ? 'that input is absent from the case'
          : spec.grad === false ? `${op.name}'s ${k} gets no gradient (case format, Settled details)`
          : `an ${c.inputs[k].dtype} input gets no gradient`
        return `gradients.${k}: ${why}`
      }
    }
  }
  return undefined
}

/** Expected tensors must have the dtype kind of what they stand for: float for a float output or a gradient, int64 for indices. */
const expectedDtypes = (c: Case, outputs: Tensors): string | undefined => {
  const kind = (d: string) => (d === 'float32' || d === 'float64' ? 'float' : d)
  for (const [k, e] of Object.entries(c.outputs ?? {})) {
    const o = outputs[k]
    if (o !== undefined && kind(e.dtype) !== kind(o.dtype)) {
      return `outputs.${k}: expected a ${kind(o.dtype) === 'float' ? 'float32 or float64' : o.dtype} tensor (the op's output ${k} is ${o.dtype}), got ${e.dtype}`
    }
  }
  for (const [k, e] of Object.entries(c.gradients ?? {})) {
    if (kind(e.dtype) !== 'float') return `gradients.${k}: expected a float32 or float64 tensor (a gradient), got ${e.dtype}`
  }
  return undefined
}

/**
 * The oracle's outputs and gradients for a case, under conventions other than
 * PyTorch's where given (src/profiles): rewrites first, then corrections.
 */
export const compute = (op: Op, c: Case, conventions: readonly Convention[] = []): E.Either<OpError, { outputs: Tensors; gradients: Tensors }> => {
  const mine = conventions.filter((k) => k.op === op.name)
  const call = mine.reduce((acc, k) => (k.rewrite ? k.rewrite(acc) : acc), { attrs: { ...c.attrs }, inputs: { ...c.inputs } })
  const attrs = op.parseAttrs(call.attrs)
  if (E.isLeft(attrs)) return attrs
  const cot = c.cotangents ?? {}
  // The VJP runs whenever gradients are asked, cotangents are given (they must be
  // well formed even without gradients), or a correction may touch gradients.
  const r = c.gradients !== undefined || Object.keys(cot).length > 0 || mine.some((k) => k.post)
    ? vjp(op, attrs.right, call.inputs, cot)
    : E.map((f: { outputs: Tensors }) => ({ outputs: f.outputs, gradients: {} as Tensors }))(op.forward(attrs.right, call.inputs))
  return E.map((res: { outputs: Tensors; gradients: Tensors }) =>
    mine.reduce((acc, k) => (k.post ? k.post(call, { outputs: { ...acc.outputs }, gradients: { ...acc.gradients } }, { ...cot }) : acc), res))(r)
}

export const evaluate = (c: Case, conventions: readonly Convention[] = []): CaseResult => {
  if (c.composite !== undefined) return evaluateComposite(c, c.composite)
  const op = lookup(c.op)
  if (op === undefined) return { status: 'unsupported', id: c.id, op: c.op, reason: `op ${JSON.stringify(c.op)} is not in the oracle's catalogue` }
  const bad = checkNames(op, c)
  if (bad !== undefined) return invalidCase(c, bad)
  const r = compute(op, c, conventions)
  if (E.isLeft(r)) return fromError(c, r.left)
  const { outputs, gradients } = r.right
  const badDtype = expectedDtypes(c, outputs)
  if (badDtype !== undefined) return invalidCase(c, badDtype)

  const mismatches: Mismatch[] = []
  const tolFor = (dtype: Parameters<typeof defaultTolerance>[0]) => c.tolerance ?? defaultTolerance(dtype)
  for (const [k, e] of Object.entries(c.outputs ?? {})) {
    // Integer and bool outputs (max-pool indices) compare exactly whatever the tolerance.
    const tol = e.dtype === 'int64' || e.dtype === 'bool' ? defaultTolerance(e.dtype) : tolFor(e.dtype)
    const m = compareTensor(`outputs.${k}`, e, outputs[k], tol)
    if (m) mismatches.push(m)
  }
  for (const [k, e] of Object.entries(c.gradients ?? {})) {
    const m = compareTensor(`gradients.${k}`, e, gradients[k], tolFor(e.dtype))
    if (m) mismatches.push(m)
  }
  const actual = { outputs, gradients }
  return mismatches.length === 0
    ? { status: 'pass', id: c.id, op: c.op, actual }
    : { status: 'fail', id: c.id, op: c.op, mismatches, actual }
}
