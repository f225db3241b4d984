import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as Fmp from '../../src/pooling/fractional-max-pool2d.ts'
import { type Tensor, fromArray, make } from '../../src/core/tensor.ts'
import { failed, ok } from '../laws/result.ts'
import { gradientProperty, property } from '../support/property.ts'
import { guard, run } from '../convolution/evaluate.ts'
import { readCases, replay } from '../convolution/fixtures.ts'
import { assertLaw } from '../laws/result.ts'

const test = suite('fractional_max_pool2d')

const geometry = fc.record({ n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 2 }), kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }) })
  .chain((g) => fc.record({ oh: fc.integer({ min: 1, max: 4 }), ow: fc.integer({ min: 1, max: 4 }), eh: fc.integer({ min: 0, max: 4 }), ew: fc.integer({ min: 0, max: 4 }) })
    .map((o) => ({ ...g, oh: o.oh, ow: o.ow, h: o.oh + g.kh - 1 + o.eh, w: o.ow + g.kw - 1 + o.ew })))

const caseOf = (values: fc.Arbitrary<number>) => geometry.chain((g) => fc.tuple(
  fc.array(values, { minLength: g.n * g.c * g.h * g.w, maxLength: g.n * g.c * g.h * g.w }),
  fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: g.n * g.c * 2, maxLength: g.n * g.c * 2 }),
).map(([x, s]) => ({ g, x: fromArray([g.n, g.c, g.h, g.w], x), samples: fromArray([g.n, g.c, 2], s) })))

const attrsOf = (g: { kh: number; kw: number; oh: number; ow: number }) => ({ kernel_size: [g.kh, g.kw], output_size: [g.oh, g.ow] })

/** PyTorch's regions, written out again from the case format: starts floor((i + u) a) - floor(u a), the last at L - K. */
const regionStarts = (u: number, L: number, O: number, K: number): number[] =>
  Array.from({ length: O }, (_, i) => (i === O - 1 ? L - K : Math.floor((i + u) * ((L - K) / (O - 1))) - Math.floor(u * ((L - K) / (O - 1)))))

property(test, 'with PyTorch\'s samples (W from samples[.., 0], H from samples[.., 1]) each output is the first maximum of PyTorch\'s region, and its index points into it (ties common)',
  caseOf(fc.integer({ min: -2, max: 2 })), ({ g, x, samples }) => guard(() => {
    const { y, indices } = run(Fmp.op, attrsOf(g), { x, samples })
    for (let p = 0; p < g.n * g.c; p++) {
      const sw = regionStarts(samples.data[2 * p], g.w, g.ow, g.kw), sh = regionStarts(samples.data[2 * p + 1], g.h, g.oh, g.kh)
      if ((g.ow > 1 && sw[0] !== 0) || (g.oh > 1 && sh[0] !== 0)) return failed(`plane ${p}: the first region does not start at 0`)
      for (let i = 0; i < g.oh; i++) for (let j = 0; j < g.ow; j++) {
        let best = -Infinity, at = -1
        for (let r = sh[i]; r < sh[i] + g.kh; r++) for (let q = sw[j]; q < sw[j] + g.kw; q++) {
          const v = x.data[p * g.h * g.w + r * g.w + q]
          if (at < 0 || v > best) { best = v; at = r * g.w + q }
        }
        const o = (p * g.oh + i) * g.ow + j
        if (y.data[o] !== best || indices.data[o] !== at) return failed(`plane ${p} (${i}, ${j}): y ${y.data[o]} at ${indices.data[o]}, region [${sh[i]}, ${sw[j]}] gives ${best} at ${at}`)
      }
    }
    return ok
  }), 150)

// Distinct values 0.02 apart keep every max 20 central-difference steps from a tie.
gradientProperty(test, Fmp.op, caseOf(fc.integer({ min: -200, max: 200 }).map((v) => v / 50))
  .filter(({ x }) => new Set(x.data).size === x.data.length)
  .map(({ g, x, samples }) => ({ attrs: attrsOf(g), inputs: { x, samples } })), 60)

test('fractional_max_pool2d agrees with PyTorch 1.13 on the golden cases (spec/crosscheck/augmentation-cases.jsonl)', () => {
  const cases = readCases(new URL('../crosscheck/augmentation-cases.jsonl', import.meta.url)).filter((c) => c.op === 'fractional_max_pool2d')
  assert.ok(cases.length >= 4)
  for (const c of cases) assertLaw(replay(Fmp.op, c))
})

test('fractional_max_pool2d: windows that cannot fit, samples outside [0, 1) or of the wrong shape are error values', () => {
  const x = make([1, 1, 4, 4], new Float64Array(16))
  const ok1 = (attrs: Record<string, unknown>, samples: Tensor) => {
    const a = Fmp.op.parseAttrs(attrs)
    return E.isRight(a) ? Fmp.op.forward(a.right, { x, samples }) : a
  }
  assert.ok(E.isLeft(ok1({ kernel_size: 2, output_size: 4 }, fromArray([1, 1, 2], [0.5, 0.5]))))
  assert.ok(E.isLeft(ok1({ kernel_size: 2, output_size: 2 }, fromArray([1, 1, 2], [1, 0.5]))))
  assert.ok(E.isLeft(ok1({ kernel_size: 2, output_size: 2 }, fromArray([1, 2], [0.1, 0.5]))))
  assert.ok(E.isRight(ok1({ kernel_size: 2, output_size: 3 }, fromArray([1, 1, 2], [0.1, 0.5]))))
})

test.run()
