/**
 * Laws of the random side: parameters drawn from a key follow their
 * distributions, and the test-time 10-crop has its exact geometry.
 *
 * Statistical laws use Hoeffding's inequality: for n independent draws in
 * [a, b] with mean mu, P(|mean_n - mu| >= t) <= 2 exp(-2 n t^2 / (b - a)^2).
 * With t = (b - a) sqrt(ln(2 / delta) / (2 n)) and delta = 1e-11 per check
 * (ln(2e11) = 26.0), and at most 60 such checks in this file, the chance that
 * a correct sampler fails any of them for some key is below 6e-10 < 1e-9.
 * The keys are fixed, so a run is deterministic; the bound says how unlucky a
 * key would have to be.
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as R from '../../src/augmentation/random.ts'
import { OPS, magnitude, randAugment, randAugmentParams } from '../../src/augmentation/rand-augment.ts'
import { beta } from '../../src/augmentation/sample.ts'
import { foldIn, keyFromSeed } from '../../src/core/random.ts'
import { type Tensor, make } from '../../src/core/tensor.ts'
import { failed, ok } from '../laws/result.ts'
import { EPS64 } from '../laws/tolerance.ts'
import { property } from '../support/property.ts'
import { at, batchOf, guard, indexImage, same } from './support.ts'

const test = suite('augmentation: random parameters and test-time crops')

const LOG_2_OVER_DELTA = Math.log(2e11)
const hoeffding = (n: number, range: number): number => range * Math.sqrt(LOG_2_OVER_DELTA / (2 * n))

const draws = <A>(seed: number, n: number, f: (k: ReturnType<typeof keyFromSeed>) => A): A[] => {
  const key = keyFromSeed(seed)
  return Array.from({ length: n }, (_, i) => f(foldIn(key, i)))
}

const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length

const expectMean = (what: string, v: readonly number[], mu: number, range: number) => {
  const t = hoeffding(v.length, range), m = mean(v)
  assert.ok(Math.abs(m - mu) < t, `${what}: mean ${m}, expected ${mu} +- ${t} (Hoeffding, n = ${v.length})`)
}

/** Each value's frequency within the Hoeffding bound of 1/k (one check per value). */
const expectUniform = (what: string, v: readonly number[], values: readonly number[]) => {
  for (const u of values) expectMean(`${what}: frequency of ${u}`, v.map((x) => (x === u ? 1 : 0)), 1 / values.length, 1)
  assert.ok(v.every((x) => values.includes(x)), `${what}: a value outside ${values}`)
}

test('Beta(a, a) draws (mixup, CutMix): mean 1/2 and second moment 1/4 + 1/(4 (2a + 1)), within Hoeffding bounds', () => {
  for (const a of [0.2, 1, 2]) {
    const v = draws(11 + a * 10, 3000, (k) => beta(k, a, a))
    assert.ok(v.every((x) => x >= 0 && x <= 1), 'a draw outside [0, 1]')
    expectMean(`Beta(${a}, ${a})`, v, 0.5, 1)
    expectMean(`Beta(${a}, ${a}) second moment`, v.map((x) => x * x), 0.25 + 1 / (4 * (2 * a + 1)), 1)
  }
})

test('RandomCrop with padding p: top and left uniform on {0..2p} (shifts -p..p)', () => {
  const boxes = draws(21, 3000, (k) => R.padCropBox(k, 8, 8, 2))
  expectUniform('top', boxes.map((b) => b.top), [-2, -1, 0, 1, 2])
  expectUniform('left', boxes.map((b) => b.left), [-2, -1, 0, 1, 2])
})

test('RandomResizedCrop: every box lies in the image, areas near [0.08, 1] of it, aspect ratios in [3/4, 4/3] up to rounding, and the top is uniform given the height', () => {
  const boxes = draws(31, 2000, (k) => R.resizedCropBox(k, 32, 24))
  for (const b of boxes) {
    assert.ok(b.top >= 0 && b.left >= 0 && b.top + b.height <= 32 && b.left + b.width <= 24 && b.height > 0 && b.width > 0, JSON.stringify(b))
    // w = round(sqrt(A s r)), h = round(sqrt(A s / r)): each within 1/2 of its real value.
    const lo = Math.max(0, Math.sqrt(0.08 * 768 * 0.75) - 0.5) ** 2
    assert.ok(b.height * b.width >= Math.min(lo, 16), `area ${b.height * b.width}`)
  }
  // Given h, top ~ U{0..H - h}: (top + 1/2) / (H - h + 1) is uniform on (0, 1) in the mean: 1/2 over all draws.
  expectMean('relative top', boxes.map((b) => (b.top + 0.5) / (32 - b.height + 1)), 0.5, 1)
})

