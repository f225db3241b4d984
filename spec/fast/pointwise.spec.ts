/**
 * Fast GELU, max pooling and cross entropy against their readable references.
 * Each runs the reference's arithmetic in the reference's order (./bound.ts),
 * so outputs, indices and gradients must be identical to the bit, including
 * the conventions that live in the details: max pooling's first maximum on a
 * tie and its last NaN, padding that never wins, empty windows (-inf, index -1);
 * cross entropy's ignored positions, class weights, label smoothing, the
 * three reductions and the spatial layout [N, C, d1, ...].
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import type { Tensor } from '../../src/core/tensor.ts'
import { all } from '../laws/result.ts'
import { property } from '../support/property.ts'
import { identicalAll } from './bound.ts'
import { SEED, both, drawer, dualOf } from './support.ts'

const test = suite('fast: gelu, max_pool2d, cross_entropy')

const same = (name: string, attrs: Record<string, unknown>, inputs: Record<string, Tensor>, cot: Record<string, Tensor>) =>
  both(dualOf(name), attrs, inputs, cot, (f, r) => all(identicalAll(`${name} outputs`, f.outputs, r.outputs), identicalAll(`${name} gradients`, f.gradients, r.gradients)))

property(test, 'gelu: fast equals the reference to the bit (every approximation; tails, zeros, infinities, NaN)',
  fc.record({ n: fc.integer({ min: 0, max: 64 }), scale: fc.constantFrom(1, 5, 40), approximate: fc.constantFrom('none', 'none', 'tanh', 'sigmoid'), special: fc.boolean(), seed: fc.integer(SEED) }),
  ({ n, scale, approximate, special, seed }) => {
    const d = drawer(seed)
    const x = d.normal([n], scale)
    if (special && n >= 5) { x.data[0] = 0; x.data[1] = -0; x.data[2] = Infinity; x.data[3] = -Infinity; x.data[4] = NaN }
    return same('gelu', { approximate }, { x }, { y: d.normal([n]) })
  }, 100)

property(test, 'max_pool2d: fast equals the reference to the bit (ties, NaN, padding, dilation, stride, ceil_mode, empty windows)',
  fc.record({
    n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 1, max: 9 }), w: fc.integer({ min: 1, max: 9 }),
    k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })), s: fc.option(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })), { nil: undefined }),
    dil: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })), pad: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })),
    ceil: fc.boolean(), ties: fc.boolean(), nans: fc.integer({ min: 0, max: 3 }), seed: fc.integer(SEED),
  }),
  ({ n, c, h, w, k, s, dil, pad, ceil, ties, nans, seed }) => {
    const d = drawer(seed)
    const x = ties ? d.ints([n, c, h, w], 3) : d.normal([n, c, h, w])
    for (let i = 0; i < nans; i++) x.data[(seed + 7 * i) % x.data.length] = NaN
    const attrs = { kernel_size: k, ...(s ? { stride: s } : {}), dilation: dil, padding: pad, ceil_mode: ceil }
    // the cotangent's shape is the output's: take it from the reference's forward inside `both`
    const op = dualOf('max_pool2d')
    return both(op, attrs, { x }, undefined, (f, r) => {
      const first = identicalAll('max_pool2d outputs', f.outputs, r.outputs)
      if (!first.ok) return first
      return same('max_pool2d', attrs, { x }, { y: d.normal([...r.outputs.y.shape]) })
    })
  }, 150)

property(test, 'cross_entropy (class targets): fast equals the reference to the bit (weights, ignore_index, label smoothing, reductions, spatial dims)',
  fc.record({
    n: fc.integer({ min: 1, max: 4 }), c: fc.integer({ min: 1, max: 7 }), spatial: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
    weight: fc.boolean(), ignore: fc.boolean(), smoothing: fc.constantFrom(0, 0, 0.1, 1), reduction: fc.constantFrom('mean', 'sum', 'none'),
    scale: fc.constantFrom(1, 30, 1e5), seed: fc.integer(SEED),
  }),
  ({ n, c, spatial, weight, ignore, smoothing, reduction, scale, seed }) => {
    const d = drawer(seed)
    const input = d.normal([n, c, ...spatial], scale)
    const target = d.labels([n, ...spatial], c)
    const ignoreIndex = ignore ? Math.min(c - 1, 1) : -100
    const attrs = { ignore_index: ignoreIndex, label_smoothing: smoothing, reduction }
    const inputs: Record<string, Tensor> = { input, target, ...(weight ? { weight: d.uniform([c], 0, 2) } : {}) }
    const lossShape = reduction === 'none' ? [n, ...spatial] : []
    return same('cross_entropy', attrs, inputs, { loss: d.normal(lossShape) })
  }, 150)

property(test, 'cross_entropy (probability targets) takes the reference, and bad targets get the reference\'s error',
  fc.record({ n: fc.integer({ min: 1, max: 3 }), c: fc.integer({ min: 2, max: 5 }), bad: fc.boolean(), seed: fc.integer(SEED) }),
  ({ n, c, bad, seed }) => {
    const d = drawer(seed)
    const input = d.normal([n, c])
    const target = bad ? d.labels([n + 1], c) : d.uniform([n, c], 0, 1)
    return same('cross_entropy', { reduction: 'sum' }, { input, target }, { loss: d.normal([]) })
  }, 40)

test.run()
