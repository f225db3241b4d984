/**
 * The docs' figures, from the library's own runs: `npm run docs:figures`
 * writes docs/public/figures/*.svg (committed; the chapters show them).
 *
 *   activation-<name>.svg       f and f' of each activation, both from the op itself: f is the
 *                               forward, f' the VJP with cotangent 1 (so the plotted slope is
 *                               the hand-derived backward, kinks and their conventions included)
 *   activation-chain.svg        d/dx of L stacked activations through the ops' VJPs: sigmoid's
 *                               (1/4)^L against tanh
 *   init-<init>-<f>.svg         per-layer activation histograms of src/experiments/activation-stats.ts,
 *                               drawn by its own renderer (src/experiments/plot-svg.ts, the same
 *                               figure `nn-oracle experiment --svg` writes), the lectures' five runs
 *   init-std.svg                std per layer for those five runs, in one chart
 *   batch-norm-train-eval.svg   the batch_norm op over a stream of batches: running statistics
 *                               against the population's, and how far evaluation mode's output is
 *                               from training mode's on the same batch
 *   losses-margin.svg           cross entropy on two classes, binary cross entropy with logits and
 *                               the multi-class hinge as functions of the margin, with their VJPs
 *   penalties.svg               l1, l2 and elastic-net penalties and their gradients, from the ops
 *   optimizers.svg              SGD, momentum, Nesterov and Adam (src/optimizers values) on an
 *                               ill-conditioned quadratic: loss per step and trajectories
 *   schedules.svg, averaging-ema.svg, second-order.svg, snapshot-ensemble.svg
 *                               learning-rate schedules, EMA averaging, Newton/BFGS/L-BFGS and
 *                               snapshot ensembles: ./figures-schedules.ts says how each is made
 *
 * Plotting: hand-written SVG (docs/tools/docs-plot.ts, ~200 lines), not vega-lite.
 * Why: the histograms must be the library's own figure, and src/experiments/plot-svg.ts
 * already writes it by hand; what remains is line charts, which take one small
 * module. vega + vega-lite would add about 80 packages (25 MB) to the dev
 * dependencies for that, and write SVGs five times larger (the prototype in
 * docs/tools/notes.md, section 4: 107 KB against 21 KB per figure). Both are
 * deterministic; ours also has no fonts, scripts or styles to load.
 *
 * Deterministic: every random draw comes from src/core/random.ts keys with the
 * seeds below, and the SVG text depends on nothing else (no dates, no
 * environment), so rerunning leaves the committed files unchanged.
 * Run: node --import tsx docs/tools/figures.ts [--only NAME-PREFIX]
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import { formatError } from '../../src/core/errors.ts'
import { vjp } from '../../src/core/op.ts'
import { keyFromSeed, normal, split } from '../../src/core/random.ts'
import { type Tensor, fromArray, full, make, scalar } from '../../src/core/tensor.ts'
import { type Init, type Result, activationStats, formatInit } from '../../src/experiments/activation-stats.ts'
import { renderSvg } from '../../src/experiments/plot-svg.ts'
import { type Optimizer, type Params } from '../../src/optimizers/optimizer.ts'
import { adam } from '../../src/optimizers/adam.ts'
import { sgd } from '../../src/optimizers/sgd.ts'
import { lookup } from '../../src/registry.ts'
import { type Panel, type Series, PALETTE, figure } from './docs-plot.ts'
import { scheduleFigures } from './figures-schedules.ts'
import { augmentationFigures } from './figures-augmentation.ts'

export const OUT = 'docs/public/figures'

const must = <A>(e: E.Either<{ op: string }, A>, what: string): A => {
  if (E.isLeft(e)) throw new Error(`${what}: ${formatError(e.left as never)}`)
  return e.right
}

/** Forward and VJP of a catalogue op by name, with raw attributes parsed by the op itself. */
const run = (name: string, raw: Record<string, unknown>, inputs: Record<string, Tensor>, cot: Record<string, Tensor>) => {
  const op = lookup(name)
  if (op === undefined) throw new Error(`no op ${name}`)
  const attrs = must(op.parseAttrs(raw as never), `${name} attrs`)
  return must(vjp(op, attrs, inputs, cot), name)
}

