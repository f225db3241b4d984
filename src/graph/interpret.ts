/**
 * The graph interpreter: forward by evaluating the catalogue ops in order,
 * backward by chaining each op's own hand-derived VJP in reverse.
 *
 * For values v_k defined by nodes y = f_i(x) and cotangents c on some values,
 * the scalar is  L = sum_v <c_v, v>.  Reverse accumulation:
 *   (1) vbar = c_v                               for every value with a given cotangent
 *   (2) for nodes i from last to first, with ybar the accumulated cotangents of
 *       its outputs (zeros for an output without one):
 *         xbar_j += backward_i(ybar)_j           for every differentiable input x_j
 *   (3) a value read by several nodes (or twice by one) receives the SUM of
 *       every use's contribution: d/dx L(f(x), g(x)) = J_f^T fbar + J_g^T gbar
 * A node none of whose outputs has a cotangent is skipped: its inputs get no
 * contribution from it (the zero vector, not computed). A graph input that no
 * contribution reaches is "unreached", which training uses as PyTorch uses a
 * `None` gradient: no update at all (case format v2, "Update rules").
 * Contributions are added in reverse node order, starting from the given
 * cotangent: that order is part of the contract (the bitwise law of
 * spec/graph/chain.spec.ts).
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, invalid, show, showShape } from '../core/errors.ts'
import { type Inputs, type Tensors, gradInputs } from '../core/op.ts'
import { type Key, bernoulli, foldIn } from '../core/random.ts'
import { type Tensor, add, isFloat, sameShape, zeros } from '../core/tensor.ts'
import { type Compiled, atNode } from './graph.ts'

/** What node i's forward produced: its call (attrs, inputs) and the op's cache. */
export interface NodeRecord {
  readonly inputs: Inputs
  readonly outputs: Tensors
  readonly cache: unknown
}

export interface Run {
  readonly compiled: Compiled
  /** Every value: the given ones and every mapped node output. */
  readonly values: Tensors
  readonly records: readonly NodeRecord[]
}

export interface RunOptions {
  /**
   * A key for the dropout nodes in training whose `mask` is not wired: node i
   * draws its keep-mask from foldIn(key, i) (1 keeps a unit, with probability
   * 1 - p). Without a key such a node is an error, as in the case format.
   */
  readonly key?: Key
}

const dropoutMask = (key: Key, i: number, attrs: unknown, x: Tensor | undefined): Tensor | undefined => {
  const a = attrs as { p?: number; training?: boolean }
  if (x === undefined || a.training !== true) return undefined
  return bernoulli(foldIn(key, i), 1 - (a.p ?? 0.5), x.shape)
}

/** Forward through every node in order. */
export const forward = (compiled: Compiled, given: Tensors, options: RunOptions = {}): E.Either<OpError, Run> => {
  for (const name of compiled.inputs) {
    if (given[name] === undefined) return E.left(invalid('graph', `inputs.${name}`, 'a tensor (the graph reads this value)', 'nothing'))
  }
  const values: Record<string, Tensor> = { ...given }
  const records: NodeRecord[] = []
  for (const cn of compiled.nodes) {
    const ins: Record<string, Tensor | undefined> = {}
    for (const [name, value] of Object.entries(cn.node.inputs)) ins[name] = values[value]
    if (cn.op.name === 'dropout' && ins.mask === undefined && options.key !== undefined) {
      const m = dropoutMask(options.key, cn.index, cn.attrs, ins.x)
      if (m !== undefined) ins.mask = m
    }
    const r = cn.op.forward(cn.attrs, ins)
    if (E.isLeft(r)) return E.left(atNode(cn.index, cn.op.name, r.left))
    for (const [name, value] of Object.entries(cn.node.outputs)) {
      const t = r.right.outputs[name]
      if (t === undefined) {
        return E.left(invalid('graph', `nodes[${cn.index}] (${cn.op.name}).outputs.${name}`, 'an output the op produces for these inputs', 'nothing (e.g. batch_norm\'s running statistics need running_mean and running_var inputs)'))
      }
      values[value] = t
    }
    records.push({ inputs: ins, outputs: r.right.outputs, cache: r.right.cache })
  }
  return E.right({ compiled, values, records })
}

/**
 * Check cotangents against a run: each names a value, is float, has its
 * shape; a node output that is not differentiable (running statistics, int
 * indices) accepts a float cotangent that contributes nothing, like `vjp`.
 */
