/**
 * The chapters' sanity runs: short programs that call the library and print
 * what a student should see. A chapter shows the code by region
 * (`<<< @/tools/sanity.ts#losses`) and includes the output the same code
 * printed (`<!--@include: ./generated/sanity/losses.md-->`), written by
 *   node --import tsx docs/tools/sanity.ts            (writes docs/generated/sanity/)
 * spec/docs/sanity.spec.ts reruns every program and fails when a committed
 * output differs, so the printed numbers are the library's today.
 * Every random choice comes from a key (src/core/random.ts): the output is a
 * pure function of the code.
 */
import * as E from 'fp-ts/lib/Either.js'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { apply } from '../../src/index.ts'
import { setReference } from '../../src/fast/mode.ts'
import { keyFromSeed, normalArray, split, uniformArray } from '../../src/core/random.ts'
import { type Tensor, fromArray, make } from '../../src/core/tensor.ts'
import { type Init, activationStats } from '../../src/experiments/activation-stats.ts'
import { fitPca, transformPca } from '../../src/preprocessing/pca.ts'
import { fitScaler, transformScaler } from '../../src/preprocessing/scaler.ts'
import { DEFAULT_SETTINGS, initParams, lossAndGrads, runAll, spiral } from '../.vitepress/theme/labs/train.ts'

const right = <T>(e: E.Either<unknown, T>): T => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left))
  return e.right
}
const f4 = (v: number): string => (Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : v.toFixed(4))
const mean = (a: ArrayLike<number>): number => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]; return s / a.length }

// #region losses
/** At initialization, small random scores give a loss near log C, and the gradient p - y sums to zero per sample. */
export const losses = (print: (s: string) => void): void => {
  const N = 4, C = 10
  const scores = make([N, C], normalArray(keyFromSeed(1), N * C).map((v) => 0.001 * v))
  const labels = fromArray([N], [3, 1, 4, 1], 'int64')
  const r = right(apply('cross_entropy', {}, { input: scores, target: labels }, { loss: make([], Float64Array.of(1)) }))
  print(`loss at init ${f4(r.outputs.loss.data[0])}, log C = ${f4(Math.log(C))}`)
  const g = r.gradients.input.data
  for (let n = 0; n < N; n++) {
    const sum = g.slice(n * C, (n + 1) * C).reduce((a, b) => a + b, 0)
    print(`sample ${n}: sum over classes of dL/ds ${Math.abs(sum) < 1e-15 ? 'is 0 to rounding (|sum| < 1e-15)' : `= ${sum} (not 0!)`}`)
  }
}
// #endregion losses

// #region networks
/** Backprop checked by hand: one weight's gradient from the ops' VJPs against a central difference; then training. */
export const networks = (print: (s: string) => void): void => {
  const s = { ...DEFAULT_SETTINGS, steps: 150 }
  const [kData, kInit] = split(keyFromSeed(s.seed), 3)
  const data = spiral(kData)
  const p = initParams(kInit, s.hidden)
  const { loss, grads } = lossAndGrads(s, p, data.x, data.y, keyFromSeed(0), false)
  const h = 1e-6, i = 5
  const bump = (d: number) => {
    const W = Float64Array.from(p.W1.data); W[i] += d
    return lossAndGrads(s, { ...p, W1: make(p.W1.shape, W) }, data.x, data.y, keyFromSeed(0), false).loss
  }
  print(`initial loss ${f4(loss)} (log 3 = ${f4(Math.log(3))})`)
  print(`dL/dW1[${i}]: backprop ${grads.W1.data[i].toExponential(6)}, central difference ${((bump(h) - bump(-h)) / (2 * h)).toExponential(6)}`)
  const r = runAll(s)
  print(`after ${s.steps} SGD steps (lr ${s.lr}, momentum ${s.momentum}): loss ${f4(mean(r.losses.slice(-20)))}, training accuracy ${(100 * r.accuracy).toFixed(1)}%`)
}
// #endregion networks