const grid = (lo: number, hi: number, n: number): number[] => Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1))

// ---------------------------------------------------------------- activations

interface ActivationFigure {
  readonly op: string
  readonly attrs: Record<string, unknown>
  readonly title: string
  /** x where left and right derivatives differ: the dot shows the op's convention there */
  readonly kink?: number
  /** a horizontal line worth reading off (sigmoid's maximal slope 1/4) */
  readonly ref?: { readonly at: number; readonly label: string }
  /** where the legend covers no curve */
  readonly legend?: 'top-left' | 'bottom-right'
}

const ACTIVATIONS: readonly ActivationFigure[] = [
  { op: 'sigmoid', attrs: {}, title: 'sigmoid', ref: { at: 0.25, label: "max slope 1/4" } },
  { op: 'tanh', attrs: {}, title: 'tanh', legend: 'bottom-right' },
  { op: 'relu', attrs: {}, title: 'relu', kink: 0 },
  { op: 'leaky_relu', attrs: { negative_slope: 0.1 }, title: 'leaky_relu (negative_slope 0.1)', kink: 0 },
  { op: 'elu', attrs: {}, title: 'elu (alpha 1)' },
  { op: 'selu', attrs: {}, title: 'selu', kink: 0 },
  { op: 'gelu', attrs: {}, title: 'gelu (exact)' },
  { op: 'silu', attrs: {}, title: 'silu (swish)' },
  { op: 'mish', attrs: {}, title: 'mish' },
  { op: 'softplus', attrs: {}, title: 'softplus (beta 1)' },
  { op: 'softsign', attrs: {}, title: 'softsign', legend: 'bottom-right' },
  { op: 'log_sigmoid', attrs: {}, title: 'log_sigmoid', legend: 'bottom-right' },
]

/** Cut a sampled curve where it jumps (a kink in f makes a step in f'): NaN ends the polyline. */
const withBreaks = (xs: number[], ys: number[], jump: number): [number, number][] => {
  const out: [number, number][] = []
  ys.forEach((y, i) => {
    if (i > 0 && Math.abs(y - ys[i - 1]) > jump) out.push([xs[i], NaN])
    out.push([xs[i], y])
  })
  return out
}

const activationFigure = (a: ActivationFigure): string => {
  // An even count keeps 0 off the grid: the curves show the two sides, the dot the value at the kink.
  const xs = grid(-5, 5, 400)
  const x = fromArray([xs.length], xs)
  const r = run(a.op, a.attrs, { x }, { y: full([xs.length], 1) })
  const f = Array.from(r.outputs.y.data), df = Array.from(r.gradients.x.data)
  const dots = []
  if (a.kink !== undefined) {
    const at = run(a.op, a.attrs, { x: fromArray([1], [a.kink]) }, { y: full([1], 1) })
    dots.push({ x: a.kink, y: at.gradients.x.data[0], color: PALETTE[1], label: `f'(${a.kink}) = ${Number(at.gradients.x.data[0].toPrecision(4))}` })
  }
  const panel: Panel = {
    title: a.title,
    xLabel: 'x',
    yLabel: 'value',
    series: [
      { name: 'f(x): forward', points: withBreaks(xs, f, 0.5), color: PALETTE[0] },
      { name: "f'(x): VJP with dy = 1", points: withBreaks(xs, df, 0.2), color: PALETTE[1], dash: '6,3' },
    ],
    dots,
    refs: a.ref ? [{ axis: 'y', at: a.ref.at, label: a.ref.label, color: '#c44e52' }] : [],
    legend: a.legend ?? 'top-left',
  }
  return figure({ panels: [panel], panelWidth: 380, panelHeight: 270 })
}

/**
 * d/dx of f(f(...f(x))) (L times) at x = 0, by chaining each op's VJP backwards
 * through the forward values: the product of L local slopes f'(h_{l-1}).
 */
