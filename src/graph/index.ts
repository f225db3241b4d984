/**
 * Graphs: networks as values (case format v2, "Graph cases"; docs/case-format.md).
 *
 * A network is a `Graph` = `{ nodes: [{ op, attrs?, inputs, outputs }] }`:
 * catalogue ops wired by value names (`inputs` maps an op's input names to
 * value names, `outputs` maps its output names to new value names). Usage:
 *
 *   const net = Graph.mlp(keyFromSeed(0), { sizes: [2, 16, 3], batchNorm: true, dropout: 0.1 })
 *   //   net.right: { graph, params, buffers, bufferUpdates, input 'x', target 't', logits, loss, noDecay, layers }
 *   const c = Graph.compile(net.right.graph)                     // Either: wiring checked once
 *   const run = Graph.forward(c, { ...params, ...buffers, x, t }, { key })   // Either<OpError, Run>; run.values has every value
 *   const { grads } = Graph.backward(run, { loss: scalar(1) })  // accumulated gradient of every reached value
 *   Graph.vjp(c, values, cotangents, wrt)                    // both, with zeros for unreached wrt
 *   Graph.withMode(graph, false)                             // batch_norm/dropout in evaluation mode
 *   Graph.nextBuffers(net, run.values)                       // running statistics after a training forward
 *
 * Dropout nodes in training mode with no `mask` input draw their mask from
 * `options.key` (node i uses foldIn(key, i)); without a key they are an error.
 * Builders: `mlp`, `cnn` (CONV-ReLU-POOL-...-FC), `residual` (basic block),
 * each with batch norm and dropout options and per-layer initialization by
 * src/initializers name (`init: 'pytorch' | { weight: {name, options}, bias? }`,
 * or a list, one per layer). The glue ops `add`, `mul`, `flatten`, `reshape`
 * live in ./glue and are catalogue ops like any other.
 *
 * Training on top of this: src/training (the pure fold, optimizers by
 * torch.optim name, parameter groups); graph and train cases of the case
 * format: src/cases/graph-case.ts, src/cases/train-case.ts.
 */
export { type Node, type Graph, type Compiled, type CompiledNode, parseGraph, compile, atNode } from './graph.ts'
export { type Run, type RunOptions, type Backward, forward, backward, checkCotangents, vjp } from './interpret.ts'
export { type Network, type InitSpec, type LayerInit, initLayer, withMode, nextBuffers } from './network.ts'
export { type MlpOptions, type CnnOptions, type ConvLayer, type ResidualOptions, mlp, cnn, residual } from './builders.ts'
