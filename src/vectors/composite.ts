/**
 * Golden `graph` and `train` cases (case format v2) for `nn-oracle vectors
 * --op graph,train`: networks from src/graph's builders, parameters from
 * their initializers, inputs and batches from the seed, everything the oracle
 * computes written out. Like the single-op vectors, one seed gives a
 * byte-identical file; float32 rounds every float input first, so the oracle
 * computes from exactly what is written.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, formatError } from '../core/errors.ts'
import type { Tensors } from '../core/op.ts'
import { type Key, foldIn, keyFromSeed, split } from '../core/random.ts'
import { type DType, type Tensor, isFloat, make, scalar } from '../core/tensor.ts'
import { encodeTensor } from '../cases/tensor-json.ts'
import { compile } from '../graph/graph.ts'
import { backward, forward } from '../graph/interpret.ts'
import { type Network, cnn, mlp, residual } from '../graph/index.ts'
import { fold, start } from '../training/fold.ts'
import { groupsFor } from '../training/groups.ts'
import { makeGen } from './gen.ts'
import { parseCase } from '../cases/case.ts'
import type { CompositeParsed } from '../cases/composite.ts'
import { computeTrain } from '../cases/train-case.ts'

export type VectorDtype = 'float32' | 'float64'

const must = <A>(r: E.Either<OpError, A>, what: string): A => {
  if (E.isLeft(r)) throw new Error(`vectors: ${what}: ${formatError(r.left)}`)
  return r.right
}

const asDtype = (t: Tensor, dtype: VectorDtype): Tensor =>
  isFloat(t) ? make(t.shape, dtype === 'float32' ? t.data.map(Math.fround) : t.data, dtype) : t

const encodeAll = (ts: Tensors, dtype: VectorDtype) =>
  Object.fromEntries(Object.entries(ts).map(([k, t]) => [k, encodeTensor(t, isFloat(t) ? dtype as DType : t.dtype)]))

interface Net { readonly name: string; readonly build: (key: Key) => E.Either<OpError, Network>; readonly x: readonly number[]; readonly classes: number }

/** The networks drawn, smallest first; batch norm in training mode, no dropout (a mask would have to be an input). */
const NETS: readonly Net[] = [
  { name: 'mlp-tanh', build: (k) => mlp(k, { sizes: [4, 6, 3], activation: 'tanh' }), x: [5, 4], classes: 3 },
  { name: 'mlp-batchnorm', build: (k) => mlp(k, { sizes: [4, 6, 5, 3], batchNorm: true }), x: [6, 4], classes: 3 },
  { name: 'cnn', build: (k) => cnn(k, { input: [1, 6, 6], conv: [{ channels: 2 }], hidden: [], classes: 3 }), x: [3, 1, 6, 6], classes: 3 },
  { name: 'residual', build: (k) => residual(k, { channels: 2, classes: 3 }), x: [2, 2, 4, 4], classes: 3 },
]

/** A graph case: forward values, and the VJP of the loss plus a random cotangent on the logits. */
export const graphCase = (net: Net, k: number, seed: number, dtype: VectorDtype): Record<string, unknown> => {
  const key = foldIn(foldIn(keyFromSeed(seed), 0x67726170 /* "grap" */), k)
  const [kn, kg] = split(key)
  const n = must(net.build(kn), net.name)
  const gen = makeGen(kg)
  const inputs: Record<string, Tensor> = {}
  for (const [name, t] of Object.entries({ ...n.params, ...n.buffers })) inputs[name] = asDtype(t, dtype)
  inputs[n.input] = asDtype(gen.normal(net.x), dtype)
  inputs[n.target] = gen.labels([net.x[0]], net.classes)
  const compiled = must(compile(n.graph, Object.keys(inputs)), net.name)
  const run = must(forward(compiled, inputs), net.name)
  const cotangents = { [n.loss]: scalar(1), [n.logits]: asDtype(gen.normal(run.values[n.logits].shape), dtype) }
  const { grads } = backward(run, cotangents)
  const wrt = [...Object.keys(n.params), n.input]
  return {
    id: `graph/${net.name}-${String(k).padStart(2, '0')}`, op: 'graph', graph: n.graph,
    inputs: encodeAll(inputs, dtype),
    outputs: encodeAll({ [n.logits]: run.values[n.logits], [n.loss]: run.values[n.loss] }, dtype),
    cotangents: encodeAll(cotangents, dtype),
    gradients: encodeAll(Object.fromEntries(wrt.map((w) => [w, grads[w] ?? make(inputs[w].shape, new Float64Array(inputs[w].data.length))])), dtype),
  }
}