const chainSlope = (op: string, L: number, x0: number): number[] => {
  const hs = [x0]
  for (let l = 0; l < L; l++) hs.push(run(op, {}, { x: fromArray([1], [hs[l]]) }, {}).outputs.y.data[0])
  const out: number[] = []
  let g = 1
  for (let l = 0; l < L; l++) {
    g = run(op, {}, { x: fromArray([1], [hs[l]]) }, { y: fromArray([1], [g]) }).gradients.x.data[0]
    out.push(g) // after l + 1 layers, in the order the chain rule multiplies them (the slopes commute)
  }
  return out
}

const chainFigure = (): string => {
  const L = 20
  const ls = Array.from({ length: L }, (_, i) => i + 1)
  const sig = chainSlope('sigmoid', L, 0), th = chainSlope('tanh', L, 0.5)
  return figure({
    panels: [{
      title: 'Slope of a stack of L activations (weights 1), by the ops\u2019 VJPs',
      xLabel: 'depth L',
      yLabel: 'd h_L / d x',
      yLog: true,
      series: [
        { name: 'sigmoid stack, x = 0', points: ls.map((l, i) => [l, sig[i]]), color: PALETTE[0], markers: true },
        { name: 'tanh stack, x = 0.5', points: ls.map((l, i) => [l, th[i]]), color: PALETTE[2], markers: true },
        { name: 'bound (1/4)^L', points: ls.map((l) => [l, 0.25 ** l]), color: '#c44e52', dash: '5,4' },
      ],
      legend: 'bottom-left',
    }],
    panelWidth: 560,
    panelHeight: 320,
  })
}

// ---------------------------------------------------------------- initialization

/** The lectures' five runs (cs231n lecture 6): 10 layers of 500 units, batch 1000, seed 0. */
export const INIT_RUNS: readonly { readonly init: Init; readonly activation: 'tanh' | 'relu'; readonly file: string }[] = [
  { init: { kind: 'normal', std: 0.01 }, activation: 'tanh', file: 'init-normal-0.01-tanh.svg' },
  { init: { kind: 'normal', std: 1 }, activation: 'tanh', file: 'init-normal-1-tanh.svg' },
  { init: { kind: 'xavier' }, activation: 'tanh', file: 'init-xavier-tanh.svg' },
  { init: { kind: 'xavier' }, activation: 'relu', file: 'init-xavier-relu.svg' },
  { init: { kind: 'kaiming' }, activation: 'relu', file: 'init-kaiming-relu.svg' },
]

const initFigures = (): Record<string, string> => {
  const out: Record<string, string> = {}
  const results: Result[] = []
  for (const r of INIT_RUNS) {
    const res = must(activationStats({ init: r.init, activation: r.activation, seed: 0 }), `activation-stats ${r.file}`)
    results.push(res)
    out[r.file] = renderSvg(res)
  }
  out['init-std.svg'] = figure({
    panels: [{
      title: 'Std of each layer\u2019s activations (10 layers of 500, batch 1000, seed 0)',
      xLabel: 'layer',
      yLabel: 'population std',
      yLog: true,
      series: results.map((res, i) => ({
        name: `${formatInit(res.options.init)}, ${res.options.activation}`,
        points: res.layers.map((l) => [l.layer, l.std] as [number, number]),
        color: PALETTE[i],
        markers: true,
      })),
      legend: 'bottom-left',
    }],
    panelWidth: 620,
    panelHeight: 360,
  })
  return out
}

// ---------------------------------------------------------------- batch norm

/**
 * One channel, population N(3, 2^2), batches of 16, momentum 0.1, running
 * statistics starting at PyTorch's (0, 1). Each step runs batch_norm in
 * training (new running statistics) and, on the same batch, in evaluation with
 * the running statistics held before the step.
 */
