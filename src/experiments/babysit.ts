/**
 * Babysitting the learning process, as cs231n lecture 7 teaches it: numbers
 * to watch while training, each computed from values the fold already has.
 *   (1) initial loss vs log C: with small random weights the softmax is near
 *       uniform, so the first cross-entropy should be close to log C
 *   (2) update / weight ratio per parameter, ||theta' - theta|| / ||theta||:
 *       the lecture's rule of thumb is ~1e-3; far above, the lr is too high
 *   (3) per-layer activation statistics: mean and std of each activation's
 *       output (saturation, collapse), and for ReLU the fraction of dead units:
 *       a unit (a position of the per-sample output) that is 0 for every
 *       sample of the probe batch
 *   (4) per-parameter gradient statistics: mean, std and the norm ratio
 *       ||g|| / ||theta||
 *   (5) overfitting a tiny batch (./training-run.ts): with regularization off
 *       a correct network drives the loss on ~20 samples towards 0
 *   (6) the train / validation accuracy gap, per epoch (./training-run.ts)
 */
import type { Tensors } from '../core/op.ts'
import { sizeOf } from '../core/tensor.ts'
import type { Graph } from '../graph/index.ts'

const ACTIVATION_OPS = new Set(['relu', 'tanh', 'sigmoid', 'leaky_relu', 'elu', 'gelu', 'silu', 'softplus', 'mish', 'selu'])

const norm = (a: ArrayLike<number>): number => {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i] * a[i]
  return Math.sqrt(s)
}

/** (2) for every parameter in `names`. A zero parameter gives Infinity (or NaN when it did not move). */
export const updateRatios = (before: Tensors, after: Tensors, names: readonly string[]): Record<string, number> => {
  const out: Record<string, number> = {}
  for (const k of names) {
    const a = before[k].data, b = after[k].data
    let d = 0
    for (let i = 0; i < a.length; i++) d += (b[i] - a[i]) ** 2
    out[k] = Math.sqrt(d) / norm(a)
  }
  return out
}

export interface LayerStat {
  /** the activation's value name in the graph, e.g. "relu:2" */
  readonly value: string
  readonly op: string
  readonly mean: number
  readonly std: number
  /** (3) ReLU only: share of units that are 0 for every probe sample; null for other activations */
  readonly dead: number | null
}

/** (3) over the activation outputs of one forward run on a probe batch [N, ...]. */
export const layerStats = (graph: Graph, values: Tensors): LayerStat[] => {
  const out: LayerStat[] = []
  for (const node of graph.nodes) {
    if (!ACTIVATION_OPS.has(node.op)) continue
    const value = node.outputs.y
    const t = value === undefined ? undefined : values[value]
    if (t === undefined) continue
    const n = t.data.length
    let m = 0
    for (let i = 0; i < n; i++) m += t.data[i]
    m /= n
    let v = 0
    for (let i = 0; i < n; i++) v += (t.data[i] - m) ** 2
    let dead: number | null = null
    if (node.op === 'relu') {
      const unit = sizeOf(t.shape.slice(1)), samples = t.shape[0]
      let count = 0
      for (let u = 0; u < unit; u++) {
        let alive = false
        for (let s = 0; s < samples && !alive; s++) if (t.data[s * unit + u] !== 0) alive = true
        if (!alive) count++
      }
      dead = unit === 0 ? 0 : count / unit
    }
    out.push({ value, op: node.op, mean: m, std: Math.sqrt(v / n), dead })
  }
  return out
}

export interface GradStat {
  readonly mean: number
  readonly std: number
  readonly norm: number
  /** (4) ||g|| / ||theta|| */
  readonly ratio: number
}

/** (4) for every parameter that has a gradient. */
export const gradStats = (grads: Tensors, params: Tensors): Record<string, GradStat> => {
  const out: Record<string, GradStat> = {}
  for (const [k, g] of Object.entries(grads)) {
    const n = g.data.length
    let m = 0
    for (let i = 0; i < n; i++) m += g.data[i]
    m /= n
    let v = 0
    for (let i = 0; i < n; i++) v += (g.data[i] - m) ** 2
    const gn = norm(g.data)
    out[k] = { mean: m, std: Math.sqrt(v / n), norm: gn, ratio: gn / norm(params[k].data) }
  }
  return out
}
