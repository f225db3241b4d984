/**
 * `lr_schedule`, the catalogue op (docs/case-format.md, "Learning-rate
 * schedules"): input `step` (int64, any shape) counts `scheduler.step()`
 * calls; output `lr` (float64, same shape) is what `get_last_lr()` reports
 * after that many calls for an optimizer whose rate starts at attr `lr`
 * (default 1; ignored by cyclic and one_cycle). Attr `kind` picks the
 * scheduler; its attributes are PyTorch's (./kinds.ts). No gradients: `step`
 * is an integer and the rate is not a function of a float input.
 */
import * as E from 'fp-ts/lib/Either.js'
import { number } from '../core/attrs.ts'
import type { OpError } from '../core/errors.ts'
import { defineOp } from '../core/op.ts'
import { make } from '../core/tensor.ts'
import { type KindAttrs, parseKind } from './kinds.ts'
import { checkStep, fromAttrs } from './schedule.ts'

export type Attrs = KindAttrs & { readonly lr: number }

const NAME = 'lr_schedule'

const attrs = (op: string, raw: Readonly<Record<string, unknown>> | undefined): E.Either<OpError, Attrs> => {
  const { kind, lr, ...rest } = raw ?? {}
  const base = number(1)(op, 'lr', lr)
  if (E.isLeft(base)) return base
  return E.map((a: KindAttrs) => ({ ...a, lr: base.right }) as Attrs)(parseKind(op, kind, rest))
}

export const op = defineOp<Attrs, null>({
  name: NAME,
  inputs: [{ name: 'step', kind: 'int', grad: false }],
  outputs: [{ name: 'lr', grad: false }],
  attrs,
  forward: (a, { step }) => {
    const s = fromAttrs(a)
    const steps = step!.data
    let max = 0
    for (let i = 0; i < steps.length; i++) {
      const c = checkStep(NAME, `inputs.step[${i}]`, s, steps[i])
      if (E.isLeft(c)) return c
      max = Math.max(max, steps[i])
    }
    const traj = s.trajectory(a.lr, max)
    return E.right({ outputs: { lr: make(step!.shape, steps.map((n) => traj[n]), 'float64') }, cache: null })
  },
  backward: () => ({}),
})