const batchNormFigure = (): string => {
  const steps = 60, batch = 16, mu = 3, sigma = 2
  const keys = split(keyFromSeed(7), steps)
  let rm = fromArray([1], [0]), rv = fromArray([1], [1])
  const means: [number, number][] = [[0, rm.data[0]]], vars: [number, number][] = [[0, rv.data[0]]]
  const gap: [number, number][] = []
  for (let t = 0; t < steps; t++) {
    const x = make([batch, 1], normal(keys[t], [batch, 1], mu, sigma).data)
    const train = run('batch_norm', { training: true, momentum: 0.1, eps: 1e-5 }, { x, running_mean: rm, running_var: rv }, {})
    const evalOut = run('batch_norm', { training: false, eps: 1e-5 }, { x, running_mean: rm, running_var: rv }, {})
    let d = 0
    for (let i = 0; i < batch; i++) d += Math.abs(train.outputs.y.data[i] - evalOut.outputs.y.data[i])
    gap.push([t + 1, d / batch])
    rm = train.outputs.running_mean
    rv = train.outputs.running_var
    means.push([t + 1, rm.data[0]])
    vars.push([t + 1, rv.data[0]])
  }
  return figure({
    title: 'batch_norm: training vs evaluation mode',
    subtitle: 'one channel, x ~ N(3, 2\u00b2), batches of 16, momentum 0.1, running statistics start at (0, 1); seed 7',
    columns: 1,
    panels: [
      {
        title: 'Running statistics after each training step',
        xLabel: 'step',
        yLabel: 'value',
        series: [
          { name: 'running_mean', points: means, color: PALETTE[0], markers: true },
          { name: 'running_var (unbiased batch var)', points: vars, color: PALETTE[1], markers: true },
        ],
        refs: [{ axis: 'y', at: mu, label: 'population mean 3' }, { axis: 'y', at: sigma * sigma, label: 'population var 4' }],
        legend: 'bottom-right',
      },
      {
        title: 'mean |y_train - y_eval| on the same batch',
        xLabel: 'step',
        yLabel: 'mean absolute difference',
        yLog: true,
        series: [{ name: 'evaluation with the running statistics before the step', points: gap, color: PALETTE[2], markers: true }],
        legend: 'top-right',
      },
    ],
    panelWidth: 640,
    panelHeight: 320,
  })
}

// ---------------------------------------------------------------- losses and penalties

/**
 * Margin m = score of the true class minus the other's, two classes:
 * cross_entropy on logits [0, m] with target 1; binary_cross_entropy_with_logits
 * on the logit m with target 1 (the same function, log(1 + e^-m));
 * multi_margin_loss on [0, m] with target 1, times C = 2 since PyTorch divides by C.
 */
const lossFigure = (): string => {
  const ms = grid(-3, 4, 281)
  const n = ms.length
  const logits = fromArray([n, 2], ms.flatMap((m) => [0, m]))
  const target = make([n], new Float64Array(n).fill(1), 'int64')
  const per = { reduction: 'none' }
  const ce = run('cross_entropy', per, { input: logits, target }, { loss: full([n], 1) })
  const bce = run('binary_cross_entropy_with_logits', per, { input: fromArray([n], ms), target: full([n], 1) }, { loss: full([n], 1) })
  const hinge = run('multi_margin_loss', per, { input: logits, target }, { loss: full([n], 2) })
  const dm = (g: Tensor, cols: number) => ms.map((m, i) => [m, cols === 2 ? g.data[2 * i + 1] : g.data[i]] as [number, number])
  return figure({
    title: 'Classification losses as functions of the margin m (two classes, true class 1)',
    subtitle: 'from the ops; the hinge is 2 \u00d7 multi_margin_loss because PyTorch divides by C = 2',
    columns: 1,
    panels: [
      {
        title: 'loss',
        xLabel: 'margin m = s_true - s_other',
        yLabel: 'loss',
        series: [
          { name: 'cross_entropy([0, m], 1)', points: ms.map((m, i) => [m, ce.outputs.loss.data[i]]), color: PALETTE[0] },
          { name: 'bce_with_logits(m, 1)', points: ms.map((m, i) => [m, bce.outputs.loss.data[i]]), color: PALETTE[2], dash: '3,3', width: 3 },
          { name: 'hinge: 2 multi_margin_loss', points: withBreaks(ms, Array.from(hinge.outputs.loss.data, (v) => 2 * v), 1), color: PALETTE[1] },
          { name: '0-1 loss', points: withBreaks(ms, ms.map((m) => (m > 0 ? 0 : 1)), 0.5), color: '#8c8c8c', dash: '5,4' },
        ],
        legend: 'top-right',
      },
      {
        title: 'd loss / d s_true, from the VJP',
        xLabel: 'margin m = s_true - s_other',
        yLabel: 'gradient',
        series: [
          { name: 'cross entropy: p_true - 1', points: dm(ce.gradients.input, 2), color: PALETTE[0] },
          { name: 'bce with logits: sigmoid(m) - 1', points: dm(bce.gradients.input, 1), color: PALETTE[2], dash: '3,3', width: 3 },
          { name: 'hinge: -1 inside the margin, 0 beyond', points: withBreaks(ms, Array.from(dm(hinge.gradients.input, 2), (q) => q[1]), 0.5), color: PALETTE[1] },
        ],
        legend: 'bottom-right',
      },
    ],
    panelWidth: 640,
    panelHeight: 320,
  })
}

