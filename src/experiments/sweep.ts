/**
 * Shared ground of the lectures' training experiments: small runs on a
 * random subset of the digits (default 1,000 training, 500 validation, 500
 * test samples, minibatches of 32) so that each experiment takes seconds to a minute, and one
 * shape for every experiment (run, JSON, terminal table, SVG).
 */
import * as E from 'fp-ts/lib/Either.js'
import type { OpError } from '../core/errors.ts'
import { PALETTE, type Panel, type Series } from './chart-svg.ts'
import { type TrainOptions, type TrainResult, trainRun } from './training-run.ts'

export interface SweepParams {
  readonly seed: number
  readonly epochs: number
  /** training samples (validation and test: half as many) */
  readonly limit: number
  readonly data: string
}

export interface Experiment<R> {
  readonly name: string
  readonly summary: string
  readonly defaults: SweepParams
  readonly run: (p: SweepParams) => E.Either<OpError, R>
  readonly json: (r: R) => unknown
  readonly table: (r: R) => string
  readonly svg: (r: R) => string
}

export const base = (p: SweepParams): Partial<TrainOptions> => ({
  data: p.data, seed: p.seed, epochs: p.epochs, overfit: null, probe: 64, batch: 32,
  limit: { train: p.limit, validation: Math.ceil(p.limit / 2), test: Math.ceil(p.limit / 2) },
})

/** One labelled run per configuration, all from the same seed (same split, same initial keys). */
export const runAll = <L>(configs: readonly { readonly label: L; readonly options: Partial<TrainOptions> }[]): E.Either<OpError, { label: L; result: TrainResult }[]> => {
  const out: { label: L; result: TrainResult }[] = []
  for (const c of configs) {
    const r = trainRun(c.options)
    if (E.isLeft(r)) return r
    out.push({ label: c.label, result: r.right })
  }
  return E.right(out)
}

/** Per-epoch summary of a run, the part every experiment's JSON shares. */
export const epochsOf = (r: TrainResult) => r.epochs.map((e) => ({
  epoch: e.epoch, stepLoss: e.stepLoss, trainLoss: e.trainLoss, trainAccuracy: e.trainAccuracy, valLoss: e.valLoss, valAccuracy: e.valAccuracy, gap: e.gap,
}))

export const curve = (name: string, i: number, r: TrainResult, f: (e: TrainResult['epochs'][number]) => number, dash = false): Series =>
  ({ name, color: PALETTE[i % PALETTE.length], dash, points: r.epochs.map((e) => [e.epoch, f(e)] as const) })

/** Minibatch losses averaged over windows of w steps (a readable convergence curve). */
export const smoothed = (name: string, i: number, r: TrainResult, w = 5): Series => {
  const pts: [number, number][] = []
  const perEpoch = r.stepLosses.length / Math.max(1, r.epochs.length)
  for (let a = 0; a < r.stepLosses.length; a += w) {
    const s = r.stepLosses.slice(a, a + w)
    pts.push([(a + s.length) / perEpoch, s.reduce((x, y) => x + y, 0) / s.length])
  }
  return { name, color: PALETTE[i % PALETTE.length], points: pts }
}

export const pct = (x: number): string => `${(100 * x).toFixed(1)}%`

export type { Panel }
