import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { keyFromSeed } from '../../src/core/random.ts'
import { type Tensor, make } from '../../src/core/tensor.ts'
import { cnn, compile, withMode } from '../../src/graph/index.ts'
import { occlusionMap } from '../../src/experiments/occlusion.ts'
import { EPS64 } from '../laws/tolerance.ts'

const test = suite('occlusion saliency')

interface Fixture {
  occlusion: { patch: number; stride: number; fill: number }
  params: Record<string, { shape: number[]; data: number[] }>
  images: { label: number; pixels: number[] }[]
}
const fx = JSON.parse(readFileSync(new URL('../crosscheck/occlusion-fixture.json', import.meta.url), 'utf8')) as Fixture
const torch = JSON.parse(readFileSync(new URL('../crosscheck/occlusion-torch.json', import.meta.url), 'utf8')) as { images: { probability: number; rows: number; map: number[] }[] }

const net = cnn(keyFromSeed(0), { input: [1, 28, 28], conv: [{ channels: 4 }], hidden: [], classes: 10 })
if (E.isLeft(net)) throw new Error(net.left.expected)
const compiled = compile(withMode(net.right.graph, false))
if (E.isLeft(compiled)) throw new Error(compiled.left.expected)
const values: Record<string, Tensor> = Object.fromEntries(Object.entries(fx.params).map(([k, t]) => [k, make(t.shape, Float64Array.from(t.data))]))

/*
 * Against PyTorch (spec/crosscheck/occlusion_torch.py, float64, the same
 * parameters and images): each logit is a sum of at most 784 + 9 products,
 * so the two libraries' logits differ by <= 793 EPS64 S with S = sum |w x|
 * (below 1e3 for these weights and centred images); softmax moves a
 * probability by at most |delta logit| (its Jacobian's rows have L1 norm
 * <= 2 p (1 - p) <= 1/2 per unit change, and two logits change), and the map
 * is a difference of two probabilities: 4 * 793 EPS64 * 1e3 < 1e-9.
 */
const TOL = 4 * 793 * EPS64 * 1e3

test('occlusion maps agree with an independent PyTorch computation on a trained CNN', () => {
  fx.images.forEach((im, i) => {
    const r = occlusionMap(compiled.right, net.right, values, make([1, 28, 28], Float64Array.from(im.pixels)), im.label, fx.occlusion)
    if (E.isLeft(r)) { assert.unreachable(r.left.expected); return }
    const t = torch.images[i]
    assert.is(r.right.rows, t.rows)
    assert.ok(Math.abs(r.right.probability - t.probability) <= TOL, `P(label): ${r.right.probability} vs ${t.probability}`)
    for (let q = 0; q < t.map.length; q++) {
      assert.ok(Math.abs(r.right.map[q] - t.map[q]) <= TOL, `image ${i} map[${q}]: ${r.right.map[q]} vs torch ${t.map[q]}`)
    }
    // the map is not trivial: some patch position matters
    assert.ok(Math.max(...t.map.map(Math.abs)) > 1e-3)
  })
})

test('occluding pixels that already equal the fill changes nothing: exactly 0 (the digits\' empty corner)', () => {
  const im = fx.images[0]
  const corner = [0, 1, 2, 3, 4, 5].every((i) => [0, 1, 2, 3, 4, 5].every((j) => im.pixels[i * 28 + j] === fx.occlusion.fill))
  assert.ok(corner, 'the fixture image has a non-empty corner')
  const r = occlusionMap(compiled.right, net.right, values, make([1, 28, 28], Float64Array.from(im.pixels)), im.label, fx.occlusion)
  assert.ok(E.isRight(r) && r.right.map[0] === 0)
})

test('bad patch, stride or label is an error value', () => {
  const img = make([1, 28, 28], new Float64Array(784))
  assert.ok(E.isLeft(occlusionMap(compiled.right, net.right, values, img, 3, { patch: 0, stride: 1, fill: 0 })))
  assert.ok(E.isLeft(occlusionMap(compiled.right, net.right, values, img, 3, { patch: 3, stride: 0, fill: 0 })))
  assert.ok(E.isLeft(occlusionMap(compiled.right, net.right, values, img, 10, { patch: 3, stride: 2, fill: 0 })))
})

test.run()