const penaltyFigure = (): string => {
  const ws = grid(-2, 2, 400)
  const one = (op: string, attrs: Record<string, unknown>) => ws.map((w) => {
    const r = run(op, attrs, { w: fromArray([1], [w]) }, { loss: scalar(1) })
    return [r.outputs.loss.data[0], r.gradients.w.data[0]] as const
  })
  const l1 = one('l1_penalty', {}), l2 = one('l2_penalty', {}), en = one('elastic_net_penalty', { beta: 0.5 })
  const s = (vals: readonly (readonly [number, number])[], k: 0 | 1, jump: number) => withBreaks(ws, vals.map((v) => v[k]), jump)
  return figure({
    title: 'Weight penalties on one weight w, from the ops',
    columns: 1,
    panels: [
      {
        title: 'penalty',
        xLabel: 'w',
        yLabel: 'loss',
        series: [
          { name: 'l2_penalty: w^2', points: s(l2, 0, 1), color: PALETTE[0] },
          { name: 'l1_penalty: |w|', points: s(l1, 0, 1), color: PALETTE[1] },
          { name: 'elastic_net (beta 0.5)', points: s(en, 0, 1), color: PALETTE[2], dash: '6,3' },
        ],
        // headroom above the curves (they end at 4) for the legend, which covered them before
        yDomain: [-0.3, 6],
        legend: 'top-left',
      },
      {
        title: 'gradient (VJP with dloss = 1)',
        xLabel: 'w',
        yLabel: 'd loss / d w',
        series: [
          { name: 'l2: 2 w', points: s(l2, 1, 0.5), color: PALETTE[0] },
          { name: 'l1: sign(w)', points: s(l1, 1, 0.5), color: PALETTE[1] },
          { name: 'elastic net: w + sign(w)', points: s(en, 1, 0.5), color: PALETTE[2], dash: '6,3' },
        ],
        dots: [{ x: 0, y: run('l1_penalty', {}, { w: fromArray([1], [0]) }, { loss: scalar(1) }).gradients.w.data[0], color: PALETTE[1], label: 'sign(0) = 0' }],
        legend: 'top-left',
      },
    ],
    panelWidth: 440,
    panelHeight: 300,
  })
}

// ---------------------------------------------------------------- optimizers

/** f(theta) = (a theta_1^2 + b theta_2^2) / 2: condition number b / a = 50. */
const A = 1, B = 50
const quad = (t: Float64Array): number => 0.5 * (A * t[0] * t[0] + B * t[1] * t[1])
const quadGrad = (t: Float64Array): Tensor => fromArray([2], [A * t[0], B * t[1]])

// #region descend
const descend = <S>(opt: Optimizer<S>, steps: number, start: readonly number[]): Float64Array[] => {
  let params: Params = { theta: fromArray([2], start) }
  let state = opt.init(params)
  const path = [params.theta.data]
  for (let t = 0; t < steps; t++) {
    const next = must(opt.update({ theta: quadGrad(params.theta.data) }, state, params), 'optimizer update')
    params = next.params
    state = next.state
    path.push(params.theta.data)
  }
  return path
}
// #endregion descend

