/**
 * The figures of docs/schedules-and-averaging.md, from the library's own runs
 * (docs/tools/figures.ts lists them in FIGURES and writes them):
 *
 *   schedules.svg         lr(n) of every schedule kind, replayed by src/schedules (PyTorch's
 *                         chainable forms), as small multiples
 *   averaging-ema.svg     SGD with noisy gradients on a 2-D quadratic, wrapped by
 *                         src/averaging's `averaged` (AveragedModel's EMA): distance to the
 *                         optimum per step, and the two paths over the level sets
 *   second-order.svg      GD, momentum, Newton, BFGS and torch.optim.LBFGS (src/second-order)
 *                         on an ill-conditioned quadratic and on Rosenbrock's function
 *   snapshot-ensemble.svg the SGDR rate of a snapshot ensemble with the steps
 *                         src/ensembles/snapshot.ts takes its members at
 *
 * Deterministic: the only random draws are the gradient noise, from keyFromSeed(11).
 */
import * as E from 'fp-ts/lib/Either.js'
import { formatError } from '../../src/core/errors.ts'
import { keyFromSeed, normal, split } from '../../src/core/random.ts'
import { type Tensor, fromArray } from '../../src/core/tensor.ts'
import { Averaged } from '../../src/averaging/index.ts'
import { snapshotSteps } from '../../src/ensembles/snapshot.ts'
import { type Optimizer, type Params } from '../../src/optimizers/optimizer.ts'
import { sgd } from '../../src/optimizers/sgd.ts'
import { Schedule } from '../../src/schedules/index.ts'
import { type KindAttrs } from '../../src/schedules/kinds.ts'
import { Bfgs, Lbfgs, Newton, Vec } from '../../src/second-order/index.ts'
import { strongWolfe } from '../../src/second-order/strong-wolfe.ts'
import { type Panel, type Series, PALETTE, figure } from './docs-plot.ts'

const must = <A>(e: E.Either<{ op: string }, A>, what: string): A => {
  if (E.isLeft(e)) throw new Error(`${what}: ${formatError(e.left as never)}`)
  return e.right
}

const grid = (lo: number, hi: number, n: number): number[] => Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1))

// ---------------------------------------------------------------- schedules

/** 200 optimizer steps read lr(0..199); groups that keep their own rate start at 0.1. */
const STEPS = 200, BASE_LR = 0.1

interface ScheduleRun { readonly title: string; readonly parts: readonly KindAttrs[]; readonly milestones?: readonly number[]; readonly marks?: readonly number[] }

const cyclic = (mode: 'triangular' | 'triangular2' | 'exp_range', gamma = 1): KindAttrs =>
  ({ kind: 'cyclic', base_lr: 0.01, max_lr: 0.1, step_size_up: 25, step_size_down: undefined, mode, gamma })

export const SCHEDULE_RUNS: readonly ScheduleRun[] = [
  { title: 'step (step_size 50, gamma 0.5)', parts: [{ kind: 'step', step_size: 50, gamma: 0.5 }], marks: [50, 100, 150] },
  { title: 'multistep ([60, 120, 160], gamma 0.3)', parts: [{ kind: 'multistep', milestones: [60, 120, 160], gamma: 0.3 }], marks: [60, 120, 160] },
  { title: 'exponential (gamma 0.98)', parts: [{ kind: 'exponential', gamma: 0.98 }] },
  { title: 'cosine (T_max 200)', parts: [{ kind: 'cosine', T_max: 200, eta_min: 0 }] },
  { title: 'SGDR (T_0 10, T_mult 2, eta_min 1e-3)', parts: [{ kind: 'cosine_warm_restarts', T_0: 10, T_mult: 2, eta_min: 1e-3 }], marks: [10, 30, 70, 150] },
  { title: 'cyclic triangular (up 25)', parts: [cyclic('triangular')] },
  { title: 'cyclic triangular2 (up 25)', parts: [cyclic('triangular2')] },
  { title: 'cyclic exp_range (gamma 0.99)', parts: [cyclic('exp_range', 0.99)] },
  {
    title: 'one_cycle (max_lr 0.1, pct_start 0.3)',
    parts: [{ kind: 'one_cycle', max_lr: 0.1, total_steps: STEPS, pct_start: 0.3, anneal_strategy: 'cos', div_factor: 25, final_div_factor: 1e4, three_phase: false }],
    marks: [0.3 * STEPS - 1],
  },
  {
    title: 'linear warm-up 20, then cosine',
    parts: [{ kind: 'linear', start_factor: 0.1, end_factor: 1, total_iters: 20 }, { kind: 'cosine', T_max: 180, eta_min: 0 }],
    milestones: [20],
    marks: [20],
  },
]