test('ColorJitter: factors in [max(0, 1 - b), 1 + b] (hue in [-h, h]), mean 1 (hue 0), and the first adjustment uniform over the four', () => {
  const ps = draws(41, 3000, (k) => R.jitterParams(k, { brightness: 0.4, contrast: 0.8, saturation: 1.5, hue: 0.2 }))
  const ranges: [number, number][] = [[0.6, 1.4], [0.2, 1.8], [0, 2.5], [-0.2, 0.2]]
  for (let i = 0; i < 4; i++) {
    const v = ps.map((p) => p.factors[i]!)
    assert.ok(v.every((f) => f >= ranges[i][0] && f <= ranges[i][1]), `factor ${i} outside ${ranges[i]}`)
    // saturation: U[0, 2.5] has mean 1.25 (the range is clipped at 0)
    expectMean(`factor ${i}`, v, (ranges[i][0] + ranges[i][1]) / 2, ranges[i][1] - ranges[i][0])
  }
  expectUniform('first adjustment', ps.map((p) => p.order[0]), [0, 1, 2, 3])
  assert.ok(ps.every((p) => [...p.order].sort().join() === '0,1,2,3'), 'an order that is not a permutation')
})

test('PCA lighting: alpha ~ N(0, 0.1^2): P(alpha > 0) = 1/2 and P(|alpha| < 0.1) = 0.6827 within Hoeffding bounds', () => {
  const a = Array.from(R.pcaAlpha(keyFromSeed(51), 1000, 0.1).data)
  expectMean('P(alpha > 0)', a.map((v) => (v > 0 ? 1 : 0)), 0.5, 1)
  expectMean('P(|alpha| < sigma)', a.map((v) => (Math.abs(v) < 0.1 ? 1 : 0)), 0.6826894921370859, 1)
})

test('RandomAffine: angle uniform on [-d, d] (mean 0), translations integers within t W and t H, scale in range', () => {
  const ps = draws(61, 3000, (k) => R.affineParams(k, 10, 20, { degrees: 30, translate: 0.1, scale: [0.8, 1.2], shear: 10 }))
  assert.ok(ps.every((p) => Math.abs(p.angle) <= 30 && p.scale >= 0.8 && p.scale <= 1.2 && Math.abs(p.shear[0]) <= 10))
  assert.ok(ps.every((p) => Number.isInteger(p.translate[0]) && Math.abs(p.translate[0]) <= 2 && Number.isInteger(p.translate[1]) && Math.abs(p.translate[1]) <= 1))
  expectMean('angle', ps.map((p) => p.angle), 0, 60)
  expectMean('P(angle < 15)', ps.map((p) => (p.angle < 15 ? 1 : 0)), 0.75, 1)
})

test('RandomErasing: never with p = 0; with p = 1 on a 32 x 32 image every box has h < H and w < W, lies inside, and covers [0.02, 0.33] of the area up to rounding', () => {
  assert.ok(draws(71, 200, (k) => R.erasingBox(k, 32, 32, { p: 0 })).every((b) => b === undefined))
  const boxes = draws(72, 500, (k) => R.erasingBox(k, 32, 32, { p: 1 })).filter((b) => b !== undefined)
  assert.ok(boxes.length > 450, `${boxes.length} of 500 found a box in 10 attempts`)
  for (const b of boxes) {
    assert.ok(b!.height < 32 && b!.width < 32 && b!.top + b!.height <= 32 && b!.left + b!.width <= 32, JSON.stringify(b))
    const s = Math.sqrt(0.33 * 1024 * 3.3) + 0.5
    assert.ok(b!.height * b!.width <= s * s, JSON.stringify(b))
  }
  expectMean('P(erased) with p = 0.5', draws(73, 2000, (k) => (R.erasingBox(k, 32, 32, { p: 0.5 }) === undefined ? 0 : 1)), 0.5, 1)
})

test('CutMix boxes: centre uniform over the rows, box side int(sqrt(1 - lam) H / 2) each way from it', () => {
  const bs = draws(81, 3000, (k) => R.cutmixBox(k, 4, 6, 1))
  expectUniform('centre row', bs.map(({ box }) => box.top + box.height / 2), [0, 1, 2, 3])
  assert.ok(bs.every(({ box, lam }) => box.height === 2 * Math.trunc(0.5 * Math.sqrt(1 - lam) * 4) && box.width === 2 * Math.trunc(0.5 * Math.sqrt(1 - lam) * 6)))
})

