/**
 * The schedule kinds of docs/case-format.md ("Learning-rate schedules"), each
 * with PyTorch 1.13's attribute names and defaults, and the checks PyTorch's
 * constructors make (plus those that keep the replay finite: a zero period
 * would divide by zero where PyTorch raises ZeroDivisionError mid-run).
 */
import * as E from 'fp-ts/lib/Either.js'
import { type RawAttrs, boolean, integer, intList, number, oneOf, optional, schema } from '../core/attrs.ts'
import { type OpError, fail, show } from '../core/errors.ts'

export const KINDS = ['step', 'multistep', 'exponential', 'linear', 'cosine', 'cosine_warm_restarts', 'cyclic', 'one_cycle'] as const
export type Kind = (typeof KINDS)[number]

export interface StepAttrs { readonly kind: 'step'; readonly step_size: number; readonly gamma: number }
export interface MultistepAttrs { readonly kind: 'multistep'; readonly milestones: number[]; readonly gamma: number }
export interface ExponentialAttrs { readonly kind: 'exponential'; readonly gamma: number }
export interface LinearAttrs { readonly kind: 'linear'; readonly start_factor: number; readonly end_factor: number; readonly total_iters: number }
export interface CosineAttrs { readonly kind: 'cosine'; readonly T_max: number; readonly eta_min: number }
export interface WarmRestartsAttrs { readonly kind: 'cosine_warm_restarts'; readonly T_0: number; readonly T_mult: number; readonly eta_min: number }
export interface CyclicAttrs {
  readonly kind: 'cyclic'; readonly base_lr: number; readonly max_lr: number; readonly step_size_up: number
  readonly step_size_down: number | undefined; readonly mode: 'triangular' | 'triangular2' | 'exp_range'; readonly gamma: number
}
export interface OneCycleAttrs {
  readonly kind: 'one_cycle'; readonly max_lr: number; readonly total_steps: number; readonly pct_start: number
  readonly anneal_strategy: 'cos' | 'linear'; readonly div_factor: number; readonly final_div_factor: number; readonly three_phase: boolean
}
export type KindAttrs = StepAttrs | MultistepAttrs | ExponentialAttrs | LinearAttrs | CosineAttrs | WarmRestartsAttrs | CyclicAttrs | OneCycleAttrs

type Fields<A> = Omit<A, 'kind'>

const phaseLengthsNonzero = (a: Fields<OneCycleAttrs>): boolean => {
  const ends = a.three_phase ? [a.pct_start * a.total_steps - 1, 2 * a.pct_start * a.total_steps - 2, a.total_steps - 1] : [a.pct_start * a.total_steps - 1, a.total_steps - 1]
  let start = 0
  for (const e of ends) { if (e - start === 0) return false; start = e }
  return true
}

const parsers: { readonly [K in Kind]: (op: string, raw: RawAttrs) => E.Either<OpError, Fields<Extract<KindAttrs, { kind: K }>>> } = {
  step: schema<Fields<StepAttrs>>({ step_size: integer(undefined, 1), gamma: number(0.1) }),
  multistep: (op, raw) => E.chain((a: Fields<MultistepAttrs>) => {
    for (let i = 1; i < a.milestones.length; i++) {
      if (a.milestones[i] <= a.milestones[i - 1]) return fail(op, 'attrs.milestones', 'strictly increasing milestones', show(a.milestones))
    }
    return E.right(a)
  })(schema<Fields<MultistepAttrs>>({ milestones: intList(0), gamma: number(0.1) })(op, raw)),
  exponential: schema<Fields<ExponentialAttrs>>({ gamma: number() }),
  linear: (op, raw) => E.chain((a: Fields<LinearAttrs>) =>
    !(a.start_factor > 0 && a.start_factor <= 1) ? fail(op, 'attrs.start_factor', 'a factor in (0, 1]', show(a.start_factor), "PyTorch's LinearLR raises the same ValueError")
      : !(a.end_factor >= 0 && a.end_factor <= 1) ? fail(op, 'attrs.end_factor', 'a factor in [0, 1]', show(a.end_factor), "PyTorch's LinearLR raises the same ValueError")
        : E.right(a))(schema<Fields<LinearAttrs>>({ start_factor: number(1 / 3), end_factor: number(1), total_iters: integer(5, 1) })(op, raw)),
  cosine: schema<Fields<CosineAttrs>>({ T_max: integer(undefined, 1), eta_min: number(0) }),
  cosine_warm_restarts: schema<Fields<WarmRestartsAttrs>>({ T_0: integer(undefined, 1), T_mult: integer(1, 1), eta_min: number(0) }),
  cyclic: schema<Fields<CyclicAttrs>>({
    base_lr: number(), max_lr: number(), step_size_up: number(2000, { gt: 0 }), step_size_down: optional(number(undefined, { gt: 0 })),
    mode: oneOf(['triangular', 'triangular2', 'exp_range'] as const, 'triangular'), gamma: number(1),
  }),
  one_cycle: (op, raw) => E.chain((a: Fields<OneCycleAttrs>) =>
    // A phase of length zero divides 0 by 0, which raises ZeroDivisionError in PyTorch's Python.
    !phaseLengthsNonzero(a)
      ? fail(op, 'attrs.pct_start', 'a fraction giving phases of non-zero length (phase ends pct*N - 1' + (a.three_phase ? ', 2 pct*N - 2' : '') + ', N - 1, starting from 0)', `${show(a.pct_start)} with total_steps ${a.total_steps}`, "PyTorch's OneCycleLR raises ZeroDivisionError on such a phase")
      : E.right(a))(schema<Fields<OneCycleAttrs>>({
    max_lr: number(), total_steps: integer(undefined, 1), pct_start: number(0.3, { min: 0, max: 1 }),
    anneal_strategy: oneOf(['cos', 'linear'] as const, 'cos'), div_factor: number(25, { gt: 0 }), final_div_factor: number(1e4, { gt: 0 }),
    three_phase: boolean(false),
  })(op, raw)),
}

/** Parse `{kind, ...attrs}`; `lr` is not a scheduler attribute (the group's rate), so it is not accepted here. */
export const parseKind = (op: string, kind: unknown, raw: RawAttrs | undefined): E.Either<OpError, KindAttrs> => {
  if (typeof kind !== 'string' || !(KINDS as readonly string[]).includes(kind)) {
    return fail(op, 'attrs.kind', `one of ${KINDS.map((k) => JSON.stringify(k)).join(', ')}`, show(kind))
  }
  const k = kind as Kind
  return E.map((a: object) => ({ kind: k, ...a }) as KindAttrs)(parsers[k](op, raw ?? {}))
}

/** cyclic and one_cycle set the rate themselves: the group's `lr` is ignored (docs/case-format.md). */
export const ownsLr = (k: Kind): boolean => k === 'cyclic' || k === 'one_cycle'

/** The most `scheduler.step()` calls a schedule allows: one_cycle raises beyond total_steps. */
export const stepLimit = (a: KindAttrs): number => (a.kind === 'one_cycle' ? a.total_steps : Number.POSITIVE_INFINITY)