interface Run {
  readonly name: string; readonly net: number; readonly optimizer: string; readonly attrs: Record<string, unknown>; readonly biasGroup: boolean
  /** A learning-rate schedule, `{kind, attrs}` as a train case writes it (case format v2). */
  readonly schedule?: { readonly kind: string; readonly attrs: Record<string, unknown> }
  /** EMA averaging with this decay (case format v2, `averaging`). */
  readonly decay?: number
}

const RUNS: readonly Run[] = [
  { name: 'mlp-sgd', net: 0, optimizer: 'sgd', attrs: { lr: 0.1, momentum: 0.9, weight_decay: 1e-3 }, biasGroup: true },
  { name: 'mlp-adam', net: 0, optimizer: 'adam', attrs: { lr: 0.01 }, biasGroup: false },
  { name: 'cnn-rmsprop', net: 2, optimizer: 'rmsprop', attrs: { lr: 0.01, momentum: 0.5 }, biasGroup: false },
  { name: 'mlp-adagrad', net: 0, optimizer: 'adagrad', attrs: { lr: 0.1, weight_decay: 1e-3 }, biasGroup: true },
  { name: 'mlp-adamw', net: 0, optimizer: 'adamw', attrs: { lr: 0.01 }, biasGroup: false },
  // Schedules, averaging and L-BFGS: appended, so that the runs above keep their keys (k) and bytes.
  { name: 'mlp-sgd-step-ema', net: 0, optimizer: 'sgd', attrs: { lr: 0.1, momentum: 0.9 }, biasGroup: true, schedule: { kind: 'step', attrs: { step_size: 2, gamma: 0.5 } }, decay: 0.8 },
  { name: 'mlp-adam-cosine', net: 0, optimizer: 'adam', attrs: { lr: 0.02 }, biasGroup: false, schedule: { kind: 'cosine', attrs: { T_max: 3, eta_min: 0.001 } } },
  { name: 'mlp-lbfgs-wolfe-ema', net: 0, optimizer: 'lbfgs', attrs: { max_iter: 4, line_search_fn: 'strong_wolfe' }, biasGroup: false, decay: 0.5 },
]

/** A train case: 4 steps on fresh batches, the losses and the final parameters. */
export const trainCase = (r: Run, k: number, seed: number, dtype: VectorDtype, steps = 4): Record<string, unknown> => {
  const net = NETS[r.net]
  const key = foldIn(foldIn(keyFromSeed(seed), 0x74726169 /* "trai" */), k)
  const [kn, kg] = split(key)
  const n = must(net.build(kn), net.name)
  const gen = makeGen(kg)
  const params = Object.fromEntries(Object.entries(n.params).map(([name, t]) => [name, asDtype(t, dtype)]))
  const names = Object.keys(params)
  const batches = Array.from({ length: steps }, () => ({ [n.input]: asDtype(gen.normal(net.x), dtype), [n.target]: gen.labels([net.x[0]], net.classes) }))
  const groups = r.biasGroup ? [{ params: n.noDecay.filter((p) => names.includes(p)), attrs: { weight_decay: 0 } }] : []
  if (r.schedule !== undefined || r.decay !== undefined || r.optimizer === 'lbfgs') return evaluatedTrainCase(r, k, n, names, params, batches, groups, steps, dtype)
  const opt = must(groupsFor(r.optimizer, names, r.attrs, groups), r.name)
  const obj = { compiled: must(compile(n.graph), r.name), loss: n.loss, fixed: {}, trainable: names }
  const res = must(fold(obj, opt, start(opt, params), batches), r.name)
  return {
    id: `train/${r.name}-${String(k).padStart(2, '0')}`, op: 'train', graph: n.graph, loss: n.loss, params: names,
    optimizer: { op: r.optimizer, attrs: r.attrs },
    ...(groups.length > 0 ? { param_groups: groups } : {}),
    inputs: encodeAll(params, dtype),
    steps: batches.map((b) => ({ inputs: encodeAll(b, dtype) })),
    outputs: { losses: encodeTensor(make([steps], Float64Array.from(res.losses)), 'float64'), params: encodeAll(res.carry.params, dtype) },
  }
}