// #region layers
/** The output size formula, on a 7x7 stride-2 stem, and the adjoint identity <g, conv(x)> = <conv^T(g), x>. */
export const layers = (print: (s: string) => void): void => {
  const [kx, kw, kg] = split(keyFromSeed(2), 3)
  const x = make([1, 3, 16, 16], normalArray(kx, 3 * 256))
  const w = make([4, 3, 7, 7], normalArray(kw, 4 * 3 * 49))
  const y = right(apply('conv2d', { stride: [2, 2], padding: [3, 3] }, { x, weight: w })).outputs.y
  print(`x [1, 3, 16, 16], w [4, 3, 7, 7], stride 2, padding 3 -> y [${y.shape.join(', ')}]; (16 + 6 - 7) / 2 + 1 = ${Math.floor((16 + 6 - 7) / 2) + 1}`)
  const g = make(y.shape, normalArray(kg, y.data.length))
  const dx = right(apply('conv2d', { stride: [2, 2], padding: [3, 3] }, { x, weight: w }, { y: g })).gradients.x
  let a = 0, b = 0
  for (let i = 0; i < y.data.length; i++) a += g.data[i] * y.data[i]
  for (let i = 0; i < x.data.length; i++) b += dx.data[i] * x.data[i]
  print(`<g, conv(x)> = ${a.toFixed(6)}, <dx, x> = ${b.toFixed(6)}`)
}
// #endregion layers

// #region pooling
/** The diagram's 4x4 example: max pooling 2x2/2, and where the gradient goes. */
export const pooling = (print: (s: string) => void): void => {
  const x = fromArray([1, 1, 4, 4], [1, 3, 2, 1, 4, 2, 0, 1, 1, 1, 5, 6, 0, 2, 7, 3])
  const g = fromArray([1, 1, 2, 2], [1, 1, 1, 1])
  const r = right(apply('max_pool2d', { kernel_size: [2, 2], stride: [2, 2] }, { x }, { y: g }))
  print(`y = ${Array.from(r.outputs.y.data).join(' ')}`)
  for (let i = 0; i < 4; i++) print(`dx row ${i}: ${Array.from(r.gradients.x.data.slice(4 * i, 4 * i + 4)).join(' ')}`)
}
// #endregion pooling

// #region activations
/** The zig-zag: for inputs that are all positive, every weight of a unit gets a gradient of the same sign. */
export const activations = (print: (s: string) => void): void => {
  const x = fromArray([1, 4], [0.9, 0.2, 0.5, 0.7]) // sigmoid outputs of the layer below: all > 0
  const w = fromArray([1, 4], [0.1, -0.3, 0.2, 0.05])
  for (const g of [1, -1]) {
    const r = right(apply('linear', {}, { x, weight: w }, { y: fromArray([1, 1], [g]) }))
    print(`upstream g = ${g > 0 ? '+' : ''}${g}: dW = ${Array.from(r.gradients.weight.data).map((v) => (v > 0 ? '+' : '') + v.toFixed(2)).join(' ')}`)
  }
  let slope = 1, h = 0.5
  const at: string[] = []
  for (let l = 1; l <= 20; l++) {
    const r = right(apply('sigmoid', {}, { x: fromArray([1], [h]) }, { y: fromArray([1], [1]) }))
    slope *= r.gradients.x.data[0]
    h = r.outputs.y.data[0]
    if (l === 1 || l === 10 || l === 20) at.push(`L=${l}: ${slope.toExponential(2)} (1/4^L = ${(0.25 ** l).toExponential(2)})`)
  }
  print(`slope of a sigmoid stack from 0.5: ${at.join(', ')}`)
}
// #endregion activations

