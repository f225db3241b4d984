/**
 * Learning-rate schedules, PyTorch 1.13's `torch.optim.lr_scheduler` replayed.
 *
 * API:
 *   LrSchedule.op                        catalogue op `lr_schedule` (step int64 -> lr float64)
 *   Schedule.parse(op, kind, attrs)      {kind, attrs} as a train case writes it -> Schedule
 *   Schedule.scheduleFromCase(kind, attrs, lr, k)
 *                                        -> (i) => the rate optimizer step i uses, i < k, for a
 *                                           group starting at lr (cyclic/one_cycle ignore lr)
 *   Schedule.sequential(parts, milestones)  SequentialLR (e.g. linear warm-up then cosine);
 *   Schedule.sequentialFromCase([{kind, attrs}], milestones)  the same from raw parts
 *   schedule.trajectory(baseLr, n)       get_last_lr() after 0..n scheduler.step() calls
 *   runTrain(objective, start, spec)     from './train-loop.ts' (not re-exported here: it
 *                                        imports the training fold, which imports the registry,
 *                                        which imports this index): a train case's steps with
 *                                        `schedule`, `averaging` and/or the `lbfgs` optimizer
 * Values follow PyTorch's chainable (recursive) forms, not the closed forms of
 * its documentation: see ./torch-schedulers.ts and docs/schedules-and-averaging.md.
 */
import type { Op } from '../core/op.ts'
import * as LrSchedule from './lr-schedule.ts'

export * as Kinds from './kinds.ts'
export * as LrSchedule from './lr-schedule.ts'
export * as Schedule from './schedule.ts'

export const ops: readonly Op[] = [LrSchedule.op]
