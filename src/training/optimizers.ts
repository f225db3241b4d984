/**
 * Optimizers by case-format name and `torch.optim` attribute names (case
 * format v2, "Train cases"): `sgd`, `adam`, `adamw`, `rmsprop`, `adagrad`,
 * each mapped onto the `{init, update}` values of src/optimizers with the
 * attribute defaults of `torch.optim` in PyTorch 1.13. `lbfgs` is its own
 * kind of loop (a closure per step) and is not an `{init, update}` optimizer.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type AttrParser, type RawAttrs, boolean, number, schema } from '../core/attrs.ts'
import { type OpError, show, unsupported, invalid } from '../core/errors.ts'
import { adagrad } from '../optimizers/adagrad.ts'
import { adam, adamW } from '../optimizers/adam.ts'
import type { Optimizer } from '../optimizers/optimizer.ts'
import { rmsprop } from '../optimizers/rmsprop.ts'
import { sgd } from '../optimizers/sgd.ts'

export const OPTIMIZERS = ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'] as const
export type OptimizerName = (typeof OPTIMIZERS)[number]

const nonneg = (d?: number): AttrParser<number> => number(d, { min: 0 })

/** Attribute schemas with torch.optim's defaults. */
export const schemas = {
  sgd: schema({ lr: nonneg(), momentum: nonneg(0), dampening: number(0), weight_decay: nonneg(0), nesterov: boolean(false) }),
  adam: schema({ lr: nonneg(1e-3), beta1: number(0.9, { min: 0, lt: 1 }), beta2: number(0.999, { min: 0, lt: 1 }), eps: nonneg(1e-8), weight_decay: nonneg(0), amsgrad: boolean(false) }),
  adamw: schema({ lr: nonneg(1e-3), beta1: number(0.9, { min: 0, lt: 1 }), beta2: number(0.999, { min: 0, lt: 1 }), eps: nonneg(1e-8), weight_decay: nonneg(0.01), amsgrad: boolean(false) }),
  rmsprop: schema({ lr: nonneg(1e-2), alpha: nonneg(0.99), eps: nonneg(1e-8), weight_decay: nonneg(0), momentum: nonneg(0), centered: boolean(false) }),
  adagrad: schema({ lr: nonneg(1e-2), lr_decay: nonneg(0), weight_decay: nonneg(0), initial_accumulator_value: nonneg(0), eps: nonneg(1e-10) }),
} as const

export const isOptimizerName = (s: string): s is OptimizerName => (OPTIMIZERS as readonly string[]).includes(s)

/**
 * The optimizer named `name` with attributes `attrs` (torch.optim names), the
 * learning rate replaced by `lr` when given (a schedule's value for this step).
 */
export const fromAttrs = (name: string, attrs: RawAttrs | undefined, lr?: number): E.Either<OpError, Optimizer<any>> => {
  if (!isOptimizerName(name)) {
    return E.left(name === 'lbfgs'
      ? unsupported('train', 'optimizer.op', `one of ${OPTIMIZERS.join(', ')}`, show(name), 'L-BFGS runs as a closure loop, not as an {init, update} optimizer')
      : invalid('train', 'optimizer.op', `one of ${[...OPTIMIZERS, 'lbfgs'].join(', ')}`, show(name)))
  }
  const at = (e: OpError): OpError => ({ ...e, op: 'train', arg: `optimizer (${name}): ${e.arg}` })
  const r = (schemas[name] as (op: string, raw: RawAttrs | undefined) => E.Either<OpError, Record<string, any>>)(name, attrs)
  if (E.isLeft(r)) return E.left(at(r.left))
  const a: Record<string, any> = { ...r.right, ...(lr === undefined ? {} : { lr }) }
  const made: E.Either<OpError, Optimizer<any>> = name === 'sgd' ? sgd({ lr: a.lr, momentum: a.momentum, dampening: a.dampening, weightDecay: a.weight_decay, nesterov: a.nesterov })
    : name === 'adam' || name === 'adamw'
      ? a.amsgrad ? E.left(unsupported(name, 'attrs.amsgrad', 'false', 'true', 'amsgrad is not implemented') as OpError)
        : (name === 'adam' ? adam : adamW)({ lr: a.lr, beta1: a.beta1, beta2: a.beta2, eps: a.eps, weightDecay: a.weight_decay })
    : name === 'rmsprop' ? rmsprop({ lr: a.lr, alpha: a.alpha, eps: a.eps, weightDecay: a.weight_decay, momentum: a.momentum, centered: a.centered })
    : adagrad({ lr: a.lr, lrDecay: a.lr_decay, weightDecay: a.weight_decay, initialAccumulatorValue: a.initial_accumulator_value, eps: a.eps })
  return E.mapLeft(at)(made)
}

/** The learning rate the attributes give (the default where omitted), for schedules to start from. */
export const baseLr = (name: OptimizerName, attrs: RawAttrs | undefined): E.Either<OpError, number> =>
  E.map((a: Record<string, any>) => a.lr as number)((schemas[name] as (op: string, raw: RawAttrs | undefined) => E.Either<OpError, Record<string, any>>)(name, attrs))
