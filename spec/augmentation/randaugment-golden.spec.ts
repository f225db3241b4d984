/**
 * RandAugment's fourteen ops against torchvision 0.14's `_apply_op` at
 * magnitude bin 9 (both signs), on an RGB and a one-channel image
 * (spec/crosscheck/randaugment-ops.json, written by
 * spec/crosscheck/export_augmentation.py). Each op does a handful of float64
 * roundings on numbers <= 1 (about 1e-16 each), so 1e-12 is a generous bound
 * that still separates every planted bug (the smallest moves a value by 1/255).
 */
import { readFileSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { OPS, type RandOp, applyOp, magnitude } from '../../src/augmentation/rand-augment.ts'
import { tensorOfJson } from '../convolution/fixtures.ts'

const test = suite('augmentation: RandAugment ops against torchvision')

type J = Parameters<typeof tensorOfJson>[0]
const fx = JSON.parse(readFileSync(new URL('../crosscheck/randaugment-ops.json', import.meta.url), 'utf8')) as
  { magnitude_bin: number; images: { x: J; outputs: { op: RandOp; magnitude: number; y: J }[] }[] }

test('the fixture covers all fourteen ops on both images', () => {
  for (const im of fx.images) assert.equal([...new Set(im.outputs.map((o) => o.op))].sort(), [...OPS].sort())
})

for (const [k, im] of fx.images.entries()) {
  const x = tensorOfJson(im.x)
  test(`image ${k} [${x.shape}]: every op at bin ${fx.magnitude_bin} agrees with torchvision, and magnitude() gives torchvision's magnitude`, () => {
    for (const o of im.outputs) {
      const [m] = magnitude(o.op, fx.magnitude_bin, x.shape[2], x.shape[3])
      assert.ok(Math.abs(Math.abs(o.magnitude) - m) <= 1e-12 * (1 + m), `${o.op}: magnitude ${m}, torchvision ${o.magnitude}`)
      const y = applyOp(x, o.op, o.magnitude).data, want = tensorOfJson(o.y).data
      for (let i = 0; i < want.length; i++) assert.ok(Math.abs(y[i] - want[i]) <= 1e-12, `${o.op} (${o.magnitude}) element ${i}: ${y[i]} vs torchvision ${want[i]}`)
    }
  })
}

test.run()
