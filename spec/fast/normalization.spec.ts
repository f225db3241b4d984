/**
 * Fast batch, layer, instance and group normalization (src/fast/normalization.ts)
 * against the readable references: the fast path runs every sum over the same
 * values in the same order and every other expression as the reference does
 * (./bound.ts), so outputs, running statistics and every gradient must be the
 * reference's to the bit. Shapes: batch 1 to 3, 1 to 6 channels, 0 to 2
 * spatial dimensions of odd and even sizes; weight and bias each present or
 * absent; training and evaluation; a cotangent for every float output.
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import type { Tensor } from '../../src/core/tensor.ts'
import { all } from '../laws/result.ts'
import { property } from '../support/property.ts'
import { identicalAll } from './bound.ts'
import { SEED, both, drawer, dualOf } from './support.ts'

const test = suite('fast: normalization')

const shape = fc.record({
  n: fc.integer({ min: 1, max: 3 }), c: fc.integer({ min: 1, max: 6 }),
  spatial: fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 2 }),
  weight: fc.boolean(), bias: fc.boolean(), seed: fc.integer(SEED),
  /** values far from 0 in mean, so that cancellation in x - mu is exercised */
  offset: fc.constantFrom(0, 0, 3, -1e3),
})

/** Both paths, cotangents on every float output, all results identical. */
const same = (name: string, attrs: Record<string, unknown>, inputs: Record<string, Tensor | undefined>, seed: number, cotNames: readonly string[]) => {
  const op = dualOf(name)
  const d = drawer(seed)
  const x = inputs.x!
  const cot: Record<string, Tensor> = {}
  for (const o of cotNames) cot[o] = o === 'y' ? d.normal([...x.shape]) : d.normal([x.shape[1]])
  const ins = Object.fromEntries(Object.entries(inputs).filter(([, t]) => t !== undefined)) as Record<string, Tensor>
  return all(
    both(op, attrs, ins, undefined, (f, r) => identicalAll(`${name} outputs`, f.outputs, r.outputs)),
    both(op, attrs, ins, cot, (f, r) => all(identicalAll(`${name} outputs`, f.outputs, r.outputs), identicalAll(`${name} gradients`, f.gradients, r.gradients))),
  )
}

property(test, 'batch_norm: fast equals the reference to the bit (training and evaluation, running statistics, weight and bias optional)',
  fc.tuple(shape, fc.boolean(), fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true })), ([s, training, running, momentum]) => {
    const d = drawer(s.seed)
    const sh = [s.n, s.c, ...s.spatial]
    const x = d.normal(sh, 2).data.map((v) => v + s.offset)
    const inputs = {
      x: { dtype: 'float64' as const, shape: sh, data: x },
      weight: s.weight ? d.normal([s.c]) : undefined, bias: s.bias ? d.normal([s.c]) : undefined,
      running_mean: running || !training ? d.normal([s.c]) : undefined,
      running_var: running || !training ? d.uniform([s.c], 0.1, 3) : undefined,
    }
    return same('batch_norm', { training, momentum, eps: 1e-5 }, inputs, s.seed + 1, ['y'])
  }, 120)

property(test, 'layer_norm: fast equals the reference to the bit (normalized_shape or axis, weight and bias optional)',
  fc.tuple(shape, fc.integer({ min: 1, max: 3 }), fc.boolean()), ([s, k, byAxis]) => {
    const d = drawer(s.seed)
    const sh = [s.n, s.c, ...s.spatial]
    const kk = Math.min(k, sh.length)
    const norm = sh.slice(sh.length - kk)
    const x = d.normal(sh, 2).data.map((v) => v + s.offset)
    const inputs = { x: { dtype: 'float64' as const, shape: sh, data: x }, weight: s.weight ? d.normal(norm) : undefined, bias: s.bias ? d.normal(norm) : undefined }
    return same('layer_norm', byAxis ? { axis: -kk } : { normalized_shape: norm }, inputs, s.seed + 1, ['y'])
  }, 120)

property(test, 'instance_norm: fast equals the reference to the bit (weight and bias optional)',
  shape.filter((s) => s.spatial.length > 0 && s.spatial.reduce((a, b) => a * b, 1) > 1), (s) => {
    const d = drawer(s.seed)
    const sh = [s.n, s.c, ...s.spatial]
    const x = d.normal(sh, 2).data.map((v) => v + s.offset)
    const inputs = { x: { dtype: 'float64' as const, shape: sh, data: x }, weight: s.weight ? d.normal([s.c]) : undefined, bias: s.bias ? d.normal([s.c]) : undefined }
    return same('instance_norm', { eps: 1e-5 }, inputs, s.seed + 1, ['y'])
  }, 100)

property(test, 'group_norm: fast equals the reference to the bit (every divisor of C as num_groups, weight and bias optional)',
  fc.tuple(shape, fc.integer({ min: 1, max: 6 })), ([s, gi]) => {
    const divisors = Array.from({ length: s.c }, (_, i) => i + 1).filter((g) => s.c % g === 0)
    const groups = divisors[gi % divisors.length]
    const d = drawer(s.seed)
    const sh = [s.n, s.c, ...s.spatial]
    const x = d.normal(sh, 2).data.map((v) => v + s.offset)
    const inputs = { x: { dtype: 'float64' as const, shape: sh, data: x }, weight: s.weight ? d.normal([s.c]) : undefined, bias: s.bias ? d.normal([s.c]) : undefined }
    return same('group_norm', { num_groups: groups, eps: 1e-5 }, inputs, s.seed + 1, ['y'])
  }, 100)

property(test, 'normalizations: the fast path rejects what the reference rejects, with the same error',
  fc.record({ rank: fc.integer({ min: 1, max: 4 }), c: fc.integer({ min: 1, max: 4 }), wlen: fc.integer({ min: 1, max: 4 }), groups: fc.integer({ min: 1, max: 5 }), training: fc.boolean(), seed: fc.integer(SEED) }),
  ({ rank, c, wlen, groups, training, seed }) => {
    const d = drawer(seed)
    const sh = [1, c, 1, 2].slice(0, rank)
    const x = d.normal(sh)
    const weight = d.normal([wlen])
    const ok = () => ({ ok: true as const })
    return all(
      both(dualOf('batch_norm'), { training }, { x, weight }, undefined, ok),
      both(dualOf('layer_norm'), { normalized_shape: [wlen] }, { x, weight }, undefined, ok),
      both(dualOf('instance_norm'), {}, { x, weight }, undefined, ok),
      both(dualOf('group_norm'), { num_groups: groups }, { x, weight }, undefined, ok),
    )
  }, 60)

test.run()
