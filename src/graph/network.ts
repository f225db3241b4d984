/**
 * A built network: a graph plus everything a training loop needs to know about
 * its values, and the per-layer initialization that fills its parameters.
 *
 * Names follow PyTorch's `state_dict` (`fc1.weight`, `bn1.running_mean`), so a
 * network's parameters line up with a `torch.nn.Module`'s by name.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, invalid, show } from '../core/errors.ts'
import type { Tensors } from '../core/op.ts'
import { type Key, foldIn } from '../core/random.ts'
import { type Shape, type Tensor, full } from '../core/tensor.ts'
import { initializers } from '../initializers/index.ts'
import type { Graph, Node } from './graph.ts'

export interface Network {
  readonly graph: Graph
  /** Trainable parameters, initialized, in layer order. */
  readonly params: Tensors
  /** Non-trainable state read by the graph: batch norm running statistics. */
  readonly buffers: Tensors
  /** buffer name -> the value holding its next value after a training-mode forward. */
  readonly bufferUpdates: Readonly<Record<string, string>>
  /** Value names: the batch input, the int64 class targets, the logits and the scalar loss. */
  readonly input: string
  readonly target: string
  readonly logits: string
  readonly loss: string
  /** Parameters PyTorch practice excludes from weight decay: biases and normalization affines. */
  readonly noDecay: readonly string[]
  /** Parameter names by layer prefix, in order (for freezing a backbone, per-layer statistics). */
  readonly layers: readonly { readonly name: string; readonly params: readonly string[] }[]
}

/** An initializer of src/initializers by its table name, with its options. */
export interface InitSpec { readonly name: string; readonly options?: Readonly<Record<string, unknown>> }

/**
 * Per-layer initialization. `pytorch` is torch.nn's default for Linear and
 * Conv2d: kaiming_uniform with a = sqrt(5) for the weight, i.e.
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the same bound for the bias.
 */
export type LayerInit = 'pytorch' | { readonly weight: InitSpec; readonly bias?: InitSpec }

/** Initialize one weight/bias pair; `fanIn` is the weight's fan-in (in * kh * kw). */
export const initLayer = (key: Key, layer: string, init: LayerInit, wShape: Shape, bShape: Shape | undefined, fanIn: number): E.Either<OpError, Tensors> => {
  const [kw, kb] = [foldIn(key, 0), foldIn(key, 1)]
  const bound = 1 / Math.sqrt(fanIn)
  const specW: InitSpec = init === 'pytorch' ? { name: 'uniform', options: { a: -bound, b: bound } } : init.weight
  const specB: InitSpec = init === 'pytorch' ? { name: 'uniform', options: { a: -bound, b: bound } } : init.bias ?? { name: 'zeros' }
  const draw = (spec: InitSpec, k: Key, shape: Shape): E.Either<OpError, Tensor> => {
    const f = initializers[spec.name]
    if (f === undefined) return E.left(invalid('network', `${layer}.init`, `an initializer of ${Object.keys(initializers).join(', ')}`, show(spec.name)))
    return f(k, shape, spec.options ?? {})
  }
  const w = draw(specW, kw, wShape)
  if (E.isLeft(w)) return w
  if (bShape === undefined) return E.right({ [`${layer}.weight`]: w.right })
  const b = draw(specB, kb, bShape)
  if (E.isLeft(b)) return b
  return E.right({ [`${layer}.weight`]: w.right, [`${layer}.bias`]: b.right })
}

/** Collects nodes, parameters and buffers while a builder walks its layers. */
export class Builder {
  readonly nodes: Node[] = []
  readonly params: Record<string, Tensor> = {}
  readonly buffers: Record<string, Tensor> = {}
  readonly bufferUpdates: Record<string, string> = {}
  readonly noDecay: string[] = []
  readonly layers: { name: string; params: string[] }[] = []
  private counter = 0

  /** A fresh value name with a readable prefix. */
  fresh(prefix: string): string { return `${prefix}:${this.counter++}` }

  node(op: string, inputs: Record<string, string>, outputs: Record<string, string>, attrs?: Record<string, unknown>): void {
    this.nodes.push({ op, ...(attrs === undefined ? {} : { attrs }), inputs, outputs })
  }

  addParams(layer: string, ps: Tensors, noDecay: readonly string[] = []): void {
    Object.assign(this.params, ps)
    this.noDecay.push(...noDecay)
    this.layers.push({ name: layer, params: Object.keys(ps) })
  }

  /** batch_norm over `x` with affine weight 1, bias 0 and running statistics (0, 1), as torch.nn.BatchNorm initializes. */
  batchNorm(layer: string, x: string, channels: number, training: boolean): string {
    const y = this.fresh(layer)
    const w = `${layer}.weight`, b = `${layer}.bias`, rm = `${layer}.running_mean`, rv = `${layer}.running_var`
    this.addParams(layer, { [w]: full([channels], 1), [b]: full([channels], 0) }, [w, b])
    this.buffers[rm] = full([channels], 0)
    this.buffers[rv] = full([channels], 1)
    this.bufferUpdates[rm] = `${rm}:next`
    this.bufferUpdates[rv] = `${rv}:next`
    this.node('batch_norm', { x, running_mean: rm, running_var: rv, weight: w, bias: b }, { y, running_mean: `${rm}:next`, running_var: `${rv}:next` }, { training })
    return y
  }

  dropout(layer: string, x: string, p: number, training: boolean): string {
    const y = this.fresh(layer)
    this.node('dropout', { x }, { y }, { p, training })
    return y
  }

  activation(name: string, x: string): string {
    const y = this.fresh(name)
    this.node(name, { x }, { y })
    return y
  }

  finish(input: string, logits: string, lossReduction: 'mean' | 'sum' = 'mean'): Network {
    const target = 't', loss = 'loss'
    this.node('cross_entropy', { input: logits, target }, { loss }, { reduction: lossReduction })
    return {
      graph: { nodes: [...this.nodes] }, params: { ...this.params }, buffers: { ...this.buffers },
      bufferUpdates: { ...this.bufferUpdates }, input, target, logits, loss, noDecay: [...this.noDecay],
      layers: this.layers.map((l) => ({ name: l.name, params: [...l.params] })),
    }
  }
}

/** The same graph with every batch_norm and dropout node in training (true) or evaluation (false) mode. */
export const withMode = (graph: Graph, training: boolean): Graph => ({
  nodes: graph.nodes.map((n) => (n.op === 'batch_norm' || n.op === 'dropout' ? { ...n, attrs: { ...(n.attrs ?? {}), training } } : n)),
})

/** The buffers after a training-mode run: each running statistic replaced by its updated value. */
export const nextBuffers = (net: Network, values: Tensors): Tensors =>
  Object.fromEntries(Object.entries(net.buffers).map(([k, v]) => [k, values[net.bufferUpdates[k]] ?? v]))
