/**
 * Stochastic depth (Huang, Sun, Liu, Sedra & Weinberger 2016) on a residual
 * block y = x + F(x): in training each sample's residual branch survives with
 * probability `survival` (the paper's p_l) and is skipped otherwise. Not in the
 * case-format catalogue: a library value, not a registered op.
 *
 * The module takes the block input x [N, ...] and the branch output r = F(x)
 * (same shape), so any F works; the caller backpropagates dr through F.
 *   (1) b_n ~ Bernoulli(survival)       'row': one bit per sample n;
 *                                       'batch': one bit shared by the batch
 *   (2) y_n = x_n + c_n r_n
 * with the multiplier c_n chosen by `inverted`:
 *   original, Huang et al. (inverted false): training c_n = b_n;
 *       test c_n = survival (their Section 3, "during testing": the branch
 *       scaled by its survival probability, so the test output is the mean
 *       training output; the paper's ReLU after the sum is the caller's)
 *   inverted, torchvision `stochastic_depth(mode='row'|'batch')` (inverted true):
 *       training c_n = b_n / survival (0 where survival = 0, as torchvision
 *       skips the division); test c_n = 1, the plain residual block
 *   torchvision's `p` is the DROP probability: p = 1 - survival.
 * Expectation over (1): E[c_n train] = c_n test in both conventions.
 * Backward, g = dL/dy:
 *   (3) dx = g            the identity path (F's own dependence on x is the caller's)
 *   (4) dr_n = c_n g_n
 * Linear decay rule of the paper (Section 4), block l of L, last block p_L:
 *   (5) p_l = 1 - (l / L) (1 - p_L)
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail, show, showShape } from '../core/errors.ts'
import type { Forward } from '../core/op.ts'
import { type Key, bernoulli } from '../core/random.ts'
import { type Tensor, make, sameShape, sizeOf } from '../core/tensor.ts'

export type Mode = 'row' | 'batch'
export interface Config { readonly survival: number; readonly training: boolean; readonly inverted: boolean; readonly mode: Mode }
/** What (4) needs: the per-sample multiplier c of (2). */
export interface Cache { readonly c: Float64Array; readonly inner: number }
export interface Grads { readonly x: Tensor; readonly r: Tensor }

const NAME = 'stochastic_depth'

/** The survival probability of block l (1-based) of L under the linear decay rule (5). */
export const linearDecay = (l: number, L: number, pL = 0.5): number => 1 - (l / L) * (1 - pL) // (5)

/** Survival bits (1) for a batch of n samples, as a bool tensor [n]. */
export const sampleMask = (key: Key, survival: number, n: number, mode: Mode): Tensor => {
  const draw = bernoulli(key, survival, [mode === 'row' ? n : 1]) // (1)
  const data = mode === 'row' ? draw.data : new Float64Array(n).fill(draw.data[0])
  return make([n], data, 'bool')
}

export const forward = (cfg: Config) => (x: Tensor, r: Tensor, mask?: Tensor): E.Either<OpError, Forward<Cache>> => {
  if (!(cfg.survival >= 0 && cfg.survival <= 1)) return fail(NAME, 'config.survival', 'a survival probability in [0, 1]', show(cfg.survival))
  if (x.shape.length < 1) return fail(NAME, 'x', 'rank >= 1, [N, ...]', showShape(x.shape))
  if (!sameShape(r.shape, x.shape)) return fail(NAME, 'r', `shape ${showShape(x.shape)} (x's: the branch output of a residual block)`, showShape(r.shape))
  const n = x.shape[0]
  const inner = sizeOf(x.shape.slice(1))
  const c = new Float64Array(n)
  if (!cfg.training) {
    c.fill(cfg.inverted ? 1 : cfg.survival) // (2), test
  } else {
    if (mask === undefined) return fail(NAME, 'mask', `survival bits [${n}] when training`, 'nothing', 'draw them with withKey')
    if (mask.shape.length !== 1 || mask.shape[0] !== n) return fail(NAME, 'mask', `shape [${n}] (one bit per sample)`, showShape(mask.shape))
    const bad = mask.data.findIndex((v) => v !== 0 && v !== 1)
    if (bad >= 0) return fail(NAME, 'mask', 'values 0 or 1', `${show(mask.data[bad])} at index ${bad}`)
    if (cfg.mode === 'batch' && mask.data.some((v) => v !== mask.data[0])) {
      return fail(NAME, 'mask', "one bit shared by the batch in mode 'batch'", 'bits that differ between samples')
    }
    const s = cfg.inverted ? (cfg.survival > 0 ? 1 / cfg.survival : 0) : 1
    for (let i = 0; i < n; i++) c[i] = mask.data[i] === 1 ? s : 0 // (2), training; a skipped branch is 0 even where 1/survival overflows
  }
  const y = new Float64Array(x.data.length)
  for (let i = 0; i < y.length; i++) y[i] = x.data[i] + c[Math.floor(i / inner)] * r.data[i] // (2)
  return E.right({ outputs: { y: make(x.shape, y) }, cache: { c, inner } })
}

export const backward = ({ c, inner }: Cache, g: Tensor): Grads => {
  const dr = new Float64Array(g.data.length)
  for (let i = 0; i < dr.length; i++) dr[i] = c[Math.floor(i / inner)] * g.data[i] // (4)
  return { x: make(g.shape, Float64Array.from(g.data)) /* (3) */, r: make(g.shape, dr) }
}

/** Stochastic depth with the survival bits drawn from `key`; no draw at test time. */
export const withKey = (cfg: Config) => (key: Key, x: Tensor, r: Tensor): E.Either<OpError, Forward<Cache> & { readonly mask?: Tensor }> => {
  if (!cfg.training) return forward(cfg)(x, r)
  const mask = sampleMask(key, cfg.survival, x.shape[0] ?? 0, cfg.mode) // (1)
  return E.map((f: Forward<Cache>) => ({ ...f, mask }))(forward(cfg)(x, r, mask))
}
