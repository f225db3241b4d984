/**
 * The lectures' activation-statistics experiment (cs231n lecture 6, "weight
 * initialization"; Glorot & Bengio 2010, fig. 6): push a batch of unit
 * Gaussians through a deep stack of bias-free fully connected layers and watch
 * the distribution of each layer's activations.
 *   (1) h_0 = X ~ N(0, 1)^[batch, width]
 *   (2) h_l = f(h_{l-1} W_l^T),  W_l [width, width] from the chosen init,  l = 1..layers
 *   (3) mean_l = mean of all batch*width entries of h_l
 *   (4) std_l  = sqrt(mean((h_l - mean_l)^2))   population std (biased: divides by N = batch*width)
 *   (5) histogram of h_l over a range shared by all layers, so collapse and growth show
 * Layer 1 is the first hidden layer's output h_1.
 * What the lectures show (and spec/experiments/activation-stats.spec.ts checks):
 *   normal:0.01 + tanh: std shrinks by ~ 0.01 sqrt(width) per layer: collapse to 0
 *   normal:1.0  + tanh: pre-activations ~ N(0, width): saturated at +-1, std ~ 0.98
 *   xavier + tanh:      std decays slowly, stays in a healthy band
 *   xavier + relu:      the second moment halves per layer
 *   kaiming + relu:     the second moment is preserved
 *
 * The inits, by name (gains for the stack's own nonlinearity f):
 *   zeros, normal:STD, xavier (lecture: N(0, 1/fan_in)), glorot-normal and
 *   glorot-uniform (gain 1, PyTorch's default), kaiming and kaiming-uniform
 *   (fan_in, gain calculate_gain(f): sqrt 2 for relu, 5/3 for tanh),
 *   orthogonal (gain 1), lsuv (orthogonal, then calibrated on this very batch
 *   with ../initializers/lsuv.ts's defaults).
 * Keys: split(keyFromSeed(seed)) = [input key, weight key]; layer l's weight
 * uses split(weight key, layers)[l - 1]. Pure: same options, same numbers.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail, show } from '../core/errors.ts'
import { type Key, keyFromSeed, normal, split } from '../core/random.ts'
import type { Tensor } from '../core/tensor.ts'
import { type Activation, activate, denseForward, moments } from '../initializers/dense.ts'
import { zeros } from '../initializers/constant.ts'
import { glorotNormal, glorotUniform } from '../initializers/glorot.ts'
import { kaimingNormal, kaimingUniform } from '../initializers/kaiming.ts'
import { calibrate } from '../initializers/lsuv.ts'
import { normal as normalInit } from '../initializers/normal.ts'
import { orthogonal } from '../initializers/orthogonal.ts'
import { xavier } from '../initializers/xavier.ts'
import { type Histogram, histogram } from './histogram.ts'

export type Init =
  | { readonly kind: 'zeros' } | { readonly kind: 'normal'; readonly std: number } | { readonly kind: 'xavier' }
  | { readonly kind: 'glorot-normal' } | { readonly kind: 'glorot-uniform' } | { readonly kind: 'kaiming' }
  | { readonly kind: 'kaiming-uniform' } | { readonly kind: 'orthogonal' } | { readonly kind: 'lsuv' }

export const INIT_NAMES = ['zeros', 'normal:STD', 'xavier', 'glorot-normal', 'glorot-uniform', 'kaiming', 'kaiming-uniform', 'orthogonal', 'lsuv'] as const
export const STACK_ACTIVATIONS = ['tanh', 'relu'] as const

export interface Options {
  readonly layers: number
  readonly width: number
  readonly batch: number
  readonly activation: 'tanh' | 'relu'
  readonly init: Init
  readonly seed: number
  readonly bins: number
}

export const DEFAULTS: Options = { layers: 10, width: 500, batch: 1000, activation: 'tanh', init: { kind: 'xavier' }, seed: 0, bins: 40 }

/** Limits that keep one run within memory and a few minutes. */
export const LIMITS = { layers: 100, width: 4096, batch: 100000, elements: 2 ** 24, bins: 1000, work: 1e11 } as const

/** Activations kept between the statistics pass and the histogram pass (256 MiB); beyond, the forward runs twice. */
const KEEP = 2 ** 25

export interface LayerStats {
  readonly layer: number
  readonly mean: number
  readonly std: number
  readonly histogram: Histogram
}

export interface Result {
  readonly options: Options
  readonly layers: readonly LayerStats[]
}

const OP = 'experiment.activation-stats'

/** 'normal:0.01' -> { kind: 'normal', std: 0.01 }; the other names map to themselves. */
export const parseInit = (s: string): E.Either<OpError, Init> => {
  const m = /^normal:(.+)$/.exec(s)
  if (m) {
    const std = Number(m[1])
    return m[1].trim() !== '' && Number.isFinite(std) && std >= 0
      ? E.right({ kind: 'normal', std })
      : fail(OP, 'init', 'normal:STD with STD a finite number >= 0, e.g. normal:0.01', show(s))
  }
  const plain = ['zeros', 'xavier', 'glorot-normal', 'glorot-uniform', 'kaiming', 'kaiming-uniform', 'orthogonal', 'lsuv'] as const
  return (plain as readonly string[]).includes(s)
    ? E.right({ kind: s } as Init)
    : fail(OP, 'init', `one of ${INIT_NAMES.join(', ')}`, show(s))
}

export const formatInit = (i: Init): string => (i.kind === 'normal' ? `normal:${i.std}` : i.kind)