// #region preprocessing
/** Correlated 2-D data through the library's scaler and PCA, fitted on the data: the covariance before and after. */
export const preprocessing = (print: (s: string) => void): void => {
  const n = 2000
  const z = normalArray(keyFromSeed(3), 2 * n)
  const x = make([n, 2], Float64Array.from({ length: 2 * n }, (_, k) => {
    const i = k >> 1
    return k % 2 === 0 ? 5 + 2 * z[2 * i] : -1 + 1.5 * z[2 * i] + 0.5 * z[2 * i + 1]
  }))
  const show = (what: string, t: Tensor) => {
    const d = t.data, m0 = mean(d.filter((_, k) => k % 2 === 0)), m1 = mean(d.filter((_, k) => k % 2 === 1))
    let a = 0, b = 0, c = 0
    for (let i = 0; i < n; i++) { const u = d[2 * i] - m0, v = d[2 * i + 1] - m1; a += u * u; b += u * v; c += v * v }
    const r4 = (v: number) => f4(Math.abs(v) < 1e-12 ? 0 : v) // rounding-level values print as 0
    print(`${what.padEnd(12)} mean (${r4(m0)}, ${r4(m1)})  covariance [[${r4(a / n)}, ${r4(b / n)}], [${r4(b / n)}, ${r4(c / n)}]]`)
  }
  show('raw', x)
  show('centred', right(transformScaler(right(fitScaler('center', 'feature', x)), x)))
  show('standardized', right(transformScaler(right(fitScaler('standardize', 'feature', x)), x)))
  show('PCA', right(transformPca(right(fitPca(x, { whiten: false })), x)))
  show('whitened', right(transformPca(right(fitPca(x, { whiten: true })), x)))
}
// #endregion preprocessing

// #region initialization
/** The lectures' experiment, small: the std of each layer's activations for three initializations. */
export const initialization = (print: (s: string) => void): void => {
  const runs: [string, 'tanh' | 'relu', Init][] = [
    ['normal 0.01, tanh', 'tanh', { kind: 'normal', std: 0.01 }], ['xavier, tanh', 'tanh', { kind: 'xavier' }], ['kaiming, relu', 'relu', { kind: 'kaiming' }],
  ]
  for (const [name, activation, init] of runs) {
    const r = right(activationStats({ layers: 6, width: 64, batch: 128, activation, init, seed: 0, bins: 10 }))
    print(`${name.padEnd(18)} std per layer: ${r.layers.map((l) => f4(l.std)).join(' ')}`)
  }
}
// #endregion initialization

// #region normalization
/** Batch norm in training mode: each channel comes out with mean 0 and variance 1, and dx sums to 0 per channel. */
export const normalization = (print: (s: string) => void): void => {
  const [kx, kg] = split(keyFromSeed(4), 2)
  const x = make([8, 3], normalArray(kx, 24).map((v, i) => 10 + 5 * v * (1 + (i % 3))))
  const g = make([8, 3], normalArray(kg, 24))
  const r = right(apply('batch_norm', { training: true }, { x }, { y: g }))
  for (let c = 0; c < 3; c++) {
    const col = (t: Tensor) => Array.from({ length: 8 }, (_, n) => t.data[n * 3 + c])
    const y = col(r.outputs.y), m = mean(y), v = mean(y.map((u) => (u - m) ** 2))
    print(`channel ${c}: x mean ${f4(mean(col(x)))} -> y mean ${f4(Math.abs(m) < 1e-12 ? 0 : m)}, y variance ${f4(v)}, sum of dx ${f4(Math.abs(mean(col(r.gradients.x))) < 1e-12 ? 0 : mean(col(r.gradients.x)))}`)
  }
}
// #endregion normalization

// #region tuning
/** Babysitting: the loss at init, then a coarse learning-rate sweep (too low: slow; too high: unstable). */
export const tuning = (print: (s: string) => void): void => {
  for (const lr of [1e-3, 1e-2, 1e-1, 1, 10]) {
    const r = runAll({ ...DEFAULT_SETTINGS, lr, momentum: 0.9, steps: 100 })
    const last = mean(r.losses.slice(-10))
    print(`lr ${String(lr).padEnd(6)} first loss ${f4(r.losses[0])}  last ${Number.isFinite(last) ? f4(last) : 'NaN (diverged)'}  accuracy ${(100 * r.accuracy).toFixed(0)}%`)
  }
}
// #endregion tuning