export const checkCotangents = (run: Run, cotangents: Tensors): E.Either<OpError, Tensors> => {
  for (const [k, c] of Object.entries(cotangents)) {
    const v = run.values[k]
    if (v === undefined || !run.compiled.producer.has(k)) {
      return E.left(invalid('graph', `cotangents.${k}`, 'a cotangent for a node output value', v === undefined ? `unknown value ${show(k)}` : `${show(k)}, an input of the graph`))
    }
    if (!isFloat(c)) return E.left(invalid('graph', `cotangents.${k}`, 'a float tensor', `dtype ${c.dtype}`))
    if (!isFloat(v)) return E.left(invalid('graph', `cotangents.${k}`, 'no cotangent (an integer value has no gradient)', `a cotangent of shape ${showShape(c.shape)}`))
    if (!sameShape(c.shape, v.shape)) return E.left(invalid('graph', `cotangents.${k}`, `shape ${showShape(v.shape)} (the value's)`, showShape(c.shape)))
  }
  return E.right(cotangents)
}

export interface Backward {
  /** The accumulated gradient of every value some contribution reached. */
  readonly grads: Tensors
}

/** Whether node i's output `name` carries a gradient (false for running statistics and indices). */
const differentiable = (run: Run, i: number, name: string): boolean => {
  const spec = run.compiled.nodes[i].op.outputs.find((o) => o.name === name)
  return spec !== undefined && spec.grad !== false && isFloat(run.records[i].outputs[name])
}

/** (1)-(3). Cotangents must have passed `checkCotangents` against this run. */
export const backward = (run: Run, cotangents: Tensors): Backward => {
  const acc = new Map<string, Tensor>()
  const producer = run.compiled.producer
  for (const [k, c] of Object.entries(cotangents)) {
    const p = producer.get(k)
    if (p === undefined) continue // checkCotangents admits node outputs only
    const output = Object.entries(run.compiled.nodes[p].node.outputs).find(([, v]) => v === k)![0]
    if (differentiable(run, p, output)) acc.set(k, c) // (1)
  }
  for (let i = run.compiled.nodes.length - 1; i >= 0; i--) {
    const cn = run.compiled.nodes[i]
    const rec = run.records[i]
    const byOutput = new Map(Object.entries(cn.node.outputs))
    let reached = false
    const cot: Record<string, Tensor> = {}
    for (const o of cn.op.outputs) {
      const out = rec.outputs[o.name]
      if (out === undefined || o.grad === false || !isFloat(out)) continue
      const value = byOutput.get(o.name)
      const g = value === undefined ? undefined : acc.get(value)
      if (g !== undefined) reached = true
      cot[o.name] = g ?? zeros(out.shape) // (2)
    }
    if (!reached) continue
    const grads = cn.op.backward(cn.attrs, rec.cache, cot) // (2)
    for (const name of gradInputs(cn.op, rec.inputs)) {
      const value = cn.node.inputs[name]
      const g = grads[name]
      if (value === undefined || g === undefined) continue // a generated dropout mask has no value
      const prev = acc.get(value)
      acc.set(value, prev === undefined ? g : add(prev, g)) // (3)
    }
  }
  return { grads: Object.fromEntries(acc) }
}

/** Forward then backward: values, and the gradient of sum <c, v> for the named graph inputs (zeros when unreached). */
export const vjp = (compiled: Compiled, given: Tensors, cotangents: Tensors, wrt: readonly string[], options: RunOptions = {}): E.Either<OpError, { values: Tensors; gradients: Tensors; reached: readonly string[] }> => {
  const run = forward(compiled, given, options)
  if (E.isLeft(run)) return run
  const cot = checkCotangents(run.right, cotangents)
  if (E.isLeft(cot)) return cot
  const { grads } = backward(run.right, cot.right)
  const gradients: Record<string, Tensor> = {}
  const reached: string[] = []
  for (const k of wrt) {
    const v = run.right.values[k]
    if (v === undefined) return E.left(invalid('graph', `gradients.${k}`, 'a value of the graph', `unknown value ${show(k)}`))
    if (!isFloat(v)) return E.left(invalid('graph', `gradients.${k}`, 'a float value (an integer or bool value gets no gradient)', `dtype ${v.dtype}`))
    const g = grads[k]
    if (g !== undefined) reached.push(k)
    gradients[k] = g ?? zeros(v.shape)
  }
  return E.right({ values: run.right.values, gradients, reached })
}
