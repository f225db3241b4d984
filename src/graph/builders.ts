/**
 * Builders for the usual network shapes, as graphs of catalogue ops:
 *
 *   mlp:       [linear -> (batch_norm) -> act -> (dropout)] x L -> linear -> cross_entropy
 *   cnn:       [conv2d -> (batch_norm) -> relu -> max_pool2d 2] x L -> flatten
 *              -> [linear -> relu -> (dropout)] x M -> linear -> cross_entropy
 *   residual:  y = relu(x + bn(conv(relu(bn(conv(x))))))   (He et al. 2016, basic block)
 *
 * A layer followed by batch norm gets no bias (its gradient would be exactly
 * cancelled by the mean subtraction: spec/graph/batch-norm.spec.ts), unless
 * `biasBeforeNorm` asks for one. Every parameter is drawn from its own key
 * foldIn(key, layer index): adding a layer does not reshuffle the others.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, invalid, show } from '../core/errors.ts'
import { type Key, foldIn } from '../core/random.ts'
import { Builder, type LayerInit, type Network, initLayer } from './network.ts'

export interface MlpOptions {
  /** [in, hidden..., classes]: at least two entries. */
  readonly sizes: readonly number[]
  readonly activation?: 'relu' | 'tanh' | 'sigmoid' | 'leaky_relu' | 'elu' | 'gelu' | 'silu'
  readonly batchNorm?: boolean
  /** Dropout probability after each hidden activation; 0 for none. */
  readonly dropout?: number
  /** true: batch_norm and dropout in training mode (default); false: evaluation mode. */
  readonly training?: boolean
  /** One init for every layer, or one per linear layer. */
  readonly init?: LayerInit | readonly LayerInit[]
  readonly biasBeforeNorm?: boolean
}

const bad = (arg: string, expected: string, got: unknown) => E.left(invalid('network', arg, expected, show(got)))
const positive = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v > 0
const initAt = (init: LayerInit | readonly LayerInit[] | undefined, i: number): LayerInit =>
  init === undefined ? 'pytorch' : Array.isArray(init) ? (init as readonly LayerInit[])[i] ?? 'pytorch' : (init as LayerInit)

/** A fully connected network on inputs [N, sizes[0]]. Layers are fc1, fc2, ...; norms bn1, bn2, ... */
export const mlp = (key: Key, o: MlpOptions): E.Either<OpError, Network> => {
  if (o.sizes.length < 2 || !o.sizes.every(positive)) return bad('mlp.sizes', '[in, hidden..., classes], positive integers', o.sizes)
  const p = o.dropout ?? 0
  if (!(p >= 0 && p < 1)) return bad('mlp.dropout', 'a probability in [0, 1)', p)
  const training = o.training ?? true
  const act = o.activation ?? 'relu'
  const b = new Builder()
  let h = 'x'
  const L = o.sizes.length - 1
  for (let i = 0; i < L; i++) {
    const name = `fc${i + 1}`
    const last = i === L - 1
    const norm = !last && o.batchNorm === true
    const withBias = !norm || o.biasBeforeNorm === true
    const ps = initLayer(foldIn(key, i), name, initAt(o.init, i), [o.sizes[i + 1], o.sizes[i]], withBias ? [o.sizes[i + 1]] : undefined, o.sizes[i])
    if (E.isLeft(ps)) return ps
    b.addParams(name, ps.right, withBias ? [`${name}.bias`] : [])
    const y = last ? 'logits' : b.fresh(name)
    b.node('linear', { x: h, weight: `${name}.weight`, ...(withBias ? { bias: `${name}.bias` } : {}) }, { y })
    h = y
    if (last) break
    if (norm) h = b.batchNorm(`bn${i + 1}`, h, o.sizes[i + 1], training)
    h = b.activation(act, h)
    if (p > 0) h = b.dropout(`drop${i + 1}`, h, p, training)
  }
  return E.right(b.finish('x', 'logits'))
}

export interface ConvLayer {
  readonly channels: number
  /** Square kernel size (default 3) and zero padding (default kernel / 2, "same" for odd kernels). */
  readonly kernel?: number
  readonly padding?: number
  /** Max-pool window after the activation (default 2; 1 for none). */
  readonly pool?: number
}

export interface CnnOptions {
  /** [C, H, W] of one input image. */
  readonly input: readonly [number, number, number]
  readonly conv: readonly ConvLayer[]
  /** Hidden widths of the fully connected head (may be empty). */
  readonly hidden?: readonly number[]
  readonly classes: number
  readonly batchNorm?: boolean
  readonly dropout?: number
  readonly training?: boolean
  /** One init for every layer, or one per layer (conv layers first, then fc). */
  readonly init?: LayerInit | readonly LayerInit[]
  readonly biasBeforeNorm?: boolean
}

