/**
 * The training lab (docs/networks.md): a two-hidden-layer MLP classifying the
 * lectures' 2-D spiral, trained with the library's own ops and optimizer, so
 * that the page runs exactly the code the chapters derive:
 *   (1) h1 = relu(BN?(x W1^T + b1)), dropout?     `linear`, `batch_norm`, `relu`, `dropout`
 *   (2) h2 = relu(BN?(h1 W2^T + b2)), dropout?
 *   (3) s = h2 W3^T + b3,  L = cross_entropy(s, y)  (mean over the batch)
 *   (4) backward: each op's own VJP (op.backward on its forward's cache), in reverse
 *   (5) theta <- SGD step of src/optimizers/sgd.ts (PyTorch's momentum, coupled weight decay)
 * The data, the initial weights (Kaiming uniform, PyTorch's nn.Linear default
 * is the same family) and the dropout masks come from keys of src/core/random.ts:
 * the same settings give the same curve, in the browser and in
 * spec/docs/labs.spec.ts.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type Key, foldIn, keyFromSeed, normalArray, split, uniformArray } from '../../../../src/core/random.ts'
import { type Tensor, make } from '../../../../src/core/tensor.ts'
import { op as linear } from '../../../../src/layers/linear.ts'
import { op as relu } from '../../../../src/activations/relu.ts'
import { op as batchNorm } from '../../../../src/normalization/batch-norm.ts'
import { op as dropout, sampleMask } from '../../../../src/regularization/dropout.ts'
import { op as crossEntropy } from '../../../../src/losses/cross-entropy.ts'
import { type Config as SgdConfig, step as sgdStep } from '../../../../src/optimizers/sgd.ts'

export interface Settings {
  readonly lr: number
  readonly momentum: number
  readonly weightDecay: number
  /** dropout probability of zeroing a hidden unit (0: no dropout) */
  readonly dropout: number
  readonly batchNorm: boolean
  readonly hidden: number
  readonly steps: number
  readonly batch: number
  readonly seed: number
}

export const DEFAULT_SETTINGS: Settings = { lr: 0.1, momentum: 0.9, weightDecay: 1e-4, dropout: 0, batchNorm: false, hidden: 32, steps: 300, batch: 64, seed: 0 }

export interface Data { readonly x: Tensor; readonly y: Tensor; readonly n: number }

/** The lectures' spiral: K = 3 arms of n points each, radius r in [0, 1], angle 4 (k + r) plus noise 0.2 N(0, 1). */
export const spiral = (key: Key, perClass = 100, classes = 3): Data => {
  const n = perClass * classes
  const noise = normalArray(key, n)
  const x = new Float64Array(2 * n), y = new Float64Array(n)
  for (let k = 0; k < classes; k++) {
    for (let j = 0; j < perClass; j++) {
      const i = k * perClass + j, r = j / (perClass - 1)
      const t = (4 * k) + 4 * r + 0.2 * noise[i]
      x[2 * i] = r * Math.sin(t)
      x[2 * i + 1] = r * Math.cos(t)
      y[i] = k
    }
  }
  return { x: make([n, 2], x), y: make([n], y, 'int64'), n }
}

type Params = Record<string, Tensor>

/** Kaiming-uniform weights (bound sqrt(6 / fan_in)), zero biases, BN's gamma 1 and beta 0. */
export const initParams = (key: Key, hidden: number, classes = 3): Params => {
  const dims: [number, number][] = [[hidden, 2], [hidden, hidden], [classes, hidden]]
  const ks = split(key, 3)
  const p: Params = {}
  dims.forEach(([o, i], l) => {
    const b = Math.sqrt(6 / i)
    p[`W${l + 1}`] = make([o, i], uniformArray(ks[l], o * i).map((u) => (2 * u - 1) * b))
    p[`b${l + 1}`] = make([o], new Float64Array(o))
  })
  for (const l of [1, 2]) {
    p[`g${l}`] = make([hidden], new Float64Array(hidden).fill(1))
    p[`be${l}`] = make([hidden], new Float64Array(hidden))
  }
  return p
}

const ok = <T>(e: E.Either<{ message?: string; expected?: string }, T>, what: string): T => {
  if (E.isLeft(e)) throw new Error(`${what}: ${JSON.stringify(e.left)}`)
  return e.right
}

const attrsOf = (o: { parseAttrs: (r: any) => E.Either<any, any> }, raw: Record<string, unknown>): any => ok(o.parseAttrs(raw), 'attrs')

/**
 * One forward and backward pass on a batch: the loss and the gradient of
 * every parameter, through the ops' VJPs (4). `mask` key: dropout masks.
 */