test('RandAugment: each of the 14 ops chosen with probability 1/14; signed magnitudes negated half the time', () => {
  const ps = draws(91, 3000, (k) => randAugmentParams(k, 1, 9, 8, 8)[0])
  expectUniform('op', ps.map(([op]) => OPS.indexOf(op)), OPS.map((_, i) => i))
  const rot = ps.filter(([op]) => op === 'Rotate').map(([, m]) => m)
  assert.ok(rot.every((m) => Math.abs(Math.abs(m) - 9) < 1e-12), 'Rotate at M = 9 is +-9 degrees')
  const signed = ps.filter(([op]) => magnitude(op, 9, 8, 8)[1]).map(([, m]) => (m < 0 ? 1 : 0))
  expectMean('P(negated)', signed, 0.5, 1)
})

test('RandAugment magnitudes at M = 9 are torchvision\'s: 7 bits of posterize, solarize at 178.5, rotate 9, shear 0.09, translate 150/331 * 9/30 of the side', () => {
  assert.equal(magnitude('Posterize', 9, 32, 32), [7, false])
  assert.equal(magnitude('Posterize', 30, 32, 32), [4, false])
  assert.ok(Math.abs(magnitude('Solarize', 9, 32, 32)[0] - 178.5) < 1e-12)
  assert.ok(Math.abs(magnitude('Rotate', 9, 32, 32)[0] - 9) < 1e-12)
  assert.ok(Math.abs(magnitude('ShearX', 9, 32, 32)[0] - 0.09) < 1e-12)
  assert.ok(Math.abs(magnitude('TranslateX', 9, 10, 32)[0] - (150 / 331) * 32 * 0.3) < 1e-12)
})

property(test, 'RandAugment with N = 0 is the identity, bit for bit', fc.tuple(batchOf({}, 0, 1), fc.integer({ min: 0, max: 30 }), fc.integer()), ([{ x }, M, seed]) => guard(() =>
  same('randAugment(N = 0)', randAugment(keyFromSeed(seed), x, 0, M), x)), 50)

// ---------------------------------------------------------------- ten-crop

test('TenCrop has the exact geometry: four corners and the centre (half to even), then the same five of the mirrored image', () => {
  const x = indexImage(1, 1, 5, 6)
  const r = R.tenCrop(x, 2, 3)
  assert.ok(E.isRight(r))
  const crops = r.right
  assert.is(crops.length, 10)
  // centre: top = round((5 - 2) / 2) = round(1.5) = 2, left = round((6 - 3) / 2) = round(1.5) = 2
  const starts = [[0, 0], [0, 3], [3, 0], [3, 3], [2, 2]]
  for (let k = 0; k < 10; k++) {
    const [t, l] = starts[k % 5], flipped = k >= 5
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) {
      const want = flipped ? at(x, 0, 0, t + i, 5 - (l + j)) : at(x, 0, 0, t + i, l + j)
      assert.is(at(crops[k], 0, 0, i, j), want, `crop ${k} (${i}, ${j})`)
    }
  }
  assert.ok(E.isLeft(R.tenCrop(x, 6, 3)), 'a crop taller than the image is an error value')
})

const meanOverWidth = (t: Tensor): Tensor => {
  const [n, c, h, w] = t.shape
  const out = new Float64Array(n * c * h)
  for (let p = 0; p < n * c * h; p++) { let s = 0; for (let j = 0; j < w; j++) s += t.data[p * w + j]; out[p] = s / w }
  return make([n, c, h], out)
}

/**
 * A model invariant to horizontal flips (the row means): with crops of the
 * full image the ten crops are five copies of x and five of hflip(x), so the
 * average is one prediction. Row means of x and hflip(x) sum the same numbers
 * in reverse order, so they differ by <= w EPS64 max|x| (w <= 5), and the mean
 * of ten such values adds <= 10 EPS64 max|x|: with |x| <= 2, 32 EPS64 * 2 bounds it.
 */
property(test, 'test-time averaging of a flip-invariant model over the ten crops equals one prediction', batchOf(), ({ x }) => guard(() => {
  const r = R.tenCropPredict(meanOverWidth, x, x.shape[2], x.shape[3])
  if (E.isLeft(r)) return failed(r.left.expected)
  const one = meanOverWidth(x)
  for (let i = 0; i < one.data.length; i++) if (!(Math.abs(r.right.data[i] - one.data[i]) <= 32 * EPS64 * 2)) return failed(`${r.right.data[i]} vs ${one.data[i]}`)
  return ok
}), 50)

test.run()
