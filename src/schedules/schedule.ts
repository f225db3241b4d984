/**
 * Schedules as values: `lr(n)` is the rate `get_last_lr()` reports after n
 * `scheduler.step()` calls (PyTorch order: `optimizer.step()` then
 * `scheduler.step()`, so optimizer step i runs at `lr(i)`). A value holds its
 * parsed attributes and nothing mutable; each query replays PyTorch's
 * scheduler from the start (./torch-schedulers.ts), O(n) per query. Use
 * `trajectory` to get a whole run at once.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail, show } from '../core/errors.ts'
import { type Kind, type KindAttrs, ownsLr, parseKind, stepLimit } from './kinds.ts'
import * as Torch from './torch-schedulers.ts'

export interface Schedule {
  /** `get_last_lr()` after 0..n calls, for a group whose rate starts at `baseLr`. */
  readonly trajectory: (baseLr: number, n: number) => Float64Array
  /** the most calls allowed (one_cycle: total_steps); Infinity otherwise */
  readonly limit: number
  /** true when the schedule ignores the group's rate (cyclic, one_cycle, or a sequence starting with one) */
  readonly ownsLr: boolean
}

/** The replay is O(n): refuse n beyond this rather than hang on a huge step number. */
export const MAX_STEPS = 10_000_000

export const fromAttrs = (a: KindAttrs): Schedule => ({
  trajectory: (baseLr, n) => Torch.trajectory(a, baseLr, n),
  limit: stepLimit(a),
  ownsLr: ownsLr(a.kind),
})

/** A schedule from `{kind, attrs}` as a train case's `schedule` writes it. */
export const parse = (op: string, kind: unknown, attrs: Readonly<Record<string, unknown>> | undefined): E.Either<OpError, Schedule> =>
  E.map(fromAttrs)(parseKind(op, kind, attrs))

// #region sequential
/**
 * SequentialLR(schedulers, milestones): warm-up then cosine is
 * `sequential([linear, cosine], [w])`. PyTorch's own semantics, including
 * that the scheduler taking over at a milestone restarts from its closed form
 * at epoch 0 (its base rate).
 */
export const sequential = (parts: readonly KindAttrs[], milestones: readonly number[]): E.Either<OpError, Schedule> => {
  if (parts.length === 0) return fail('sequential', 'schedulers', 'at least one scheduler', '[]')
  if (milestones.length !== parts.length - 1) {
    return fail('sequential', 'milestones', `${parts.length - 1} milestones (one fewer than schedulers)`, show(milestones), 'SequentialLR raises the same ValueError')
  }
  for (let i = 0; i < milestones.length; i++) {
    if (!Number.isInteger(milestones[i]) || milestones[i] < 1 || (i > 0 && milestones[i] <= milestones[i - 1])) {
      return fail('sequential', `milestones[${i}]`, 'strictly increasing integers >= 1', show(milestones))
    }
  }
  const oc = parts.findIndex((p) => p.kind === 'one_cycle')
  return E.right({
    trajectory: (baseLr, n) => Torch.trajectorySequential(parts, milestones, baseLr, n),
    // a one_cycle part counts its own steps from the milestone before it
    limit: oc < 0 ? Number.POSITIVE_INFINITY : (oc === 0 ? 0 : milestones[oc - 1]) + stepLimit(parts[oc]),
    ownsLr: ownsLr(parts[0].kind),
  })
}
// #endregion sequential

/** `sequential` from raw `{kind, attrs}` parts, as a case or a config file writes them. */
export const sequentialFromCase = (parts: readonly { readonly kind: unknown; readonly attrs?: Readonly<Record<string, unknown>> }[], milestones: readonly number[]): E.Either<OpError, Schedule> => {
  const parsed: KindAttrs[] = []
  for (let i = 0; i < parts.length; i++) {
    const a = parseKind(`sequential[${i}]`, parts[i].kind, parts[i].attrs)
    if (E.isLeft(a)) return a
    parsed.push(a.right)
  }
  return sequential(parsed, milestones)
}

/** Check a step count against the schedule: a non-negative integer within its limit. */
export const checkStep = (op: string, arg: string, s: Schedule, n: number): E.Either<OpError, number> =>
  !Number.isInteger(n) || n < 0 ? fail(op, arg, 'a number of scheduler.step() calls (an integer >= 0)', show(n))
    : n > s.limit ? fail(op, arg, `at most ${s.limit} calls`, show(n), 'one_cycle is defined only up to total_steps calls; PyTorch raises beyond')
      : n > MAX_STEPS ? E.left({ _tag: 'Unsupported', op, arg, expected: `at most ${MAX_STEPS} calls (the replay is O(n))`, received: show(n) })
        : E.right(n)

/**
 * For train cases: the rate at optimizer step i for one parameter group.
 * `scheduleFromCase(kind, attrs, lr)` -> `rateAt(i)`, each i checked; the run's
 * rates are computed once here, so call it with the number of steps the
 * training loop will take.
 */
export const scheduleFromCase = (kind: unknown, attrs: Readonly<Record<string, unknown>> | undefined, lr: number, steps: number):
E.Either<OpError, (step: number) => number> => {
  const s = parse('schedule', kind, attrs)
  if (E.isLeft(s)) return s
  if (!Number.isFinite(lr)) return fail('schedule', 'lr', 'a finite learning rate', show(lr))
  // k optimizer steps read lr(0..k-1): k - 1 scheduler.step() calls.
  const last = checkStep('schedule', 'steps', s.right, Math.max(0, steps - 1))
  if (E.isLeft(last)) return last
  const traj = s.right.trajectory(lr, last.right)
  return E.right((i: number) => traj[i])
}

export type { Kind, KindAttrs }
