/**
 * Evaluating a graph case (case format v2, "Graph cases"): compile the graph
 * against the case's inputs, run it forward, and when gradients or cotangents
 * are given, backward through src/graph/interpret.ts; then compare what the
 * case names, as for a single op.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, formatError } from '../core/errors.ts'
import type { Tensors } from '../core/op.ts'
import { isFloat } from '../core/tensor.ts'
import { type Compiled, compile } from '../graph/graph.ts'
import { checkCotangents, backward, forward } from '../graph/interpret.ts'
import type { Tensor } from '../core/tensor.ts'
import { type Mismatch, compareTensor, defaultTolerance } from './compare.ts'
import type { CompositeParsed, GraphCase } from './composite.ts'
import type { CaseResult } from './evaluate.ts'

export const resultOf = (c: { id: string; op: string }, e: OpError): CaseResult =>
  ({ status: e._tag === 'Unsupported' ? 'unsupported' : 'invalid', id: c.id, op: c.op, reason: formatError(e) })

/** Whether value `v` is read by some node in a differentiable input slot. */
export const readDifferentiably = (compiled: Compiled, v: string): boolean | undefined => {
  let read = false
  for (const cn of compiled.nodes) {
    for (const [slot, value] of Object.entries(cn.node.inputs)) {
      if (value !== v) continue
      read = true
      if (cn.op.inputs.find((s) => s.name === slot)?.grad !== false) return true
    }
  }
  return read ? false : undefined
}

/** The oracle's values and gradients for a graph case, or why it cannot be evaluated. */
export const computeGraph = (c: CompositeParsed, g: GraphCase): E.Either<OpError | string, { outputs: Tensors; gradients: Tensors }> => {
  const compiled = compile(g.graph, Object.keys(c.inputs))
  if (E.isLeft(compiled)) return compiled
  const known = new Set([...Object.keys(c.inputs), ...compiled.right.producer.keys()])
  for (const k of Object.keys(c.outputs ?? {})) if (!known.has(k)) return E.left(`outputs.${k}: not a value of the graph`)
  for (const k of Object.keys(c.gradients ?? {})) {
    const t = c.inputs[k]
    if (t === undefined) return E.left(`gradients.${k}: not an input of the case (gradients are taken with respect to case inputs)`)
    if (!isFloat(t)) return E.left(`gradients.${k}: an ${t.dtype} input gets no gradient`)
    if (readDifferentiably(compiled.right, k) === false) return E.left(`gradients.${k}: every node reads it where no gradient exists (a loss's weight, running statistics, a mask: case format, Settled details)`)
  }
  const run = forward(compiled.right, c.inputs)
  if (E.isLeft(run)) return run
  const outputs: Record<string, Tensor> = {}
  for (const k of Object.keys(c.outputs ?? {})) outputs[k] = run.right.values[k]
  const cot = c.cotangents ?? {}
  if (c.gradients === undefined && Object.keys(cot).length === 0) return E.right({ outputs, gradients: {} })
  const checked = checkCotangents(run.right, cot)
  if (E.isLeft(checked)) return checked
  const { grads } = backward(run.right, checked.right)
  const gradients: Record<string, Tensor> = {}
  for (const k of Object.keys(c.gradients ?? {})) {
    const v = c.inputs[k]
    // Unreached: the VJP is exactly zero.
    gradients[k] = grads[k] ?? { dtype: 'float64', shape: v.shape, data: new Float64Array(v.data.length) }
  }
  return E.right({ outputs, gradients })
}

export const evaluateGraph = (c: CompositeParsed, g: GraphCase): CaseResult => {
  const r = computeGraph(c, g)
  if (E.isLeft(r)) return typeof r.left === 'string' ? { status: 'invalid', id: c.id, op: c.op, reason: r.left } : resultOf(c, r.left)
  const mismatches: Mismatch[] = []
  const tolFor = (e: Tensor) => (e.dtype === 'int64' || e.dtype === 'bool' ? defaultTolerance(e.dtype) : c.tolerance ?? defaultTolerance(e.dtype))
  for (const [k, e] of Object.entries(c.outputs ?? {})) {
    const m = compareTensor(`outputs.${k}`, e, r.right.outputs[k], tolFor(e))
    if (m) mismatches.push(m)
  }
  for (const [k, e] of Object.entries(c.gradients ?? {})) {
    const m = compareTensor(`gradients.${k}`, e, r.right.gradients[k], tolFor(e))
    if (m) mismatches.push(m)
  }
  return mismatches.length === 0
    ? { status: 'pass', id: c.id, op: c.op, actual: r.right }
    : { status: 'fail', id: c.id, op: c.op, mismatches, actual: r.right }
}