// #region backprop
export const lossAndGrads = (s: Settings, p: Params, x: Tensor, y: Tensor, key: Key, training = true): { loss: number; grads: Params; scores: Tensor } => {
  const tape: (() => void)[] = []
  const grads: Params = {}
  let dCur: Tensor | undefined
  const lin = attrsOf(linear, {}), act = attrsOf(relu, {})
  const bn = attrsOf(batchNorm, { training: true })
  const dr = attrsOf(dropout, { p: s.dropout, training })
  const ce = attrsOf(crossEntropy, {})
  let h = x
  const keys = split(key, 2)
  for (const l of [1, 2, 3]) {
    const fl = ok(linear.forward(lin, { x: h, weight: p[`W${l}`], bias: p[`b${l}`] }), 'linear')
    tape.push(() => { const g = linear.backward(lin, fl.cache, { y: dCur! }); grads[`W${l}`] = g.weight; grads[`b${l}`] = g.bias; dCur = g.x })
    h = fl.outputs.y
    if (l === 3) break
    if (s.batchNorm) {
      const fb = ok(batchNorm.forward(bn, { x: h, weight: p[`g${l}`], bias: p[`be${l}`] }), 'batch_norm')
      tape.push(() => { const g = batchNorm.backward(bn, fb.cache, { y: dCur! }); grads[`g${l}`] = g.weight; grads[`be${l}`] = g.bias; dCur = g.x })
      h = fb.outputs.y
    }
    const fr = ok(relu.forward(act, { x: h }), 'relu')
    tape.push(() => { dCur = relu.backward(act, fr.cache, { y: dCur! }).x })
    h = fr.outputs.y
    if (s.dropout > 0 && training) {
      const mask = sampleMask(keys[l - 1], s.dropout, h.shape)
      const fd = ok(dropout.forward(dr, { x: h, mask }), 'dropout')
      tape.push(() => { dCur = dropout.backward(dr, fd.cache, { y: dCur! }).x })
      h = fd.outputs.y
    }
  }
  const fc = ok(crossEntropy.forward(ce, { input: h, target: y }), 'cross_entropy')
  dCur = crossEntropy.backward(ce, fc.cache, { loss: make([], Float64Array.of(1)) }).input
  for (let i = tape.length - 1; i >= 0; i--) tape[i]()
  return { loss: fc.outputs.loss.data[0], grads, scores: h }
}
// #endregion backprop

export interface Progress { readonly step: number; readonly loss: number; readonly accuracy?: number }

/** The rows idx of a [n, d] tensor (and of the labels). */
const rowsOf = (t: Tensor, idx: Int32Array): Tensor => {
  const d = t.shape.length > 1 ? t.shape[1] : 1
  const out = new Float64Array(idx.length * d)
  idx.forEach((r, i) => { for (let j = 0; j < d; j++) out[i * d + j] = t.data[r * d + j] })
  return make(t.shape.length > 1 ? [idx.length, d] : [idx.length], out, t.dtype)
}

/** Training accuracy of the current parameters (no dropout; BN on the whole set, in training mode). */
export const accuracy = (s: Settings, p: Params, d: Data): number => {
  const { scores } = lossAndGrads(s, p, d.x, d.y, keyFromSeed(0), false)
  let right = 0
  for (let i = 0; i < d.n; i++) {
    let best = 0
    for (let c = 1; c < 3; c++) if (scores.data[i * 3 + c] > scores.data[i * 3 + best]) best = c
    if (best === d.y.data[i]) right++
  }
  return right / d.n
}

/**
 * The training loop as a generator: it yields after every step, so a page can
 * draw the curve while it trains and a spec can run it to the end.
 */
export function* train(s: Settings): Generator<Progress, { params: Params; accuracy: number }> {
  const root = keyFromSeed(s.seed)
  const [kData, kInit, kRun] = split(root, 3)
  const data = spiral(kData)
  let p = initParams(kInit, s.hidden)
  const cfg: SgdConfig = { lr: s.lr, momentum: s.momentum, dampening: 0, weightDecay: s.weightDecay, nesterov: false }
  const bufs: Record<string, Tensor | undefined> = {}
  for (let t = 0; t < s.steps; t++) {
    const k = foldIn(kRun, t)
    const [kBatch, kDrop] = split(k, 2)
    const u = uniformArray(kBatch, s.batch)
    const idx = Int32Array.from(u, (v) => Math.min(data.n - 1, Math.floor(v * data.n)))
    const { loss, grads } = lossAndGrads(s, p, rowsOf(data.x, idx), rowsOf(data.y, idx), kDrop)
    if (!Number.isFinite(loss)) { yield { step: t, loss }; break }
    const next: Params = {}
    for (const name of Object.keys(p)) {
      const g = grads[name]
      if (g === undefined) { next[name] = p[name]; continue }
      const out = sgdStep(cfg, p[name], g, bufs[name])
      next[name] = out.param
      bufs[name] = out.momentumBuffer
    }
    p = next
    yield { step: t, loss }
  }
  return { params: p, accuracy: accuracy(s, p, data) }
}

/** Runs `train` to the end: the losses and the final training accuracy. */
export const runAll = (s: Settings): { losses: number[]; accuracy: number; params: Params } => {
  const losses: number[] = []
  const it = train(s)
  for (;;) {
    const r = it.next()
    if (r.done) return { losses, accuracy: r.value.accuracy, params: r.value.params }
    losses.push(r.value.loss)
  }
}
