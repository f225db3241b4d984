import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { keyFromSeed, normal } from '../../src/core/random.ts'
import { fromArray, make } from '../../src/core/tensor.ts'
import { symmetricEigen } from '../../src/preprocessing/eigen.ts'
import { fitPca, flat, transformPca } from '../../src/preprocessing/pca.ts'
import { fitScaler, transformScaler } from '../../src/preprocessing/scaler.ts'
import { EPS64 } from '../laws/tolerance.ts'
import { all, failed, ok } from '../laws/result.ts'
import { property } from '../support/property.ts'
import { images, matrix } from './arbitraries.ts'
import { covariance, pcaLaw, standardizedLaw } from './laws.ts'

const test = suite('preprocessing: fitted statistics')

property(test, 'standardize per feature: the training data comes out with mean 0 and variance 1 per feature', matrix(), (x) => {
  const s = fitScaler('standardize', 'feature', x)
  if (E.isLeft(s)) return failed(s.left.expected)
  const y = transformScaler(s.right, x)
  return E.isLeft(y) ? failed(y.left.expected) : standardizedLaw(x, y.right, s.right.std, 'feature')
}, 100)

property(test, 'standardize per channel: images come out with mean 0 and variance 1 per channel', images(), (x) => {
  const s = fitScaler('standardize', 'channel', x)
  if (E.isLeft(s)) return failed(s.left.expected)
  const y = transformScaler(s.right, x)
  return E.isLeft(y) ? failed(y.left.expected) : standardizedLaw(x, y.right, s.right.std, 'channel')
}, 100)

property(test, 'center: the training data comes out with mean 0 per feature, spread unchanged', matrix(), (x) => {
  const s = fitScaler('center', 'feature', x)
  if (E.isLeft(s)) return failed(s.left.expected)
  const y = transformScaler(s.right, x)
  if (E.isLeft(y)) return failed(y.left.expected)
  const [n, d] = x.shape
  for (let j = 0; j < d; j++) {
    let m = 0, mx = 0
    for (let i = 0; i < n; i++) { m += y.right.data[i * d + j]; mx = Math.max(mx, Math.abs(x.data[i * d + j])) }
    // as standardizedLaw's mean bound with std = 1, and max|y| <= 2 max|x|
    if (!(Math.abs(m / n) <= 5 * n * EPS64 * mx)) return failed(`feature ${j}: mean ${m / n}`)
  }
  return s.right.std.data.every((v) => v === 1) ? ok : failed('centering scaled the data')
}, 100)

test('standardize: a constant feature is centred, not divided by zero (MNIST border pixels)', () => {
  const x = fromArray([3, 2], [5, 1, 5, 2, 5, 3])
  const s = fitScaler('standardize', 'feature', x)
  assert.ok(E.isRight(s))
  if (E.isRight(s)) {
    assert.equal(Array.from(s.right.std.data), [1, Math.sqrt(2 / 3)])
    const y = transformScaler(s.right, x)
    assert.ok(E.isRight(y) && y.right.data[0] === 0 && y.right.data[2] === 0 && y.right.data[4] === 0)
  }
})

/** N >= D + 2 rows: a covariance of full rank for the whitening law, up to rare draws filtered below. */
const pcaData = matrix({ minRows: 6 }).filter((x) => {
  const c = covariance(x)
  const d = x.shape[1]
  const e = symmetricEigen(c, d).values
  return e[d - 1] > 1e-3 * e[0]
})

property(test, 'PCA: the rotated training data has the diagonal covariance diag(variances)', pcaData, (x) => {
  const p = fitPca(x, { whiten: false })
  if (E.isLeft(p)) return failed(p.left.expected)
  const y = transformPca(p.right, x)
  if (E.isLeft(y)) return failed(y.left.expected)
  const xc = make(x.shape, x.data.map((v, i) => v - p.right.mean.data[i % x.shape[1]]))
  return pcaLaw(xc, y.right, p.right.variances, false)
}, 60)

property(test, 'PCA whitening (eps 0): the whitened training data has the identity covariance', pcaData, (x) => {
  const p = fitPca(x, { whiten: true, eps: 0 })
  if (E.isLeft(p)) return failed(p.left.expected)
  const y = transformPca(p.right, x)
  if (E.isLeft(y)) return failed(y.left.expected)
  const xc = make(x.shape, x.data.map((v, i) => v - p.right.mean.data[i % x.shape[1]]))
  return pcaLaw(xc, y.right, p.right.variances, true)
}, 60)

property(test, 'eigen: A = V^T diag(values) V with V orthonormal, values descending, within 12 sweeps',
  fc.integer({ min: 1, max: 8 }).chain((d) => fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((seed) => ({ d, seed }))), ({ d, seed }) => {
    const b = normal(keyFromSeed(seed), [d, d])
    const a = new Float64Array(d * d)
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) a[i * d + j] += b.data[i * d + k] * b.data[j * d + k]
    const e = symmetricEigen(a, d)
    let norm = 0
    for (const v of a) norm += v * v
    norm = Math.sqrt(norm)
    // Jacobi is backward stable: each sweep's rotations perturb A by O(D u ||A||) (Golub & Van Loan 8.5);
    // 12 sweeps * 8 D u ||A||, with D^2 entries reconstructed by sums of D terms: 128 D EPS64 ||A|| per entry.
    const tol = 128 * d * EPS64 * Math.max(norm, 1)
    const checks = [e.sweeps <= 12 ? ok : failed(`${e.sweeps} sweeps`)]
    for (let k = 1; k < d; k++) if (!(e.values[k] <= e.values[k - 1])) checks.push(failed(`values not descending at ${k}`))
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let r = 0, o = 0
        for (let k = 0; k < d; k++) { r += e.vectors[k * d + i] * e.values[k] * e.vectors[k * d + j]; o += e.vectors[i * d + k] * e.vectors[j * d + k] }
        if (!(Math.abs(r - a[i * d + j]) <= tol)) checks.push(failed(`reconstruction [${i}, ${j}]: ${r} vs ${a[i * d + j]}`))
        if (!(Math.abs(o - (i === j ? 1 : 0)) <= 128 * d * EPS64)) checks.push(failed(`V V^T [${i}, ${j}] = ${o}`))
      }
    }
    return all(...checks)
  }, 100)

test('PCA keep: the first k columns of the full rotation; images are flattened', () => {
  const x = normal(keyFromSeed(5), [20, 1, 2, 2])
  const full = fitPca(x, { whiten: false }), part = fitPca(x, { whiten: false, keep: 2 })
  assert.ok(E.isRight(full) && E.isRight(part))
  if (E.isRight(full) && E.isRight(part)) {
    const a = transformPca(full.right, x), b = transformPca(part.right, x)
    assert.ok(E.isRight(a) && E.isRight(b))
    if (E.isRight(a) && E.isRight(b)) {
      assert.equal(b.right.shape, [20, 2])
      for (let i = 0; i < 20; i++) assert.equal([b.right.data[2 * i], b.right.data[2 * i + 1]], [a.right.data[4 * i], a.right.data[4 * i + 1]])
    }
  }
  assert.equal(flat(x).shape, [20, 4])
  assert.ok(E.isLeft(fitPca(x, { whiten: false, keep: 5 })))
})

test.run()