// #region optimization
/** The zig-zag of SGD on an ill-conditioned quadratic, and what momentum does to it. */
export const optimization = (print: (s: string) => void): void => {
  // f(x, y) = (x^2 + 25 y^2) / 2: curvature 1 along x, 25 along y
  const run = (lr: number, mu: number) => {
    let x = 10, y = 1, vx = 0, vy = 0, steps = 0
    while (Math.hypot(x, y) > 1e-3 && steps < 10000) {
      vx = mu * vx + x; vy = mu * vy + 25 * y // PyTorch's b <- mu b + g
      x -= lr * vx; y -= lr * vy
      steps++
    }
    return steps
  }
  print(`SGD, lr 0.07 (just under 2/25): ${run(0.07, 0)} steps to |theta| < 1e-3`)
  print(`SGD + momentum 0.6, lr 0.07: ${run(0.07, 0.6)} steps`)
  // a saddle: f = (x^2 - y^2) / 2, started exactly on the ridge y = 0
  const saddle = (noise: number) => {
    const z = normalArray(keyFromSeed(5), 200)
    let x = 1, y = 0
    for (let t = 0; t < 100; t++) { x -= 0.1 * (x + noise * z[2 * t]); y -= 0.1 * (-y + noise * z[2 * t + 1]) }
    return `x ${f4(x)}, y ${f4(y)}`
  }
  print(`saddle, exact gradients: ${saddle(0)} (stuck at the saddle point)`)
  print(`saddle, noisy gradients: ${saddle(0.01)} (the noise pushes it off the ridge)`)
}
// #endregion optimization

// #region ensembles
/** Polyak averaging: noisy SGD on f = theta^2 / 2 hovers around 0; the running average of its iterates is much closer. */
export const ensembles = (print: (s: string) => void): void => {
  const z = normalArray(keyFromSeed(6), 2000)
  let theta = 5, avg = 0, ema = 5
  const errs: string[] = []
  for (let t = 1; t <= 2000; t++) {
    theta -= 0.1 * (theta + z[t - 1]) // gradient plus unit noise
    avg += (theta - avg) / t // Polyak-Ruppert: the mean of all iterates
    ema = 0.99 * ema + 0.01 * theta // exponential moving average
    if (t === 100 || t === 2000) errs.push(`step ${t}: |theta| ${f4(Math.abs(theta))}, |average| ${f4(Math.abs(avg))}, |EMA 0.99| ${f4(Math.abs(ema))}`)
  }
  for (const e of errs) print(e)
  // an ensemble: three nets trained from different initializations (the data stay those of seed 0), probabilities averaged
  const s = { ...DEFAULT_SETTINGS, steps: 60, lr: 0.05 }
  const data = spiral(split(keyFromSeed(0), 3)[0])
  const probs = new Float64Array(data.n * 3)
  const accs: string[] = []
  for (const seed of [0, 1, 2]) {
    const { params } = runAll({ ...s, seed })
    const { scores } = lossAndGrads(s, params, data.x, data.y, keyFromSeed(0), false)
    let right = 0
    for (let i = 0; i < data.n; i++) {
      const row = scores.data.slice(3 * i, 3 * i + 3), m = Math.max(...row), e = row.map((v) => Math.exp(v - m)), z = e[0] + e[1] + e[2]
      e.forEach((v, c) => { probs[3 * i + c] += v / z / 3 })
      if (row.indexOf(m) === data.y.data[i]) right++
    }
    accs.push(`${(100 * right / data.n).toFixed(1)}%`)
  }
  let right = 0
  for (let i = 0; i < data.n; i++) { const row = Array.from(probs.slice(3 * i, 3 * i + 3)); if (row.indexOf(Math.max(...row)) === data.y.data[i]) right++ }
  print(`three nets, 60 steps each, on seed 0's data: accuracy ${accs.join(', ')}; their averaged probabilities: ${(100 * right / data.n).toFixed(1)}%`)
}
// #endregion ensembles

