import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { keyFromSeed } from '../../src/core/random.ts'
import { checkDataset } from '../../src/data/dataset.ts'
import { DIGITS, loadDataset, loadSplits } from '../../src/data/index.ts'
import { SPIRALS, spirals } from '../../src/data/synthetic.ts'

const test = suite('data: data sets')

test('digits: 10,000 images [N, 1, 28, 28] in [0, 1], labels 0..9, every class present', () => {
  const r = loadDataset('digits', keyFromSeed(0))
  if (E.isLeft(r)) { assert.unreachable(`digits did not load: ${r.left.received} (${r.left.hint})`); return }
  const d = r.right
  assert.equal(d.x.shape, [DIGITS.samples, 1, 28, 28])
  assert.ok(E.isRight(checkDataset('spec', d)))
  const counts = new Array(10).fill(0)
  for (const c of d.y.data) counts[c] += 1
  assert.ok(counts.every((c) => c > 800), `per-class counts ${counts}`)
  let lo = Infinity, hi = -Infinity
  for (const v of d.x.data) { lo = Math.min(lo, v); hi = Math.max(hi, v) }
  assert.ok(lo === 0 && hi <= 1 && hi > 0.9, `range [${lo}, ${hi}]`)
})

test('digits: 2,000 held out for test, 1,000 validation, 7,000 train, and the same key gives the same test images', () => {
  const a = loadSplits('digits', keyFromSeed(0)), b = loadSplits('digits', keyFromSeed(0))
  if (E.isLeft(a) || E.isLeft(b)) { assert.unreachable('digits did not load'); return }
  assert.is(a.right.test.y.shape[0], 2000)
  assert.is(a.right.validation.y.shape[0], 1000)
  assert.is(a.right.train.y.shape[0], 7000)
  assert.equal(Array.from(a.right.test.x.data.subarray(0, 5000)), Array.from(b.right.test.x.data.subarray(0, 5000)))
})

test('spirals: K arms of n points, labels by arm, the same key the same points, points inside the unit disc plus noise', () => {
  const a = spirals(keyFromSeed(3)), b = spirals(keyFromSeed(3)), c = spirals(keyFromSeed(4))
  if (E.isLeft(a) || E.isLeft(b) || E.isLeft(c)) { assert.unreachable('spirals refused its defaults'); return }
  assert.equal(a.right.x.shape, [SPIRALS.classes * SPIRALS.perClass, 2])
  assert.equal(Array.from(a.right.x.data), Array.from(b.right.x.data))
  assert.not.equal(Array.from(a.right.x.data), Array.from(c.right.x.data))
  // radius is t in [0, 1] exactly: the noise moves only the angle
  for (let i = 0; i < a.right.y.shape[0]; i++) assert.ok(Math.hypot(a.right.x.data[2 * i], a.right.x.data[2 * i + 1]) <= 1 + 1e-15)
  assert.ok(E.isRight(checkDataset('spec', a.right)))
})

test('unknown and uninstalled sets are error values, never a throw', () => {
  const f = loadDataset('fashion', keyFromSeed(0))
  assert.ok(E.isLeft(f) && f.left._tag === 'Unsupported' && /digits/.test(f.left.hint ?? ''))
  const u = loadDataset('cifar', keyFromSeed(0))
  assert.ok(E.isLeft(u) && u.left._tag === 'Unsupported')
  assert.ok(E.isLeft(spirals(keyFromSeed(0), { classes: 0, perClass: 10, noise: 0 })))
})

test.run()
