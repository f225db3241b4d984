/**
 * Train cases with a `schedule`, `averaging` or the `lbfgs` optimizer
 * (docs/case-format.md, "Train cases"), on top of src/training's fold:
 *   (1) schedule: each group g starts from its own lr (its merged attrs'), and
 *       optimizer step i runs at lr_g(i) = get_last_lr() after i scheduler calls
 *       (cyclic and one_cycle give every group the same rate). The optimizer's
 *       state carries across steps; only its learning rate changes.
 *   (2) averaging ema: after every optimizer step (and before the scheduler's
 *       step, which changes nothing the average sees) AveragedModel.update_parameters:
 *       the first copies the parameters, later ones a' = decay a + (1 - decay) theta.
 *   (3) lbfgs: one torch.optim.LBFGS (../second-order/lbfgs.ts) for all steps,
 *       step i = one step(closure) on step i's batch; losses[i] is the closure's
 *       first loss; parameters flattened in `params` order; a parameter the loss
 *       never reaches has a zero gradient (torch's _gather_flat_grad).
 * L-BFGS takes no param_groups (the caller checks) and may be combined with
 * averaging; a schedule with lbfgs changes its lr per step like any optimizer's.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { RawAttrs } from '../core/attrs.ts'
import { type OpError, unsupported } from '../core/errors.ts'
import type { Tensors } from '../core/op.ts'
import { type Tensor, zerosLike } from '../core/tensor.ts'
import type { Params } from '../optimizers/optimizer.ts'
import { type Carry, type Objective, lossAndGrads, step } from '../training/fold.ts'
import { type GroupSpec, groupsFor, mergedGroups } from '../training/groups.ts'
import { baseLr, isOptimizerName } from '../training/optimizers.ts'
import * as Averaged from '../averaging/averaged.ts'
import * as Lbfgs from '../second-order/lbfgs.ts'
import { scheduleFromCase } from './schedule.ts'

export interface TrainSpec {
  readonly optimizer: { readonly op: string; readonly attrs: RawAttrs }
  readonly params: readonly string[]
  readonly paramGroups: readonly GroupSpec[]
  readonly schedule?: { readonly kind: string; readonly attrs: RawAttrs }
  readonly averaging?: { readonly kind: string; readonly attrs: RawAttrs }
  readonly steps: readonly Tensors[]
}

export interface TrainRun {
  readonly losses: readonly number[]
  /** the trained parameters after the last step */
  readonly params: Tensors
  /** the average after the last step (empty without averaging) */
  readonly averaged: Tensors
}

const pick = (ts: Tensors, names: readonly string[]): Params => Object.fromEntries(names.map((k) => [k, ts[k]]))
const at = (i: number) => (e: OpError): OpError => ({ ...e, arg: `steps[${i}]: ${e.arg}` })

/** Per group, the rate of optimizer step i (1); undefined without a schedule. */
const groupRates = (spec: TrainSpec): E.Either<OpError, ((i: number) => number)[] | undefined> => {
  if (spec.schedule === undefined) return E.right(undefined)
  const op = spec.optimizer.op
  const groups = mergedGroups(spec.params, spec.optimizer.attrs, spec.paramGroups)
  if (E.isLeft(groups)) return groups
  const out: ((i: number) => number)[] = []
  for (const g of groups.right) {
    const base = op === 'lbfgs' ? E.map((c: Lbfgs.Config) => c.lr)(Lbfgs.config(g.attrs)) : isOptimizerName(op) ? baseLr(op, g.attrs) : E.right(1)
    if (E.isLeft(base)) return base
    const r = scheduleFromCase(spec.schedule.kind, spec.schedule.attrs, base.right, spec.steps.length)
    if (E.isLeft(r)) return r
    out.push(r.right)
  }
  return E.right(out)
}

// #region train-loop
export const runTrain = (obj: Objective, start: Tensors, spec: TrainSpec): E.Either<OpError, TrainRun> => {
  const rates = groupRates(spec)
  if (E.isLeft(rates)) return rates
  let avgCfg: Averaged.Config | undefined
  if (spec.averaging !== undefined) {
    const c = Averaged.config(spec.averaging.kind, spec.averaging.attrs)
    if (E.isLeft(c)) return c
    avgCfg = c.right
  }
  let avg = Averaged.empty
  const losses: number[] = []
  let params: Params = pick(start, spec.params)

  if (spec.optimizer.op === 'lbfgs') { // (3)
    let state = Lbfgs.initial
    for (let i = 0; i < spec.steps.length; i++) {
      const attrs = rates.right ? { ...spec.optimizer.attrs, lr: rates.right[0](i) } : spec.optimizer.attrs
      const opt = Lbfgs.lbfgs(attrs)
      if (E.isLeft(opt)) return opt
      const batch = spec.steps[i]
      const closure: Lbfgs.Closure = (p) => E.map((m: { loss: number; grads: Tensors }) => ({
        loss: m.loss,
        grads: Object.fromEntries(spec.params.map((k) => [k, m.grads[k] ?? zerosLike(p[k])])) as Record<string, Tensor>,
      }))(lossAndGrads(obj, p, {}, batch))
      const r = opt.right.step(params, state, closure)
      if (E.isLeft(r)) return E.left(at(i)(r.left))
      params = r.right.params
      state = r.right.state
      losses.push(r.right.loss)
      if (avgCfg) avg = Averaged.update(avgCfg, avg, params) // (2)
    }
    return E.right({ losses, params, averaged: avg.average ?? {} })
  }

  if (!isOptimizerName(spec.optimizer.op)) return E.left(unsupported('train', 'optimizer.op', 'sgd, adam, adamw, rmsprop, adagrad or lbfgs', JSON.stringify(spec.optimizer.op)))
  const build = (i: number) => groupsFor(spec.optimizer.op, spec.params, spec.optimizer.attrs, spec.paramGroups, rates.right?.map((r) => r(i))) // (1)
  const first = build(0)
  if (E.isLeft(first)) return first
  let carry: Carry<unknown> = { params, state: first.right.init(params), buffers: {} }
  for (let i = 0; i < spec.steps.length; i++) {
    const opt = i === 0 ? first : build(i)
    if (E.isLeft(opt)) return opt
    const r = step(obj, opt.right)(carry as Carry<never>, undefined, spec.steps[i])
    if (E.isLeft(r)) return E.left(at(i)(r.left))
    carry = r.right.carry
    losses.push(r.right.metrics.loss)
    if (avgCfg) avg = Averaged.update(avgCfg, avg, pick(carry.params, spec.params)) // (2)
  }
  return E.right({ losses, params: pick(carry.params, spec.params), averaged: avg.average ?? {} })
}
// #endregion train-loop
