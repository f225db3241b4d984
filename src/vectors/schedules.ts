/**
 * `vectors` variants for `lr_schedule` and `ema_update` (src/schedules,
 * src/averaging): each schedule kind over steps 0..n (restarts, the periodic
 * cosine past T_max, every phase of one-cycle), and EMA steps across decays.
 */
import { make } from '../core/tensor.ts'
import type { Variant } from './variants.ts'

const steps = (n: number) => make([n + 1], Float64Array.from({ length: n + 1 }, (_, i) => i), 'int64')

const sched = (name: string, attrs: Record<string, unknown>, n = 60): Variant => ({ name, attrs, inputs: () => ({ step: steps(n) }) })

export const SCHEDULE_VARIANTS: Readonly<Record<string, readonly Variant[]>> = {
  lr_schedule: [
    sched('step', { kind: 'step', lr: 0.1, step_size: 7, gamma: 0.5 }),
    sched('multistep', { kind: 'multistep', lr: 0.05, milestones: [10, 25, 40], gamma: 0.3 }),
    sched('exponential', { kind: 'exponential', lr: 0.2, gamma: 0.95 }),
    sched('linear-warmup', { kind: 'linear', lr: 0.1, start_factor: 0.01, total_iters: 12 }),
    sched('cosine-past-T_max', { kind: 'cosine', lr: 0.1, T_max: 20, eta_min: 0.001 }),
    sched('warm-restarts-T_mult-2', { kind: 'cosine_warm_restarts', lr: 0.1, T_0: 5, T_mult: 2, eta_min: 1e-4 }),
    sched('cyclic-triangular2', { kind: 'cyclic', base_lr: 0.01, max_lr: 0.2, step_size_up: 6, step_size_down: 9, mode: 'triangular2' }),
    sched('cyclic-exp-range', { kind: 'cyclic', base_lr: 0.001, max_lr: 0.05, step_size_up: 5, mode: 'exp_range', gamma: 0.97 }),
    sched('one-cycle', { kind: 'one_cycle', max_lr: 0.1, total_steps: 60 }),
    sched('one-cycle-three-phase-linear', { kind: 'one_cycle', max_lr: 0.2, total_steps: 60, pct_start: 0.25, anneal_strategy: 'linear', three_phase: true }),
    { name: 'random-steps', attrs: { kind: 'cosine_warm_restarts', lr: 0.5, T_0: 7 }, inputs: (g) => ({ step: g.labels([4, 5], 300) }) },
  ],
  ema_update: [
    { name: 'decay-0.999', attrs: { decay: 0.999 }, inputs: (g) => ({ average: g.normal([3, 4]), param: g.normal([3, 4]) }) },
    { name: 'decay-0.9', attrs: { decay: 0.9 }, inputs: (g) => ({ average: g.normal([5]), param: g.normal([5]) }) },
    { name: 'default-decay', attrs: {}, inputs: (g) => ({ average: g.normal([2, 3]), param: g.normal([2, 3]) }) },
    { name: 'decay-0-copies', attrs: { decay: 0 }, inputs: (g) => ({ average: g.normal([4]), param: g.normal([4]) }) },
  ],
}