/** lr(0..n-1) of a run: what optimizer steps 0..n-1 use. */
export const scheduleRates = (r: ScheduleRun, n: number): Float64Array => {
  const s = r.parts.length === 1 ? Schedule.fromAttrs(r.parts[0]) : must(Schedule.sequential(r.parts, r.milestones ?? []), r.title)
  return s.trajectory(BASE_LR, n - 1)
}

const schedulesFigure = (): string => figure({
  title: 'Learning-rate schedules replayed by src/schedules',
  subtitle: 'lr(n) after n scheduler.step() calls; group lr 0.1; dashed: milestones, restarts, peak',
  columns: 2,
  panels: SCHEDULE_RUNS.map((r, i): Panel => {
    const lr = scheduleRates(r, STEPS)
    return {
      title: r.title,
      xLabel: 'step n',
      yLabel: 'lr',
      xDomain: [0, STEPS],
      yDomain: [0, 0.105],
      series: [{ name: r.title, points: Array.from(lr, (v, n) => [n, v] as [number, number]), color: PALETTE[i % PALETTE.length] }],
      refs: (r.marks ?? []).map((at) => ({ axis: 'x' as const, at })),
      legend: 'none',
    }
  }),
  panelWidth: 339,
  panelHeight: 170,
})

// ---------------------------------------------------------------- averaging

/** f(theta) = (theta_1^2 + 4 theta_2^2) / 2, minimum at 0; the gradient gets N(0, 1) noise per coordinate. */
const CURV = [1, 4] as const
const quadGrad = (t: Float64Array): number[] => [CURV[0] * t[0], CURV[1] * t[1]]

export const EMA_DECAY = 0.98

/** Noisy SGD (lr 0.1) from (-2, 1), wrapped by `averaged` with EMA decay 0.98: the iterates and the averages. */
export const emaRun = (steps: number): { readonly iterates: Float64Array[]; readonly averages: Float64Array[] } => {
  const opt = Averaged.averaged(must(sgd({ lr: 0.1 }), 'sgd'), { kind: 'ema', decay: EMA_DECAY })
  let params: Params = { theta: fromArray([2], [-2, 1]) }
  let state = opt.init(params)
  const keys = split(keyFromSeed(11), steps)
  const iterates = [params.theta.data], averages = [params.theta.data]
  for (let t = 0; t < steps; t++) {
    const noise = normal(keys[t], [2]).data
    const g = quadGrad(params.theta.data).map((v, i) => v + noise[i])
    const next = must(opt.update({ theta: fromArray([2], g) }, state, params), 'averaged sgd')
    params = next.params
    state = next.state
    iterates.push(params.theta.data)
    averages.push((state.average.average as Params).theta.data)
  }
  return { iterates, averages }
}

const emaFigure = (): string => {
  const steps = 400, burn = 200
  const { iterates, averages } = emaRun(steps)
  const dist = (t: Float64Array): number => Math.hypot(t[0], t[1])
  const contours: Series[] = [0.01, 0.04, 0.1, 0.2].map((level) => ({
    name: `f = ${level}`,
    points: grid(0, 2 * Math.PI, 121).map((a) => [Math.sqrt((2 * level) / CURV[0]) * Math.cos(a), Math.sqrt((2 * level) / CURV[1]) * Math.sin(a)] as [number, number]),
    color: '#bbbbbb',
    width: 1,
    hideInLegend: true,
  }))
  return figure({
    title: 'EMA (Polyak) averaging of noisy SGD',
    subtitle: 'f = (\u03b8\u2081\u00b2 + 4 \u03b8\u2082\u00b2) / 2, gradient + N(0, I) noise, lr 0.1, EMA decay 0.98; seed 11',
    columns: 1,
    panels: [
      {
        title: 'distance to the optimum per step',
        xLabel: 'step t',
        yLabel: '|\u03b8 - \u03b8*|',
        yLog: true,
        yDomain: [1e-2, 10],
        refs: [{ axis: 'x', at: burn, label: 'drawn below from here' }],
        series: [
          { name: 'SGD iterate \u03b8_t', points: iterates.map((t, k) => [k, dist(t)] as [number, number]), color: PALETTE[0], width: 1.2 },
          { name: 'EMA average a_t', points: averages.map((t, k) => [k, dist(t)] as [number, number]), color: PALETTE[1], width: 2.5 },
        ],
        legend: 'top-right',
      },
      {
        title: `both paths after step ${burn}, zoomed in, over level sets of f`,
        xLabel: '\u03b8\u2081',
        yLabel: '\u03b8\u2082',
        xDomain: [-0.8, 0.8],
        yDomain: [-0.4, 0.4],
        equalAspect: true,
        series: [
          ...contours,
          { name: 'SGD iterate', points: iterates.slice(burn).map((t) => [t[0], t[1]] as [number, number]), color: PALETTE[0], width: 1 },
          { name: 'EMA average', points: averages.slice(burn).map((t) => [t[0], t[1]] as [number, number]), color: PALETTE[1], width: 2.5 },
        ],
        dots: [{ x: 0, y: 0, color: '#c44e52', label: '\u03b8*' }],
        legend: 'top-right',
      },
    ],
    panelWidth: 640,
    panelHeight: 300,
  })
}

