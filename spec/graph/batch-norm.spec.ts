/**
 * Batch norm inside networks:
 *   - a bias feeding batch norm gets a zero gradient: the mean subtraction
 *     cancels any per-channel shift, so dL/db_c = sum_i dx_i over the channel,
 *     which is exactly 0 in real arithmetic (sum_i of (8) in
 *     src/normalization/batch-norm.ts telescopes). In float64 the sum is
 *     rounding only; the bound below is that rounding, not a fudge factor.
 *   - the network is invariant to a per-channel shift of batch norm's input
 *     (any eps) and to a positive scale of it (eps = 0; with eps > 0 the scale
 *     changes var + eps, so invariance is only approximate, as in PyTorch).
 */
import { suite } from 'uvu'
import fc from 'fast-check'
import { keyFromSeed, normal, split } from '../../src/core/random.ts'
import { type Tensor, fromArray, scalar } from '../../src/core/tensor.ts'
import * as G from '../../src/graph/index.ts'
import { EPS64 } from '../laws/tolerance.ts'
import { failed, ok } from '../laws/result.ts'
import { property } from '../support/property.ts'
import { onPath, paths, unwrap } from './support.ts'

const test = suite('graph: batch norm in a network')

/** fc1 (with bias) -> bn1 -> tanh -> fc2 -> cross_entropy, N = 6 samples of 3 features. */
const build = (seed: number, eps: number) => {
  const k = split(keyFromSeed(seed), 4)
  const net = unwrap(G.mlp(k[0], { sizes: [3, 4, 2], activation: 'tanh', batchNorm: true, biasBeforeNorm: true }))
  const graph: G.Graph = { nodes: net.graph.nodes.map((n) => (n.op === 'batch_norm' ? { ...n, attrs: { ...n.attrs, eps } } : n)) }
  const params = { ...net.params, 'bn1.weight': normal(k[1], [4], 1, 0.5), 'bn1.bias': normal(k[2], [4]) }
  const x = normal(k[3], [6, 3], 0, 2)
  return { net, graph, values: { ...params, ...net.buffers, x, t: fromArray([6], [0, 1, 1, 0, 1, 0], 'int64') } }
}

const bnInput = (net: G.Network): string => net.graph.nodes.find((n) => n.op === 'batch_norm')!.inputs.x
const bnOutput = (net: G.Network): string => net.graph.nodes.find((n) => n.op === 'batch_norm')!.outputs.y

for (const path of paths) property(test, `${path}: a bias feeding batch norm gets a zero gradient (within the rounding of a telescoping sum)`, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => onPath(path, () => {
  const { net, graph, values } = build(seed, 1e-5)
  const compiled = unwrap(G.compile(graph))
  const run = unwrap(G.forward(compiled, values))
  const { grads } = G.backward(run, { loss: scalar(1) })
  const db = grads['fc1.bias'], h = run.values[bnInput(net)], g = grads[bnOutput(net)], gamma = values['bn1.weight']
  const [m, C] = h.shape
  for (let c = 0; c < C; c++) {
    let mean = 0, v = 0
    for (let i = 0; i < m; i++) mean += h.data[i * C + c] / m
    for (let i = 0; i < m; i++) v += (h.data[i * C + c] - mean) ** 2 / m
    const r = 1 / Math.sqrt(v + 1e-5)
    // A = sum|dxhat|, X = sum|xhat|, P = sum|dxhat xhat|: the terms of (8) summed over the channel have
    // absolute size r (2A + X P / m); each is computed to (m + 8) ulps and the m of them summed to m more.
    let A = 0, X = 0, P = 0
    for (let i = 0; i < m; i++) {
      const d = g.data[i * C + c] * gamma.data[c], xh = (h.data[i * C + c] - mean) * r
      A += Math.abs(d); X += Math.abs(xh); P += Math.abs(d * xh)
    }
    const bound = (2 * m + 16) * EPS64 * r * (2 * A + (X * P) / m)
    if (!(Math.abs(db.data[c]) <= bound)) return failed(`fc1.bias[${c}]: gradient ${db.data[c]} exceeds the rounding bound ${bound}`)
  }
  return ok
}), 25)