export const OPTIMIZER_RUNS = [
  { name: 'SGD, lr 0.038', make: () => sgd({ lr: 0.038 }) },
  { name: 'momentum 0.8, lr 0.02', make: () => sgd({ lr: 0.02, momentum: 0.8 }) },
  { name: 'Nesterov 0.8, lr 0.02', make: () => sgd({ lr: 0.02, momentum: 0.8, nesterov: true }) },
  { name: 'Adam, lr 0.1', make: () => adam({ lr: 0.1 }) },
] as const

const optimizerFigure = (): string => {
  const steps = 80, start = [-4, 1]
  const paths = OPTIMIZER_RUNS.map((r) => descend(must(r.make() as E.Either<never, Optimizer<unknown>>, r.name), steps, start))
  const contours: Series[] = [0.5, 2, 8, 18, 32].map((level) => ({
    name: `f = ${level}`,
    points: grid(0, 2 * Math.PI, 121).map((a) => [Math.sqrt((2 * level) / A) * Math.cos(a), Math.sqrt((2 * level) / B) * Math.sin(a)] as [number, number]),
    color: '#bbbbbb',
    width: 1,
    hideInLegend: true,
  }))
  return figure({
    title: 'Optimizers on f(\u03b8) = (\u03b8\u2081\u00b2 + 50 \u03b8\u2082\u00b2) / 2 from \u03b8 = (-4, 1)',
    subtitle: 'SGD: lr just below 2/L; momentum, Nesterov: lr 1/L, PyTorch form b = \u03bc b + g; Adam: default betas',
    columns: 1,
    panels: [
      {
        title: 'f(\u03b8_t) per step',
        xLabel: 'step t',
        yLabel: 'f(\u03b8_t)',
        yLog: true,
        yDomain: [1e-8, 100],
        series: paths.map((p, i) => ({ name: OPTIMIZER_RUNS[i].name, points: p.map((t, k) => [k, quad(t)] as [number, number]), color: PALETTE[i] })),
        // the curves are all below 1 late in the run: the top right is free
        legend: 'top-right',
      },
      {
        title: 'trajectories over the level sets of f',
        xLabel: '\u03b8\u2081',
        yLabel: '\u03b8\u2082',
        xDomain: [-4.5, 1.5],
        yDomain: [-1.5, 1.5],
        equalAspect: true,
        series: [...contours, ...paths.map((p, i) => ({ name: OPTIMIZER_RUNS[i].name, points: p.slice(0, 41).map((t) => [t[0], t[1]] as [number, number]), color: PALETTE[i], width: 1.5, markers: true }))],
        legend: 'none',
      },
    ],
    panelWidth: 640,
    panelHeight: 340,
  })
}

// ---------------------------------------------------------------- main

/** Groups of figures by name: each returns file name -> SVG text. */
export const FIGURES: readonly (readonly [string, () => Record<string, string>])[] = [
  ['activation', () => ({
    ...Object.fromEntries(ACTIVATIONS.map((a) => [`activation-${a.op.replace(/_/g, '-')}.svg`, activationFigure(a)])),
    'activation-chain.svg': chainFigure(),
  })],
  ['init', initFigures],
  ['batch-norm', () => ({ 'batch-norm-train-eval.svg': batchNormFigure() })],
  ['losses', () => ({ 'losses-margin.svg': lossFigure() })],
  ['penalties', () => ({ 'penalties.svg': penaltyFigure() })],
  ['optimizers', () => ({ 'optimizers.svg': optimizerFigure() })],
  ['schedules', scheduleFigures],
  ['augmentation', augmentationFigures],
]

const main = (): void => {
  const i = process.argv.indexOf('--only')
  const only = i >= 0 ? process.argv[i + 1] : undefined
  mkdirSync(OUT, { recursive: true })
  for (const [name, make] of FIGURES) {
    if (only !== undefined && !name.startsWith(only)) continue
    const t0 = Date.now()
    const files = make()
    for (const [file, svg] of Object.entries(files)) writeFileSync(join(OUT, file), svg)
    console.log(`${name}: ${Object.keys(files).length} figure(s) in ${Date.now() - t0} ms`)
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main()