// #region regularization
/** L1 by subgradient steps oscillates around 0; the proximal step (soft thresholding) lands on 0 exactly. */
export const regularization = (print: (s: string) => void): void => {
  const lr = 0.1, lambda = 0.3
  let sub = 0.05, prox = 0.05
  const subs: string[] = [], proxs: string[] = []
  for (let t = 0; t < 6; t++) {
    const g = right(apply('l1_penalty', {}, { w: fromArray([1], [sub]) }, { loss: make([], Float64Array.of(1)) })).gradients.w.data[0]
    sub -= lr * lambda * g
    prox = Math.sign(prox) * Math.max(0, Math.abs(prox) - lr * lambda)
    subs.push(sub.toFixed(2)); proxs.push(prox.toFixed(2))
  }
  print(`subgradient: ${subs.join(' ')}`)
  print(`proximal:    ${proxs.join(' ')}`)
  const x = fromArray([4], [1, 2, 3, 4])
  let s = 0
  const draws = 20000
  const u = uniformArray(keyFromSeed(7), 4 * draws)
  for (let d = 0; d < draws; d++) {
    const mask = fromArray([4], Array.from({ length: 4 }, (_, i) => (u[4 * d + i] < 0.5 ? 1 : 0)), 'float64')
    s += right(apply('dropout', { p: 0.5 }, { x, mask })).outputs.y.data[3]
  }
  print(`inverted dropout, p = 0.5: mean of y[3] over ${draws} masks ${f4(s / draws)} (x[3] = 4)`)
}
// #endregion regularization

// #region transfer
/** Features learned on one task help another: train a net, keep its hidden layers, retrain only a new last layer. */
export const transfer = (print: (s: string) => void): void => {
  const s = { ...DEFAULT_SETTINGS, steps: 200 }
  const [kData, kInit, kHead] = split(keyFromSeed(s.seed), 3)
  const data = spiral(kData)
  // task A: the spiral's arms; task B: the same points, labels rotated (arm k -> class (k + 1) mod 3)
  const yB = make(data.y.shape, data.y.data.map((k) => (k + 1) % 3), 'int64')
  const fit = (p: Record<string, Tensor>, y: Tensor, trainable: string[], steps: number) => {
    for (let t = 0; t < steps; t++) {
      const { grads } = lossAndGrads(s, p, data.x, y, keyFromSeed(t), false)
      for (const k of trainable) p[k] = make(p[k].shape, p[k].data.map((v, i) => v - 0.5 * grads[k].data[i]))
    }
    return lossAndGrads(s, p, data.x, y, keyFromSeed(0), false).loss
  }
  const all = ['W1', 'b1', 'W2', 'b2', 'W3', 'b3']
  const base = initParams(kInit, s.hidden)
  print(`task A, all layers, 150 steps: loss ${f4(fit(base, data.y, all, 150))}`)
  const fresh = initParams(kHead, s.hidden)
  const transferred = { ...base, W3: fresh.W3, b3: fresh.b3 }
  print(`task B, pretrained features, new last layer only, 40 steps: loss ${f4(fit(transferred, yB, ['W3', 'b3'], 40))}`)
  print(`task B, from scratch, last layer only, 40 steps:            loss ${f4(fit(initParams(kHead, s.hidden), yB, ['W3', 'b3'], 40))}`)
}
// #endregion transfer

/** Every sanity run, by chapter. */
export const SANITY: Readonly<Record<string, (print: (s: string) => void) => void>> = {
  losses, networks, layers, pooling, activations, preprocessing, initialization, normalization, tuning, optimization, ensembles, regularization, transfer,
}

/** The Markdown a chapter includes: the output in a text block. */
export const renderSanity = (name: string): string => {
  const lines: string[] = []
  // The runs use the readable reference ops (the code the chapters show), not
  // the fast float64 paths the catalogue dispatches to by default (src/fast/).
  const was = setReference(true)
  try { SANITY[name]((s) => lines.push(s)) } finally { setReference(was) }
  return ['What it printed:', '', '```text', ...lines, '```', ''].join('\n')
}

export const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'generated', 'sanity')

if (process.argv[1]?.endsWith('sanity.ts')) {
  mkdirSync(OUT, { recursive: true })
  for (const name of Object.keys(SANITY)) {
    const t0 = Date.now()
    const text = renderSanity(name)
    writeFileSync(join(OUT, `${name}.md`), text)
    console.log(`${name}: ${Date.now() - t0} ms`)
    console.log(text)
  }
}