/** CONV-ReLU-POOL-...-FC on inputs [N, C, H, W]. Layers conv1..., bn1..., fc1... */
export const cnn = (key: Key, o: CnnOptions): E.Either<OpError, Network> => {
  if (o.input.length !== 3 || !o.input.every(positive)) return bad('cnn.input', '[C, H, W], positive integers', o.input)
  if (!positive(o.classes)) return bad('cnn.classes', 'a positive integer', o.classes)
  const p = o.dropout ?? 0
  if (!(p >= 0 && p < 1)) return bad('cnn.dropout', 'a probability in [0, 1)', p)
  const training = o.training ?? true
  const b = new Builder()
  let [c, hgt, wid] = o.input
  let h = 'x'
  let layer = 0
  for (let i = 0; i < o.conv.length; i++) {
    const l = o.conv[i]
    const k = l.kernel ?? 3, pad = l.padding ?? Math.floor(k / 2), pool = l.pool ?? 2
    if (!positive(l.channels) || !positive(k) || !positive(pool) || !(Number.isInteger(pad) && pad >= 0)) return bad(`cnn.conv[${i}]`, '{channels, kernel?, padding?, pool?} of positive integers', l)
    const oh = hgt + 2 * pad - k + 1, ow = wid + 2 * pad - k + 1
    if (oh < pool || ow < pool) return bad(`cnn.conv[${i}]`, `a layer that leaves at least one pooled pixel (input ${hgt}x${wid})`, l)
    const name = `conv${i + 1}`
    const norm = o.batchNorm === true
    const withBias = !norm || o.biasBeforeNorm === true
    const ps = initLayer(foldIn(key, layer), name, initAt(o.init, layer), [l.channels, c, k, k], withBias ? [l.channels] : undefined, c * k * k)
    layer++
    if (E.isLeft(ps)) return ps
    b.addParams(name, ps.right, withBias ? [`${name}.bias`] : [])
    const y = b.fresh(name)
    b.node('conv2d', { x: h, weight: `${name}.weight`, ...(withBias ? { bias: `${name}.bias` } : {}) }, { y }, { padding: pad })
    h = y
    if (norm) h = b.batchNorm(`bn${i + 1}`, h, l.channels, training)
    h = b.activation('relu', h)
    if (pool > 1) {
      const z = b.fresh(`pool${i + 1}`)
      b.node('max_pool2d', { x: h }, { y: z }, { kernel_size: pool })
      h = z
    }
    c = l.channels
    hgt = Math.floor(oh / pool)
    wid = Math.floor(ow / pool)
  }
  const flat = b.fresh('flatten')
  b.node('flatten', { x: h }, { y: flat })
  h = flat
  const widths = [c * hgt * wid, ...(o.hidden ?? []), o.classes]
  for (let i = 0; i + 1 < widths.length; i++) {
    const name = `fc${i + 1}`
    const last = i + 2 === widths.length
    const ps = initLayer(foldIn(key, layer), name, initAt(o.init, layer), [widths[i + 1], widths[i]], [widths[i + 1]], widths[i])
    layer++
    if (E.isLeft(ps)) return ps
    b.addParams(name, ps.right, [`${name}.bias`])
    const y = last ? 'logits' : b.fresh(name)
    b.node('linear', { x: h, weight: `${name}.weight`, bias: `${name}.bias` }, { y })
    h = y
    if (last) break
    h = b.activation('relu', h)
    if (p > 0) h = b.dropout(`drop${i + 1}`, h, p, training)
  }
  return E.right(b.finish('x', 'logits'))
}

export interface ResidualOptions {
  /** Channels of the block's input and output (the identity shortcut needs them equal). */
  readonly channels: number
  readonly training?: boolean
  readonly init?: LayerInit
  /** Layer name prefix, e.g. "layer1.0" (default "block"). */
  readonly prefix?: string
}

/**
 * A basic residual block on x [N, C, H, W] as a graph fragment reading `x` and
 * writing `y`: x is read twice (by the first conv and by the add), so its
 * gradient is the sum of the two paths. Returns the network with a global
 * average pool and a linear head to `classes` outputs so it is trainable alone.
 */
export const residual = (key: Key, o: ResidualOptions & { readonly classes: number }): E.Either<OpError, Network> => {
  if (!positive(o.channels) || !positive(o.classes)) return bad('residual', 'positive channels and classes', o)
  const pre = o.prefix ?? 'block'
  const training = o.training ?? true
  const C = o.channels
  const b = new Builder()
  let h = 'x'
  for (let i = 1; i <= 2; i++) {
    const name = `${pre}.conv${i}`
    const ps = initLayer(foldIn(key, i), name, o.init ?? 'pytorch', [C, C, 3, 3], undefined, C * 9)
    if (E.isLeft(ps)) return ps
    b.addParams(name, ps.right)
    const y = b.fresh(name)
    b.node('conv2d', { x: h, weight: `${name}.weight` }, { y }, { padding: 1 })
    h = b.batchNorm(`${pre}.bn${i}`, y, C, training)
    if (i === 1) h = b.activation('relu', h)
  }
  const sum = b.fresh(`${pre}.add`)
  b.node('add', { a: 'x', b: h }, { y: sum })
  h = b.activation('relu', sum)
  const pooled = b.fresh('pool')
  b.node('global_avg_pool2d', { x: h }, { y: pooled })
  const flat = b.fresh('flatten')
  b.node('flatten', { x: pooled }, { y: flat })
  const ps = initLayer(foldIn(key, 3), 'fc', o.init ?? 'pytorch', [o.classes, C], [o.classes], C)
  if (E.isLeft(ps)) return ps
  b.addParams('fc', ps.right, ['fc.bias'])
  b.node('linear', { x: flat, weight: 'fc.weight', bias: 'fc.bias' }, { y: 'logits' })
  return E.right(b.finish('x', 'logits'))
}
