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
import { lookup } from '../registry.ts'
import type { Case } from './case.ts'
import { type Mismatch, compareTensor, defaultTolerance } from './compare.ts'

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

export const evaluate = (c: Case): CaseResult => {
  const op = lookup(c.op)
  if (op === undefined) return { status: 'unsupported', id: c.id, op: c.op, reason: `op ${JSON.stringify(c.op)} is not in the oracle's catalogue` }
  const bad = checkNames(op, c)
  if (bad !== undefined) return invalidCase(c, bad)
  const attrs = op.parseAttrs(c.attrs)
  if (E.isLeft(attrs)) return fromError(c, attrs.left)

  let outputs: Tensors, gradients: Tensors = {}
  if (c.gradients !== undefined) {
    const r = vjp(op, attrs.right, c.inputs, c.cotangents ?? {})
    if (E.isLeft(r)) return fromError(c, r.left)
    outputs = r.right.outputs
    gradients = r.right.gradients
  } else {
    if (c.cotangents !== undefined && Object.keys(c.cotangents).length > 0) {
      // Cotangents without gradients still have to be well formed: run the VJP to validate them.
      const r = vjp(op, attrs.right, c.inputs, c.cotangents)
      if (E.isLeft(r)) return fromError(c, r.left)
      outputs = r.right.outputs
    } else {
      const r = op.forward(attrs.right, c.inputs)
      if (E.isLeft(r)) return fromError(c, r.left)
      outputs = r.right.outputs
    }
  }

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