/**
 * A train case with a schedule, averaging or L-BFGS: written without outputs,
 * then run by the very evaluator `check` uses (src/cases/train-case.ts, whose
 * schedule/EMA/L-BFGS path is pinned to PyTorch by spec/schedules/), and its
 * outcome written as the expected numbers.
 */
const evaluatedTrainCase = (r: Run, k: number, n: Network, names: string[], params: Tensors, batches: readonly Tensors[],
  groups: readonly { params: string[]; attrs: Record<string, unknown> }[], steps: number, dtype: VectorDtype): Record<string, unknown> => {
  const base = {
    id: `train/${r.name}-${String(k).padStart(2, '0')}`, op: 'train', graph: n.graph, loss: n.loss, params: names,
    optimizer: { op: r.optimizer, attrs: r.attrs },
    ...(groups.length > 0 ? { param_groups: groups } : {}),
    ...(r.schedule !== undefined ? { schedule: r.schedule } : {}),
    ...(r.decay !== undefined ? { averaging: { kind: 'ema', attrs: { decay: r.decay } } } : {}),
    inputs: encodeAll(params, dtype),
    steps: batches.map((b) => ({ inputs: encodeAll(b, dtype) })),
  }
  const placeholder = { losses: encodeTensor(make([steps], new Float64Array(steps)), 'float64') }
  const parsed = parseCase(JSON.parse(JSON.stringify({ ...base, outputs: placeholder })))
  if (E.isLeft(parsed) || parsed.right.composite === undefined || parsed.right.composite.kind !== 'train') {
    throw new Error(`vectors: ${r.name}: ${E.isLeft(parsed) ? parsed.left.reason : 'not a train case'}`)
  }
  const out = computeTrain(parsed.right as CompositeParsed, parsed.right.composite)
  if (E.isLeft(out)) throw new Error(`vectors: ${r.name}: ${typeof out.left === 'string' ? out.left : formatError(out.left)}`)
  const trained = Object.fromEntries(names.map((p) => [p, out.right.params[p]]))
  return {
    ...base,
    outputs: {
      losses: encodeTensor(out.right.losses, 'float64'),
      params: encodeAll(trained, dtype),
      ...(r.decay !== undefined ? { averaged: encodeAll(out.right.averaged, dtype) } : {}),
    },
  }
}

/** `count` cases (default: each network or run once), cycling through them. */
export function* compositeCases(op: 'graph' | 'train', seed: number, dtype: VectorDtype, count?: number): Generator<Record<string, unknown> & { id: string; op: string }> {
  const n = count ?? (op === 'graph' ? NETS.length : RUNS.length)
  for (let k = 0; k < n; k++) {
    yield (op === 'graph' ? graphCase(NETS[k % NETS.length], k, seed, dtype) : trainCase(RUNS[k % RUNS.length], k, seed, dtype)) as Record<string, unknown> & { id: string; op: string }
  }
}

