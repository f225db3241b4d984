/**
 * Parameter averaging around any `{init, update}` optimizer, as
 * `torch.optim.swa_utils.AveragedModel` does it when `update_parameters` is
 * called after every optimizer step:
 *   (1) first update (n_averaged = 0): the average is a COPY of the parameters
 *       (not an average with the model's starting values: AveragedModel's
 *       deepcopy at construction is overwritten here)
 *   (2) later updates: a' = avg_fn(a, theta, n), n = updates so far
 *       ema:  decay a + (1 - decay) theta          (Polyak's x_test = 0.995 x_test + 0.005 x)
 *       swa:  a + (theta - a) / (n + 1)            (AveragedModel's default: the running mean)
 * Closed form of (1)-(2) for ema, theta_0 the parameters after the first step:
 *   (3) a_t = decay^t theta_0 + (1 - decay) sum_{k=0}^{t-1} decay^k theta_{t-k}
 * The average never feeds back into training: it is a second, read-only copy.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail, show } from '../core/errors.ts'
import { type Tensor, make } from '../core/tensor.ts'
import type { Optimizer, Params, Step } from '../optimizers/optimizer.ts'
import * as EmaUpdate from './ema-update.ts'

export type AvgFn = (average: Tensor, param: Tensor, n: number) => Tensor

export interface Averaging { readonly kind: 'ema'; readonly decay: number }
export interface RunningMean { readonly kind: 'swa' }
export type Config = Averaging | RunningMean

/** (2) for each kind. */
export const avgFn = (c: Config): AvgFn =>
  c.kind === 'ema'
    ? (a, p) => EmaUpdate.step(c.decay, a, p)
    : (a, p, n) => make(a.shape, a.data.map((v, i) => v + (p.data[i] - v) / (n + 1)))

// #region update
/** The averaging state: `average` is undefined until the first update, `n` counts updates (n_averaged). */
export interface Average { readonly average: Params | undefined; readonly n: number }

export const empty: Average = { average: undefined, n: 0 }

/** One `update_parameters(model)`: (1) on the first call, (2) after. */
export const update = (c: Config, s: Average, params: Params): Average => {
  if (s.average === undefined) return { average: { ...params }, n: 1 } // (1)
  const f = avgFn(c)
  const next: Record<string, Tensor> = {}
  for (const k of Object.keys(params)) next[k] = f(s.average[k], params[k], s.n) // (2)
  return { average: next, n: s.n + 1 }
}
// #endregion update

export const config = (kind: unknown, attrs: Readonly<Record<string, unknown>> | undefined): E.Either<OpError, Config> => {
  const a = attrs ?? {}
  if (kind === 'swa') {
    const extra = Object.keys(a)
    return extra.length === 0 ? E.right({ kind: 'swa' }) : fail('averaging', `attrs.${extra[0]}`, 'no attributes for swa', show(extra[0]))
  }
  if (kind !== 'ema') return fail('averaging', 'kind', '"ema" or "swa"', show(kind))
  for (const k of Object.keys(a)) if (k !== 'decay') return fail('averaging', `attrs.${k}`, 'the attribute decay', `unknown attribute ${show(k)}`)
  const d = a.decay
  // docs/case-format.md: `averaging` `ema` requires `decay`.
  if (typeof d !== 'number' || !Number.isFinite(d)) return fail('averaging', 'attrs.decay', 'a finite number (required)', show(d))
  return E.right({ kind: 'ema', decay: d })
}

/** Optimizer state with its running average; `average` is what `averaged` reports. */
export interface State<S> { readonly inner: S; readonly average: Average }

/** Wrap an optimizer: every successful update also updates the average of the new parameters. */
export const averaged = <S>(opt: Optimizer<S>, c: Config): Optimizer<State<S>> => ({
  init: (params) => ({ inner: opt.init(params), average: empty }),
  update: (grads, state, params) =>
    E.map((r: Step<S>): Step<State<S>> => ({ params: r.params, state: { inner: r.state, average: update(c, state.average, r.params) } }))(
      opt.update(grads, state.inner, params)),
})
