/**
 * Parsing the two composite case kinds of case format v2: `graph` (a network's
 * forward and VJP, "Graph cases") and `train` (k optimizer steps, "Train
 * cases"). `parseCase` (./case.ts) hands a line here when its op is one of
 * them; the result rides on `Case.composite` and `evaluate` (./evaluate.ts)
 * hands it to ./graph-case.ts or ./train-case.ts.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { RawAttrs } from '../core/attrs.ts'
import { show } from '../core/errors.ts'
import type { Tensor } from '../core/tensor.ts'
import type { Graph } from '../graph/graph.ts'
import { parseGraph } from '../graph/graph.ts'
import { formatError } from '../core/errors.ts'
import { type Tolerance, isPlainObject, tensorMap, tolerance } from './fields.ts'
import { decodeTensor } from './tensor-json.ts'

export const COMPOSITE_OPS = ['graph', 'train'] as const
export const isComposite = (op: unknown): op is 'graph' | 'train' => op === 'graph' || op === 'train'

export type { Tolerance } from './fields.ts'
type Tensors = Readonly<Record<string, Tensor>>

export interface GraphCase {
  readonly kind: 'graph'
  readonly graph: Graph
}

export interface TrainCase {
  readonly kind: 'train'
  readonly graph: Graph
  readonly loss: string
  readonly params: readonly string[]
  readonly optimizer: { readonly op: string; readonly attrs: RawAttrs }
  readonly paramGroups: readonly { readonly params: readonly string[]; readonly attrs: RawAttrs }[]
  readonly schedule?: { readonly kind: string; readonly attrs: RawAttrs }
  readonly averaging?: { readonly kind: string; readonly attrs: RawAttrs }
  readonly steps: readonly Tensors[]
  readonly expected: { readonly losses?: Tensor; readonly params: Tensors; readonly averaged: Tensors }
}

export type Composite = GraphCase | TrainCase

/** What ./case.ts's Case holds for a composite line (the same fields, plus `composite`). */
export interface CompositeParsed {
  readonly id: string
  readonly op: 'graph' | 'train'
  readonly attrs: RawAttrs
  readonly inputs: Tensors
  readonly outputs?: Tensors
  readonly cotangents?: Tensors
  readonly gradients?: Tensors
  readonly tolerance?: Tolerance
  readonly composite: Composite
}


const names = (v: unknown, field: string): E.Either<string, string[]> => {
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string' && s.length > 0)) return E.left(`${field}: expected a list of value names, got ${show(v)}`)
  if (new Set(v).size !== v.length) return E.left(`${field}: names must be distinct, got ${show(v)}`)
  return E.right(v as string[])
}

const kindAttrs = (v: unknown, field: string, key: 'op' | 'kind'): E.Either<string, { name: string; attrs: RawAttrs }> => {
  if (!isPlainObject(v)) return E.left(`${field}: expected {${key}, attrs?}, got ${show(v)}`)
  for (const k of Object.keys(v)) if (k !== key && k !== 'attrs') return E.left(`${field}.${k}: no such field (expected ${key}, attrs)`)
  if (typeof v[key] !== 'string' || (v[key] as string).length === 0) return E.left(`${field}.${key}: expected a name, got ${show(v[key])}`)
  if (v.attrs !== undefined && !isPlainObject(v.attrs)) return E.left(`${field}.attrs: expected an object, got ${show(v.attrs)}`)
  return E.right({ name: v[key] as string, attrs: (v.attrs as RawAttrs | undefined) ?? {} })
}

const GRAPH_FIELDS = ['id', 'op', 'graph', 'attrs', 'inputs', 'outputs', 'cotangents', 'gradients', 'tolerance']
const TRAIN_FIELDS = ['id', 'op', 'graph', 'loss', 'params', 'optimizer', 'param_groups', 'schedule', 'averaging', 'inputs', 'steps', 'outputs', 'tolerance']

