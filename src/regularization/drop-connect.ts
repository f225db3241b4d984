/**
 * DropConnect (Wan, Zeiler, Zhang, LeCun & Fergus 2013) on a linear layer:
 * dropout of the weights instead of the activations. Not in the case-format
 * catalogue (no framework has it built in), so this module is a library value,
 * not a registered op. Weights as PyTorch stores them, W [out, in].
 * `p` is the probability of DROPPING a weight, as for dropout (./dropout.ts).
 *   (1) M_oi ~ Bernoulli(1 - p), one keep bit per weight
 *   (2) W~ = s * (M o W)    training: s = 1/(1 - p) inverted (0 at p = 1), 1 vanilla
 *                           evaluation: M = 1 and s = 1 inverted, 1 - p vanilla
 *   (3) y = x W~^T + b      x [..., in], b [out]
 * Expectation over (1): E[W~_train] = W~_eval, and y is linear in W~, so the
 * evaluation output is exactly the mean training output. (The paper's own
 * inference moment-matches a Gaussian to the pre-activation and samples it
 * through the nonlinearity; for the linear layer alone its mean is (3) at the
 * vanilla evaluation weights.)
 * Backward, g = dL/dy [..., out]; X, G: x and g flattened to rows:
 *   (4) dx = g W~
 *   (5) dW = s * M o (G^T X)    the chain rule through (2) is a masked, scaled copy
 *   (6) db = sum over rows of G
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail, show, showShape } from '../core/errors.ts'
import type { Forward } from '../core/op.ts'
import type { Key } from '../core/random.ts'
import { type Tensor, make, matmul, mT, reshape, sameShape, sizeOf, sumAxes } from '../core/tensor.ts'
import { evalScale, sampleMask, trainScale } from './dropout.ts'

export interface Config { readonly p: number; readonly training: boolean; readonly inverted: boolean }
export interface Params { readonly weight: Tensor; readonly bias?: Tensor }
/** What (4)-(6) need: the input, the multiplier s M of (2) and the effective weight W~. */
export interface Cache { readonly x: Tensor; readonly k: Tensor; readonly wEff: Tensor; readonly hasBias: boolean }
export interface Grads { readonly x: Tensor; readonly weight: Tensor; readonly bias?: Tensor }

const NAME = 'drop_connect'

const rows = (t: Tensor): Tensor => {
  const last = t.shape[t.shape.length - 1]
  return reshape(t, [sizeOf(t.shape) / Math.max(last, 1) || 0, last])
}

const checkConfig = (c: Config): E.Either<OpError, Config> =>
  Number.isFinite(c.p) && c.p >= 0 && c.p <= 1 ? E.right(c) : fail(NAME, 'config.p', 'a drop probability in [0, 1]', show(c.p))

export const forward = (c: Config) => (params: Params, x: Tensor, mask?: Tensor): E.Either<OpError, Forward<Cache>> => {
  const ok = checkConfig(c)
  if (E.isLeft(ok)) return ok
  const { weight: w, bias } = params
  if (x.shape.length < 1) return fail(NAME, 'x', 'rank >= 1, [..., in]', showShape(x.shape))
  const inF = x.shape[x.shape.length - 1]
  if (w.shape.length !== 2 || w.shape[1] !== inF) return fail(NAME, 'params.weight', `[out, ${inF}] (x's last dimension is in)`, showShape(w.shape))
  const outF = w.shape[0]
  if (bias !== undefined && (bias.shape.length !== 1 || bias.shape[0] !== outF)) return fail(NAME, 'params.bias', `[${outF}]`, showShape(bias.shape))
  const k = new Float64Array(w.data.length)
  if (!c.training) {
    k.fill(evalScale({ ...c, training: false })) // (2), evaluation: dropout's scales
  } else {
    if (mask === undefined) return fail(NAME, 'mask', 'a keep mask of the weight\'s shape when training', 'nothing', 'draw one with withKey')
    if (!sameShape(mask.shape, w.shape)) return fail(NAME, 'mask', `shape ${showShape(w.shape)} (the weight's)`, showShape(mask.shape))
    const bad = mask.data.findIndex((v) => v !== 0 && v !== 1)
    if (bad >= 0) return fail(NAME, 'mask', 'values 0 or 1', `${show(mask.data[bad])} at flat index ${bad}`)
    const s = trainScale({ ...c, training: true }) // dropout's scale, p = 1 included
    for (let i = 0; i < k.length; i++) k[i] = mask.data[i] * s // (2), training
  }
  const wEff = new Float64Array(k.length)
  for (let i = 0; i < k.length; i++) wEff[i] = k[i] * w.data[i] // (2)
  const W = make(w.shape, wEff)
  const y = matmul(rows(x), mT(W)) // (3)
  if (bias !== undefined) for (let i = 0; i < y.data.length; i++) y.data[i] += bias.data[i % outF] // (3), y is ours
  return E.right({
    outputs: { y: make([...x.shape.slice(0, -1), outF], y.data) },
    cache: { x, k: make(w.shape, k), wEff: W, hasBias: bias !== undefined },
  })
}

export const backward = ({ x, k, wEff, hasBias }: Cache, g: Tensor): Grads => {
  const G = rows(g)
  const dx = make(x.shape, matmul(G, wEff).data) // (4)
  const gx = matmul(mT(G), rows(x))
  const dW = new Float64Array(gx.data.length)
  for (let i = 0; i < dW.length; i++) dW[i] = k.data[i] * gx.data[i] // (5)
  const weight = make(k.shape, dW)
  return hasBias ? { x: dx, weight, bias: sumAxes(G, [0]) /* (6) */ } : { x: dx, weight }
}

/** DropConnect with the weight mask (1) drawn from `key`; no draw in evaluation. */
export const withKey = (c: Config) => (key: Key, params: Params, x: Tensor): E.Either<OpError, Forward<Cache> & { readonly mask?: Tensor }> => {
  if (!c.training) return forward(c)(params, x)
  const mask = sampleMask(key, c.p, params.weight.shape) // (1)
  return E.map((f: Forward<Cache>) => ({ ...f, mask }))(forward(c)(params, x, mask))
}
