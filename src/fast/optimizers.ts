/**
 * Fast Adam / AdamW step: the loop of src/optimizers/adam.ts `step`, (1)-(6),
 * with the per-element tests (decoupled or not, weight decay or not) taken
 * once per call and the three outputs written by a range kernel, so a large
 * step splits across threads (./threads.ts). Every expression is the
 * reference's, in the reference's order ((1 - beta1) g, ((1 - beta2) g) g,
 * sqrt(v) / sqrt(bc2) + eps, p + (-a m) / delta), on the same numbers: the
 * outputs are the reference's to the bit, and spec/fast/threads.spec.ts
 * asserts that. The backward, (7)-(10), is the reference's own.
 */
import * as E from 'fp-ts/lib/Either.js'
import { fail, showShape } from '../core/errors.ts'
import { defineOp } from '../core/op.ts'
import { make, sameShape } from '../core/tensor.ts'
import * as Adam from '../optimizers/adam.ts'
import * as AdamStep from '../optimizers/adam-step.ts'
import { allocate } from './shared-array.ts'
import { parallelFor, rangeKernel } from './threads.ts'

interface StepArgs {
  readonly p: Float64Array; readonly g: Float64Array; readonly m: Float64Array; readonly v: Float64Array
  readonly p1: Float64Array; readonly m1: Float64Array; readonly v1: Float64Array
  readonly beta1: number; readonly beta2: number; readonly eps: number; readonly lambda: number
  /** 1 - lr lambda for AdamW, NaN for Adam (the flag and the factor in one) */
  readonly shrink: number
  readonly stepSize: number; readonly bc2Sqrt: number
}

/** (1)-(6) over elements [lo, hi). */
export const adamRange = rangeKernel('adam_step.forward', (a: StepArgs, lo: number, hi: number) => {
  const { p, g, m, v, p1, m1, v1, beta1, beta2, eps, lambda, shrink, stepSize, bc2Sqrt } = a
  const c1 = 1 - beta1, c2 = 1 - beta2
  const decoupled = !Number.isNaN(shrink), decay = !decoupled && lambda !== 0
  for (let i = lo; i < hi; i++) {
    const gi = decay ? g[i] + lambda * p[i] : g[i] // (1), Adam (skipped when lambda = 0)
    const pi = decoupled ? p[i] * shrink : p[i] // (1), AdamW
    const mi = m[i] * beta1 + c1 * gi // (2)
    const vi = v[i] * beta2 + c2 * gi * gi // (3)
    const delta = Math.sqrt(vi) / bc2Sqrt + eps // (5)
    p1[i] = pi + (-stepSize * mi) / delta // (6)
    m1[i] = mi
    v1[i] = vi
  }
})

export const adamStep = defineOp<AdamStep.Attrs, AdamStep.Cache>({
  name: 'adam_step',
  inputs: AdamStep.op.inputs,
  outputs: AdamStep.op.outputs,
  attrs: (_op, raw) => AdamStep.op.parseAttrs(raw),
  forward: (a, { param, grad, exp_avg, exp_avg_sq }) => {
    const p = param!
    for (const [name, t] of [['grad', grad!], ['exp_avg', exp_avg!], ['exp_avg_sq', exp_avg_sq!]] as const) {
      if (!sameShape(t.shape, p.shape)) return fail('adam_step', `inputs.${name}`, `shape ${showShape(p.shape)} (param's)`, showShape(t.shape))
    }
    const cfg = AdamStep.toConfig(a)
    const { bc2, stepSize } = Adam.corrections(cfg, a.step) // (4)
    const n = p.data.length
    const p1 = allocate(n, { whole: true }), m1 = allocate(n, { whole: true }), v1 = allocate(n, { whole: true })
    parallelFor(adamRange, {
      p: p.data, g: grad!.data, m: exp_avg!.data, v: exp_avg_sq!.data, p1, m1, v1,
      beta1: a.beta1, beta2: a.beta2, eps: a.eps, lambda: a.weight_decay,
      shrink: a.decoupled ? 1 - a.lr * a.weight_decay : NaN, stepSize, bc2Sqrt: Math.sqrt(bc2),
    }, n, 7 * n)
    const m = make(p.shape, m1), v = make(p.shape, v1)
    return E.right({ outputs: { param: make(p.shape, p1), exp_avg: m, exp_avg_sq: v }, cache: { param: p, grad: grad!, m, v } })
  },
  backward: (a, cache, cot) => AdamStep.op.backward(a, cache, cot),
})