// ---------------------------------------------------------------- second order

interface Problem {
  readonly f: (x: Vec.Vec) => number
  readonly grad: (x: Vec.Vec) => Vec.Vec
  readonly hessian: (x: Vec.Vec) => Vec.Vec
  readonly start: readonly number[]
  readonly fStar: number
}

/** f = 1/2 x^T A x - b^T x in 10 dimensions, A = diag(eigenvalues log-spaced from 1 to 1000), b = 1. */
const QN = 10
const EIG = Array.from({ length: QN }, (_, i) => 10 ** ((3 * i) / (QN - 1)))
const quadratic: Problem = {
  f: (x) => x.reduce((s, v, i) => s + 0.5 * EIG[i] * v * v - v, 0),
  grad: (x) => x.map((v, i) => EIG[i] * v - 1),
  hessian: () => { const H = new Float64Array(QN * QN); EIG.forEach((l, i) => { H[i * QN + i] = l }); return H },
  start: new Array<number>(QN).fill(0),
  fStar: EIG.reduce((s, l) => s - 0.5 / l, 0),
}

/** Rosenbrock's function (1 - x)^2 + 100 (y - x^2)^2: a least-squares problem in two residuals, minimum 0 at (1, 1). */
const rosenbrock: Problem = {
  f: (p) => (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2,
  grad: (p) => Float64Array.of(-2 * (1 - p[0]) - 400 * p[0] * (p[1] - p[0] ** 2), 200 * (p[1] - p[0] ** 2)),
  hessian: (p) => Float64Array.of(2 - 400 * (p[1] - 3 * p[0] ** 2), -400 * p[0], -400 * p[0], 200),
  start: [-1.2, 1],
  fStar: 0,
}

/** Strong Wolfe (the library's port of PyTorch's) as BFGS's step length, trying t = 1 first. */
const wolfeStep = (pr: Problem): Bfgs.StepLength => (x, d, g) => {
  const obj = (x0: Vec.Vec, t: number, dd: Vec.Vec) => { const y = Vec.axpy(x0, t, dd); return { loss: pr.f(y), grad: pr.grad(y) } }
  return E.right(strongWolfe(obj, x, 1, d, pr.f(x), g, Vec.dot(g, d)).t)
}

/** f(x_k) - f* for k = 0..iters with an {init, update} optimizer on the flat vector. */
const runOptimizer = <S>(pr: Problem, opt: Optimizer<S>, iters: number): number[] => {
  let params: Params = { x: fromArray([pr.start.length], pr.start) }
  let state = opt.init(params)
  const out = [pr.f(params.x.data) - pr.fStar]
  for (let k = 0; k < iters; k++) {
    const g: Tensor = fromArray([pr.start.length], Array.from(pr.grad(params.x.data)))
    const next = must(opt.update({ x: g }, state, params), 'update')
    params = next.params
    state = next.state
    out.push(pr.f(params.x.data) - pr.fStar)
  }
  return out
}

/** torch.optim.LBFGS with max_iter 1: one iteration (two-loop direction, strong Wolfe) per step(). */
const runTorchLbfgs = (pr: Problem, iters: number): number[] => {
  const c = must(Lbfgs.config({ max_iter: 1, history_size: 5, line_search_fn: 'strong_wolfe', tolerance_grad: 0, tolerance_change: 0 }), 'lbfgs')
  let x: Vec.Vec = Float64Array.from(pr.start)
  let state = Lbfgs.initial
  const out = [pr.f(x) - pr.fStar]
  for (let k = 0; k < iters; k++) {
    const r = must(Lbfgs.stepFlat(c, state, x, (y) => E.right({ loss: pr.f(y), grad: pr.grad(y) })), 'lbfgs step')
    x = r.x
    state = r.state
    out.push(pr.f(x) - pr.fStar)
  }
  return out
}

/** Below this the gap is rounding of f itself (f is O(1)): plotted at the floor. */
const FLOOR = 1e-16

export const secondOrderRuns = (pr: Problem, gd: { lr: number }, mom: { lr: number; momentum: number }, iters: number): { name: string; gaps: number[] }[] => [
  { name: `GD, lr ${gd.lr}`, gaps: runOptimizer(pr, must(sgd(gd), 'gd'), iters) },
  { name: `momentum ${mom.momentum}, lr ${mom.lr}`, gaps: runOptimizer(pr, must(sgd(mom), 'momentum'), iters) },
  { name: 'Newton (undamped)', gaps: runOptimizer(pr, must(Newton.newton({ hessian: (x) => E.right(pr.hessian(x)) }), 'newton'), iters) },
  { name: 'BFGS, strong Wolfe', gaps: runOptimizer(pr, must(Bfgs.bfgs({ stepLength: wolfeStep(pr) }), 'bfgs'), iters) },
  { name: 'L-BFGS (m 5), strong Wolfe', gaps: runTorchLbfgs(pr, iters) },
]

const secondOrderPanel = (title: string, runs: { name: string; gaps: number[] }[]): Panel => ({
  title,
  xLabel: 'iteration k',
  yLabel: 'f(x_k) - f*',
  yLog: true,
  yDomain: [FLOOR, 1e4],
  series: runs.map((r, i) => ({
    name: r.name,
    points: r.gaps.map((v, k) => [k, Math.max(v, FLOOR)] as [number, number]),
    color: PALETTE[i],
    markers: i >= 2,
    dash: i === 4 ? '6,3' : undefined,
  })),
  // the floor runs along the bottom edge, under the legend's lower margin
  legend: 'bottom-right',
})

const secondOrderFigure = (): string => {
  // GD at 1/L. Momentum (heavy ball, PyTorch's b = mu b + g, x -= lr b) near Polyak's tuning for
  // kappa = 1000, lr 4 / (sqrt L + sqrt mu)^2 = 0.00376 and mu = ((sqrt kappa - 1) / (sqrt kappa + 1))^2
  // = 0.882, with lr rounded DOWN: it is stable only while lr L < 2 (1 + mu) = 3.76, and 0.0038 diverges.
  const quad = secondOrderRuns(quadratic, { lr: 1 / EIG[QN - 1] }, { lr: 0.0037, momentum: 0.88 }, 60)
  const rosen = secondOrderRuns(rosenbrock, { lr: 0.001 }, { lr: 0.0002, momentum: 0.9 }, 60)
  return figure({
    title: 'First- and second-order methods, f(x_k) - f* per iteration',
    subtitle: 'L-BFGS: torch.optim.LBFGS, one iteration per step(); gaps below 1e-16 drawn at 1e-16',
    columns: 1,
    panels: [
      secondOrderPanel('quadratic, 10 dimensions, eigenvalues 1 to 1000 (\u03ba = 1000)', quad),
      secondOrderPanel('Rosenbrock (1 - x)\u00b2 + 100 (y - x\u00b2)\u00b2 from (-1.2, 1)', rosen),
    ],
    panelWidth: 640,
    panelHeight: 330,
  })
}

// ---------------------------------------------------------------- snapshot ensemble

const snapshotFigure = (): string => {
  const T0 = 10, Tmult = 2, steps = 150
  const lr = Schedule.fromAttrs({ kind: 'cosine_warm_restarts', T_0: T0, T_mult: Tmult, eta_min: 1e-3 }).trajectory(BASE_LR, steps - 1)
  const at = snapshotSteps(T0, Tmult, steps)
  return figure({
    panels: [{
      title: 'Snapshot ensemble: SGDR (T_0 10, T_mult 2), a member at each cycle\u2019s end',
      xLabel: 'optimizer step',
      yLabel: 'lr',
      xDomain: [0, 170],
      yDomain: [0, 0.105],
      series: [{ name: 'SGDR lr', points: Array.from(lr, (v, n) => [n, v] as [number, number]), color: PALETTE[0] }],
      dots: at.map((s, j) => ({ x: s, y: lr[s], color: PALETTE[3], label: `member ${j + 1}` })),
      legend: 'none',
    }],
    panelWidth: 640,
    panelHeight: 260,
  })
}

export const scheduleFigures = (): Record<string, string> => ({
  'schedules.svg': schedulesFigure(),
  'averaging-ema.svg': emaFigure(),
  'second-order.svg': secondOrderFigure(),
  'snapshot-ensemble.svg': snapshotFigure(),
})
