/**
 * Evaluating a train case (case format v2, "Train cases"): k optimizer steps
 * of a graph as a PyTorch loop takes them, through the pure fold of
 * src/training. Step i evaluates the graph on the case's constant inputs, the
 * current parameters and step i's batch; `losses[i]` is the loss before step
 * i's update; `params` are compared after the last step.
 *
 * Learning-rate schedules, EMA averaging and L-BFGS run through
 * src/schedules/train-loop.ts (on the same fold), checked against PyTorch by
 * spec/schedules/train-torch-1.13.jsonl; everything else runs here.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, unsupported } from '../core/errors.ts'
import type { Tensors } from '../core/op.ts'
import { type Tensor, fromArray, isFloat, sameShape } from '../core/tensor.ts'
import { compile } from '../graph/graph.ts'
import { type Carry, type Objective, step } from '../training/fold.ts'
import { groupsFor } from '../training/groups.ts'
import { isOptimizerName } from '../training/optimizers.ts'
import { runTrain } from '../schedules/train-loop.ts'
import { type Mismatch, compareTensor, defaultTolerance } from './compare.ts'
import type { CompositeParsed, TrainCase } from './composite.ts'
import type { CaseResult } from './evaluate.ts'
import { resultOf } from './graph-case.ts'

export interface TrainOutcome {
  readonly losses: Tensor
  /** Every case input after the last step (frozen ones unchanged). */
  readonly params: Tensors
  /** The averaged parameters after the last step (empty without averaging). */
  readonly averaged: Tensors
}

/** The oracle's run of a train case, or why it cannot be run (a string: invalid). */
export const computeTrain = (c: CompositeParsed, t: TrainCase): E.Either<OpError | string, TrainOutcome> => {
  const stepNames = t.steps.length === 0 ? [] : Object.keys(t.steps[0]).sort()
  for (let i = 1; i < t.steps.length; i++) {
    const ks = Object.keys(t.steps[i]).sort()
    if (ks.length !== stepNames.length || ks.some((k, j) => k !== stepNames[j])) return E.left(`steps[${i}].inputs: every step gives the same input names (steps[0] gives ${stepNames.join(', ') || 'none'})`)
  }
  for (const k of stepNames) if (c.inputs[k] !== undefined) return E.left(`steps[0].inputs.${k}: also a case input (a value is either the same at every step, in inputs, or per step)`)
  for (const k of t.params) {
    const p = c.inputs[k]
    if (p === undefined) return E.left(`params: ${JSON.stringify(k)} is not a case input (every trained parameter starts in inputs)`)
    if (!isFloat(p)) return E.left(`params: ${JSON.stringify(k)} is ${p.dtype}; only float inputs can be trained`)
  }
  for (const k of Object.keys(t.expected.params)) if (c.inputs[k] === undefined) return E.left(`outputs.params.${k}: not a case input`)
  for (const k of Object.keys(t.expected.averaged)) if (!t.params.includes(k)) return E.left(`outputs.averaged.${k}: not in params`)
  if (t.expected.losses !== undefined && !sameShape(t.expected.losses.shape, [t.steps.length])) {
    return E.left(`outputs.losses: expected shape [${t.steps.length}] (one loss per step), got [${t.expected.losses.shape.join(', ')}]`)
  }
  if (t.optimizer.op === 'lbfgs' && t.paramGroups.length > 0) return E.left('param_groups: lbfgs takes no param_groups')
  const compiled = compile(t.graph, [...Object.keys(c.inputs), ...stepNames])
  if (E.isLeft(compiled)) return compiled
  if (!compiled.right.producer.has(t.loss)) return E.left(`loss: ${JSON.stringify(t.loss)} is not a node output of the graph`)
  if (t.averaging !== undefined && t.averaging.kind === 'ema' && typeof t.averaging.attrs.decay !== 'number') return E.left('averaging.attrs.decay: required for ema')
  const params: Record<string, Tensor> = {}
  const fixed: Record<string, Tensor> = {}
  for (const [k, v] of Object.entries(c.inputs)) (t.params.includes(k) ? params : fixed)[k] = v
  const obj: Objective = { compiled: compiled.right, loss: t.loss, fixed, trainable: t.params }
  if (t.schedule !== undefined || t.averaging !== undefined || t.optimizer.op === 'lbfgs') {
    // Schedules, averaging and L-BFGS: src/schedules/train-loop.ts, on the same fold.
    const r = runTrain(obj, c.inputs, t)
    if (E.isLeft(r)) return r
    return E.right({ losses: fromArray([r.right.losses.length], r.right.losses), params: { ...fixed, ...r.right.params }, averaged: r.right.averaged })
  }
  const opt = groupsFor(t.optimizer.op, t.params, t.optimizer.attrs, t.paramGroups)
  if (E.isLeft(opt)) return opt
  if (!isOptimizerName(t.optimizer.op)) return E.left(unsupported('train', 'optimizer.op', 'sgd, adam, adamw, rmsprop, adagrad or lbfgs', JSON.stringify(t.optimizer.op)))
  const one = step(obj, opt.right)
  let carry: Carry<unknown> = { params, state: opt.right.init(params), buffers: {} }
  const losses: number[] = []
  for (let i = 0; i < t.steps.length; i++) {
    const r = one(carry as Carry<never>, undefined, t.steps[i])
    if (E.isLeft(r)) return E.left({ ...r.left, arg: `steps[${i}]: ${r.left.arg}` })
    carry = r.right.carry
    losses.push(r.right.metrics.loss)
  }
  return E.right({ losses: fromArray([losses.length], losses), params: { ...fixed, ...carry.params }, averaged: {} })
}

export const evaluateTrain = (c: CompositeParsed, t: TrainCase): CaseResult => {
  const r = computeTrain(c, t)
  if (E.isLeft(r)) return typeof r.left === 'string' ? { status: 'invalid', id: c.id, op: c.op, reason: r.left } : resultOf(c, r.left)
  const mismatches: Mismatch[] = []
  const tolFor = (e: Tensor) => c.tolerance ?? defaultTolerance(e.dtype)
  if (t.expected.losses !== undefined) {
    const m = compareTensor('outputs.losses', t.expected.losses, r.right.losses, tolFor(t.expected.losses))
    if (m) mismatches.push(m)
  }
  for (const [k, e] of Object.entries(t.expected.params)) {
    const m = compareTensor(`outputs.params.${k}`, e, r.right.params[k], tolFor(e))
    if (m) mismatches.push(m)
  }
  for (const [k, e] of Object.entries(t.expected.averaged)) {
    const m = compareTensor(`outputs.averaged.${k}`, e, r.right.averaged[k], tolFor(e), 'no average: the case has no averaging')
    if (m) mismatches.push(m)
  }
  const actual = {
    outputs: {
      losses: r.right.losses,
      ...Object.fromEntries(Object.entries(r.right.params).map(([k, v]) => [`params.${k}`, v])),
      ...Object.fromEntries(Object.entries(r.right.averaged).map(([k, v]) => [`averaged.${k}`, v])),
    },
    gradients: {},
  }
  return mismatches.length === 0
    ? { status: 'pass', id: c.id, op: c.op, actual }
    : { status: 'fail', id: c.id, op: c.op, mismatches, actual }
}
