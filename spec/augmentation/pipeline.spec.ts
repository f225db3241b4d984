import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { STAGES, parsePipeline } from '../../src/augmentation/pipeline.ts'
import { foldIn, keyFromSeed } from '../../src/core/random.ts'
import { type Tensor, fromArray, make } from '../../src/core/tensor.ts'
import { failed, ok } from '../laws/result.ts'
import { property } from '../support/property.ts'
import { batchOf, guard, indexImage, same } from './support.ts'

const test = suite('augmentation: pipeline')

const must = <A>(r: E.Either<{ expected: string }, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left.expected)
  return r.right
}

const oneHot = (n: number, k: number): Tensor => make([n, k], Float64Array.from({ length: n * k }, (_, i) => (i % k === Math.floor(i / k) % k ? 1 : 0)))

test('parsePipeline reads stages and arguments, and refuses unknown stages, bad numbers and wrong arity as error values', () => {
  const p = must(parsePipeline('hflip, crop:4 ,erase:0.25,randaugment:2:9'))
  assert.equal(p.stages.map((s) => [s.name, [...s.args]]), [['hflip', []], ['crop', [4]], ['erase', [0.25]], ['randaugment', [2, 9]]])
  for (const bad of ['hflop', 'crop', 'crop:x', 'crop:-1', 'hflip:2', 'erase:0.5:1', 'jitter:0.4:0.4:0.4:0.7', 'mixup:0', 'randaugment:2:31', 'crop:']) {
    const r = parsePipeline(bad)
    assert.ok(E.isLeft(r), bad)
  }
  assert.ok(Object.keys(STAGES).length === 12)
})

const everyStage = 'hflip,vflip:0.5,crop:1,rrc:0.3,jitter:0.3:0.3:0.3:0.05,pca,affine:10:0.1:0.1:5,elastic:4:1,randaugment:2:9,erase:0.7,mixup:0.4,cutmix'

property(test, 'a pipeline is a pure function of (key, batch): same key, same result; the input is not modified', fc.tuple(batchOf({ c: 3, minHW: 3, maxHW: 5 }, 0, 1), fc.integer()), ([{ d, x }, seed]) => guard(() => {
  const p = must(parsePipeline(everyStage))
  const copy = Float64Array.from(x.data)
  const target = oneHot(d.n, 3)
  const a = must(p.apply(keyFromSeed(seed), { x, target })), b = must(p.apply(keyFromSeed(seed), { x, target }))
  if (!x.data.every((v, i) => Object.is(v, copy[i]))) return failed('the input batch was modified')
  const v = same('x', a.x, b.x)
  if (!v.ok) return v
  return same('target', a.target!, b.target!)
}), 20)

property(test, 'stages that do nothing give back the batch bit for bit: p = 0 flips and erasing, crop:0, randaugment:0, jitter:0, pca:0, affine:0, elastic with alpha 0',
  fc.tuple(batchOf({ c: 3 }, 0, 1), fc.integer()), ([{ x }, seed]) => guard(() => {
    const p = must(parsePipeline('hflip:0,vflip:0,erase:0,crop:0,randaugment:0,jitter:0,pca:0,affine:0,elastic:0:0'))
    return same('identity pipeline', must(p.apply(keyFromSeed(seed), { x })).x, x)
  }), 50)

test('hflip:1 flips every image; different keys give different crops; mixup needs targets', () => {
  const x = indexImage(2, 1, 2, 3)
  const y = must(must(parsePipeline('hflip:1')).apply(keyFromSeed(1), { x })).x
  assert.equal(Array.from(y.data), [3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10])
  const crop = must(parsePipeline('crop:2'))
  const outs = new Set(Array.from({ length: 20 }, (_, s) => must(crop.apply(foldIn(keyFromSeed(2), s), { x })).x.data.join()))
  assert.ok(outs.size > 5, `${outs.size} distinct crops in 20 keys`)
  assert.ok(E.isLeft(must(parsePipeline('mixup')).apply(keyFromSeed(3), { x })))
})

test('mixup and cutmix stages keep label rows summing to 1', () => {
  const x = indexImage(4, 1, 4, 4), target = oneHot(4, 4)
  for (const spec of ['mixup:1', 'cutmix:1']) {
    const t = must(must(parsePipeline(spec)).apply(keyFromSeed(4), { x, target })).target!
    for (let n = 0; n < 4; n++) {
      const s = t.data.slice(n * 4, n * 4 + 4).reduce((a, b) => a + b, 0)
      assert.ok(Math.abs(s - 1) < 1e-15, `${spec}: row ${n} sums to ${s}`)
    }
  }
})

test('a flat batch [N, D] is augmented as images [N, C, H, W] with the image option and returned flat; a mismatched D is an error value', () => {
  const flat = fromArray([2, 6], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
  const p = must(parsePipeline('hflip:1', { image: [1, 2, 3] }))
  const y = must(p.apply(keyFromSeed(5), { x: flat })).x
  assert.equal(y.shape, [2, 6])
  assert.equal(Array.from(y.data), [3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10])
  assert.ok(E.isLeft(must(parsePipeline('hflip', { image: [1, 2, 2] })).apply(keyFromSeed(5), { x: flat })))
  assert.ok(E.isLeft(must(parsePipeline('hflip')).apply(keyFromSeed(5), { x: flat })))
  assert.ok(E.isLeft(must(parsePipeline('jitter:0.5')).apply(keyFromSeed(5), { x: indexImage(1, 1, 2, 2) })), 'colour jitter on one channel is an error value')
})

test.run()