/** Parse a composite case line; `Left` is the reason it is invalid. */
export const parseComposite = (v: Record<string, unknown>, id: string, op: 'graph' | 'train'): E.Either<string, CompositeParsed> => {
  const fields = op === 'graph' ? GRAPH_FIELDS : TRAIN_FIELDS
  for (const k of Object.keys(v)) if (!fields.includes(k)) return E.left(`${k}: unknown field (a ${op} case has ${fields.join(', ')})`)
  if (v.graph === undefined) return E.left('graph: required')
  const graph = parseGraph(v.graph)
  if (E.isLeft(graph)) return E.left(formatError(graph.left))
  if (v.inputs === undefined) return E.left('inputs: required')
  const inputs = tensorMap(v.inputs, 'inputs')
  if (E.isLeft(inputs)) return inputs
  let tol: Tolerance | undefined
  if (v.tolerance !== undefined) {
    const r = tolerance(v.tolerance)
    if (E.isLeft(r)) return r
    tol = r.right
  }
  const common = { id, op, inputs: inputs.right, ...(tol ? { tolerance: tol } : {}) }
  if (op === 'graph') {
    if (v.attrs !== undefined && !(isPlainObject(v.attrs) && Object.keys(v.attrs).length === 0)) return E.left('attrs: a graph case has no attributes of its own (they belong on its nodes)')
    if (v.outputs === undefined && v.gradients === undefined) return E.left('a case needs outputs or gradients (it has neither)')
    const maps: Record<string, Record<string, Tensor>> = {}
    for (const field of ['outputs', 'cotangents', 'gradients'] as const) {
      if (v[field] === undefined) continue
      const r = tensorMap(v[field], field)
      if (E.isLeft(r)) return r
      maps[field] = r.right
    }
    return E.right({ ...common, attrs: {}, ...maps, composite: { kind: 'graph', graph: graph.right } })
  }
  // train
  if (typeof v.loss !== 'string' || v.loss.length === 0) return E.left(`loss: expected the name of the scalar loss value, got ${show(v.loss)}`)
  const params = names(v.params, 'params')
  if (E.isLeft(params)) return params
  const opt = kindAttrs(v.optimizer, 'optimizer', 'op')
  if (E.isLeft(opt)) return opt
  const groups: { params: string[]; attrs: RawAttrs }[] = []
  if (v.param_groups !== undefined) {
    if (!Array.isArray(v.param_groups)) return E.left(`param_groups: expected a list of {params, attrs}, got ${show(v.param_groups)}`)
    for (let i = 0; i < v.param_groups.length; i++) {
      const g = v.param_groups[i] as unknown
      const at = `param_groups[${i}]`
      if (!isPlainObject(g)) return E.left(`${at}: expected {params, attrs}, got ${show(g)}`)
      for (const k of Object.keys(g)) if (k !== 'params' && k !== 'attrs') return E.left(`${at}.${k}: no such field (expected params, attrs)`)
      const ps = names(g.params, `${at}.params`)
      if (E.isLeft(ps)) return ps
      if (g.attrs !== undefined && !isPlainObject(g.attrs)) return E.left(`${at}.attrs: expected an object, got ${show(g.attrs)}`)
      groups.push({ params: ps.right, attrs: (g.attrs as RawAttrs | undefined) ?? {} })
    }
  }
  let schedule: { kind: string; attrs: RawAttrs } | undefined
  if (v.schedule !== undefined) {
    const r = kindAttrs(v.schedule, 'schedule', 'kind')
    if (E.isLeft(r)) return r
    schedule = { kind: r.right.name, attrs: r.right.attrs }
  }
  let averaging: { kind: string; attrs: RawAttrs } | undefined
  if (v.averaging !== undefined) {
    const r = kindAttrs(v.averaging, 'averaging', 'kind')
    if (E.isLeft(r)) return r
    averaging = { kind: r.right.name, attrs: r.right.attrs }
  }
  if (!Array.isArray(v.steps)) return E.left(`steps: expected a list of {inputs}, got ${show(v.steps)}`)
  const steps: Record<string, Tensor>[] = []
  for (let i = 0; i < v.steps.length; i++) {
    const s = v.steps[i] as unknown
    if (!isPlainObject(s)) return E.left(`steps[${i}]: expected {inputs}, got ${show(s)}`)
    for (const k of Object.keys(s)) if (k !== 'inputs') return E.left(`steps[${i}].${k}: no such field (a step has inputs)`)
    const r = s.inputs === undefined ? E.right({}) : tensorMap(s.inputs, `steps[${i}].inputs`)
    if (E.isLeft(r)) return r
    steps.push(r.right)
  }
  if (!isPlainObject(v.outputs)) return E.left(`outputs: expected {losses?, params?, averaged?}, got ${show(v.outputs)}`)
  for (const k of Object.keys(v.outputs)) if (!['losses', 'params', 'averaged'].includes(k)) return E.left(`outputs.${k}: no such field (expected losses, params, averaged)`)
  let losses: Tensor | undefined
  if (v.outputs.losses !== undefined) {
    const r = decodeTensor(v.outputs.losses, 'outputs.losses')
    if (E.isLeft(r)) return E.left(`${r.left.path}: expected ${r.left.reason}`)
    losses = r.right
  }
  const ps = v.outputs.params === undefined ? E.right({}) : tensorMap(v.outputs.params, 'outputs.params')
  if (E.isLeft(ps)) return ps
  const av = v.outputs.averaged === undefined ? E.right({}) : tensorMap(v.outputs.averaged, 'outputs.averaged')
  if (E.isLeft(av)) return av
  if (losses === undefined && Object.keys(ps.right).length === 0 && Object.keys(av.right).length === 0) return E.left('outputs: a train case needs losses, params or averaged (it has none)')
  return E.right({
    ...common, attrs: {},
    composite: {
      kind: 'train', graph: graph.right, loss: v.loss, params: params.right,
      optimizer: { op: opt.right.name, attrs: opt.right.attrs }, paramGroups: groups,
      ...(schedule ? { schedule } : {}), ...(averaging ? { averaging } : {}),
      steps, expected: { ...(losses ? { losses } : {}), params: ps.right, averaged: av.right },
    },
  })
}