const checkInt = (name: keyof typeof LIMITS, v: number, min: number): E.Either<OpError, number> =>
  Number.isSafeInteger(v) && v >= min && v <= LIMITS[name]
    ? E.right(v)
    : fail(OP, name, `an integer in [${min}, ${LIMITS[name]}]`, show(v))

export const validate = (o: Options): E.Either<OpError, Options> => {
  for (const [name, min] of [['layers', 1], ['width', 1], ['batch', 1], ['bins', 1]] as const) {
    const r = checkInt(name, o[name], min)
    if (E.isLeft(r)) return r
  }
  if (o.width * o.batch > LIMITS.elements) {
    return fail(OP, 'batch', `width * batch <= ${LIMITS.elements}`, `${o.width} * ${o.batch} = ${o.width * o.batch}`, 'use a smaller batch or width')
  }
  if (o.layers * o.batch * o.width * o.width > LIMITS.work) {
    return fail(OP, 'layers', `layers * batch * width^2 <= ${LIMITS.work} multiply-adds (minutes at most)`, `${o.layers * o.batch * o.width * o.width}`)
  }
  if (!(STACK_ACTIVATIONS as readonly string[]).includes(o.activation)) {
    return fail(OP, 'activation', `one of ${STACK_ACTIVATIONS.join(', ')}`, show(o.activation))
  }
  if (!Number.isSafeInteger(o.seed) || o.seed < 0) return fail(OP, 'seed', 'an integer >= 0', show(o.seed))
  return E.right(o)
}

const weightOf = (init: Init, key: Key, width: number, f: Activation): E.Either<OpError, Tensor> => {
  const shape = [width, width]
  switch (init.kind) {
    case 'zeros': return zeros(key, shape)
    case 'normal': return normalInit(key, shape, { std: init.std })
    case 'xavier': return xavier(key, shape)
    case 'glorot-normal': return glorotNormal(key, shape)
    case 'glorot-uniform': return glorotUniform(key, shape)
    case 'kaiming': return kaimingNormal(key, shape, { nonlinearity: f, mode: 'fan_in' })
    case 'kaiming-uniform': return kaimingUniform(key, shape, { nonlinearity: f, mode: 'fan_in' })
    case 'orthogonal': case 'lsuv': return orthogonal(key, shape)
  }
}

/** Range shared by every layer's histogram (5): [-1, 1] for tanh; for relu [0, max_l(mean_l + 3 std_l)]. */
const rangeOf = (f: 'tanh' | 'relu', stats: readonly { mean: number; std: number }[]): [number, number] => {
  if (f === 'tanh') return [-1, 1]
  const hi = Math.max(...stats.map((s) => s.mean + 3 * s.std).filter(Number.isFinite))
  return [0, hi > 0 ? hi : 1]
}

/** What `simulate` hands its visitor for each layer l = 1..layers (arrays row-major, [batch, width]). */
export interface LayerVisit {
  readonly layer: number
  readonly input: Float64Array
  readonly weight: Tensor
  readonly z: Float64Array
  readonly h: Float64Array
}

/**
 * (1)-(2): builds the stack and runs it, handing every layer to `visit`; returns
 * the validated options. The visitor may keep what it is given (fresh arrays).
 */
export const simulate = (options: Partial<Options>, visit: (v: LayerVisit) => void): E.Either<OpError, Options> => {
  const v = validate({ ...DEFAULTS, ...options })
  if (E.isLeft(v)) return v
  const o = v.right
  const [kx, kw] = split(keyFromSeed(o.seed))
  const x = normal(kx, [o.batch, o.width]) // (1)
  const keys = split(kw, o.layers)
  let weights: Tensor[] = []
  for (let l = 0; l < o.layers; l++) {
    const w = weightOf(o.init, keys[l], o.width, o.activation)
    if (E.isLeft(w)) return w
    weights.push(w.right)
  }
  if (o.init.kind === 'lsuv') {
    const c = calibrate(weights, x, { activation: o.activation })
    if (E.isLeft(c)) return c
    weights = [...c.right.weights]
  }
  let h = x.data
  for (let l = 0; l < o.layers; l++) {
    const z = denseForward(h, weights[l].data, o.batch, o.width, o.width) // (2)
    const next = activate(z, o.activation) // (2)
    visit({ layer: l + 1, input: h, weight: weights[l], z, h: next })
    h = next
  }
  return E.right(o)
}

export const activationStats = (options: Partial<Options> = {}): E.Either<OpError, Result> => {
  const v = validate({ ...DEFAULTS, ...options })
  if (E.isLeft(v)) return v
  const o = v.right
  const keep = o.layers * o.batch * o.width <= KEEP
  const hs: Float64Array[] = []
  const stats: { mean: number; std: number }[] = []
  const r = simulate(o, ({ h }) => {
    const m = moments(h)
    stats.push({ mean: m.mean, std: Math.sqrt(m.variance) }) // (3), (4)
    if (keep) hs.push(h)
  })
  if (E.isLeft(r)) return r
  const [lo, hi] = rangeOf(o.activation, stats)
  const hists: Histogram[] = []
  if (keep) hs.forEach((h) => hists.push(histogram(h, lo, hi, o.bins))) // (5)
  else simulate(o, ({ h }) => hists.push(histogram(h, lo, hi, o.bins))) // (5), the same numbers again
  return E.right({ options: o, layers: stats.map((s, l) => ({ layer: l + 1, mean: s.mean, std: s.std, histogram: hists[l] })) })
}