/** max |x| and r = 1 / sqrt(var + eps) over column c of x [m, C]. */
const channelStats = (h: Tensor, c: number, eps: number) => {
  const [m, C] = h.shape
  let mean = 0, v = 0, max = 0
  for (let i = 0; i < m; i++) mean += h.data[i * C + c] / m
  for (let i = 0; i < m; i++) { v += (h.data[i * C + c] - mean) ** 2 / m; max = Math.max(max, Math.abs(h.data[i * C + c])) }
  return { max, r: 1 / Math.sqrt(v + eps) }
}

const withBn = (values: Record<string, Tensor>, f: (w: Float64Array, b: Float64Array) => void) => {
  const w = Float64Array.from(values['fc1.weight'].data), b = Float64Array.from(values['fc1.bias'].data)
  f(w, b)
  return { ...values, 'fc1.weight': { ...values['fc1.weight'], data: w }, 'fc1.bias': { ...values['fc1.bias'], data: b } }
}

/**
 * |y - y'| for batch norm's output after shifting or scaling its input. With
 * xhat = (x - mu) r, a change of input that leaves xhat unchanged in reals
 * moves the computed one by the rounding of x and x' ((m + 8) ulps of
 * max|x|, max|x'| through the mean, both scaled by r), then y = gamma xhat + beta
 * adds a few ulps of |y|.
 */
const invariant = (seed: number, eps: number, change: (w: Float64Array, b: Float64Array, C: number) => void) => {
  const { net, graph, values } = build(seed, eps)
  const compiled = unwrap(G.compile(graph))
  const a = unwrap(G.forward(compiled, values))
  const changed = withBn(values, (w, b) => change(w, b, b.length))
  const b = unwrap(G.forward(compiled, changed))
  const y1 = a.values[bnOutput(net)], y2 = b.values[bnOutput(net)]
  const h1 = a.values[bnInput(net)], h2 = b.values[bnInput(net)]
  const [m, C] = h1.shape
  for (let c = 0; c < C; c++) {
    const s1 = channelStats(h1, c, eps), s2 = channelStats(h2, c, eps)
    const gamma = Math.abs(values['bn1.weight'].data[c]), beta = Math.abs(values['bn1.bias'].data[c])
    const bound = gamma * (m + 8) * EPS64 * (s1.max * s1.r + s2.max * s2.r)
    for (let i = 0; i < m; i++) {
      const j = i * C + c
      const tol = bound + 4 * EPS64 * (Math.abs(y1.data[j]) + beta)
      if (!(Math.abs(y1.data[j] - y2.data[j]) <= tol)) return failed(`y[${i}, ${c}]: ${y1.data[j]} vs ${y2.data[j]} after the change (bound ${tol})`)
    }
  }
  return ok
}

for (const path of paths) property(test, `${path}: batch norm is invariant to a per-channel shift of its input (a change of the bias before it)`, fc.tuple(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.double({ min: -5, max: 5, noNaN: true })), ([seed, shift]) =>
  onPath(path, () => invariant(seed, 1e-5, (_w, b, C) => { for (let c = 0; c < C; c++) b[c] += shift * (c + 1) })), 25)

for (const path of paths) property(test, `${path}: batch norm (eps 0) is invariant to a positive scale of its input`, fc.tuple(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom(0.25, 0.5, 2, 4, 8)), ([seed, s]) =>
  // Powers of two scale exactly, so x' = s x and the statistics scale exactly too.
  onPath(path, () => invariant(seed, 0, (w, b) => { for (let i = 0; i < w.length; i++) w[i] *= s; for (let i = 0; i < b.length; i++) b[i] *= s })), 25)

test.run()
