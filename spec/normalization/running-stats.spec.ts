/**
 * Batch norm's running statistics converge to the population's mean and
 * variance under repeated training batches from a fixed distribution: a
 * statistical law, run from a fixed key, with its bound derived here.
 *
 * Setup: C = 3 channels, channel c ~ N(mu_c, sigma_c^2) independently;
 * batches x [2, C, 2], so n = 4 values per channel; momentum m = 0.001;
 * k = 25000 updates from PyTorch's initial running_mean 0, running_var 1.
 *
 * After k updates R_k = (1-m)^k R_0 + sum_{j=1..k} w_j B_j, w_j = m (1-m)^(k-j),
 * B_j the batch statistic (mean, or UNBIASED variance s^2). Since
 * sum w_j = 1 - (1-m)^k and E B_j = target,
 *   E R_k - target = (1-m)^k (R_0 - target)             (transient: e^-25 |R_0 - target| here)
 *   sum w_j^2 = m (1 - (1-m)^(2k)) / (2 - m) =: W        (about m/2 = 5e-4)
 * Mean: batch means are exactly N(mu, sigma^2/n), so R_k - E R_k is Gaussian
 *   with standard deviation sigma sqrt(W/n); |Z| > 6.5 has probability
 *   erfc(6.5/sqrt 2) = 8.0e-11.
 * Variance: s^2 = sigma^2/(n-1) chi^2_(n-1), so R_k - E R_k = sum a_i (Z_i^2 - 1)
 *   over k (n-1) standard normals, with a = w_j sigma^2/(n-1) for the n-1
 *   normals of batch j: |a|_2 = sigma^2 sqrt(W/(n-1)), |a|_inf = sigma^2 m/(n-1).
 *   Laurent & Massart (2000, Lemma 1): P(sum >= 2|a|_2 sqrt(t) + 2|a|_inf t) <= e^-t
 *   and P(sum <= -2|a|_2 sqrt(t)) <= e^-t. With t = 23.1 each tail is 9.3e-11.
 * Union over 3 channels and both statistics: 3 (8.0e-11 + 2 * 9.3e-11) = 8.0e-10
 * < 1e-9, the chance that a correct op fails on a key drawn at random.
 * (The normals are Box-Muller from 53-bit uniforms, cut off at |z| <= 8.6:
 * lighter tails than the bounds assume, never heavier.)
 *
 * What a wrong op does: a BIASED running variance converges to (n-1)/n sigma^2,
 * 0.25 sigma^2 low, while the lower bound allows 2|a|_2 sqrt(t) = 0.124 sigma^2;
 * momentum applied to the old value (0.999 here) leaves R_k one batch's worth
 * of noise (sd sigma/2 for the mean, against 0.073 sigma allowed).
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { foldIn, keyFromSeed, normal } from '../../src/core/random.ts'
import { type Tensor, fromArray, make } from '../../src/core/tensor.ts'
import * as BatchNorm from '../../src/normalization/batch-norm.ts'

const test = suite('batch_norm running statistics')

const MU = [0.5, -2, 3], SIGMA = [1, 0.5, 2]
const C = 3, N = 2, S = 2, n = N * S
const MOMENTUM = 0.001, K = 25000
const T_GAUSS = 6.5, T_CHI = 23.1

test('batch_norm: running statistics converge to the population mean and variance (k = 25000, momentum 0.001; bound in the header)', () => {
  const attrs = BatchNorm.op.parseAttrs({ training: true, momentum: MOMENTUM })
  assert.ok(E.isRight(attrs))
  if (E.isLeft(attrs)) return
  const key = keyFromSeed(0x6e6f726d)
  let runningMean: Tensor = fromArray([C], [0, 0, 0]), runningVar: Tensor = fromArray([C], [1, 1, 1])
  for (let j = 0; j < K; j++) {
    const z = normal(foldIn(key, j), [N, C, S])
    const x = make([N, C, S], z.data.map((v, i) => MU[Math.floor(i / S) % C] + SIGMA[Math.floor(i / S) % C] * v))
    const r = BatchNorm.op.forward(attrs.right, { x, running_mean: runningMean, running_var: runningVar })
    if (E.isLeft(r)) throw new Error(JSON.stringify(r.left))
    runningMean = r.right.outputs.running_mean
    runningVar = r.right.outputs.running_var
  }
  const decay = (1 - MOMENTUM) ** K
  const W = (MOMENTUM * (1 - (1 - MOMENTUM) ** (2 * K))) / (2 - MOMENTUM)
  for (let c = 0; c < C; c++) {
    const s2 = SIGMA[c] ** 2
    const meanDev = runningMean.data[c] - MU[c]
    const meanBound = decay * Math.abs(0 - MU[c]) + T_GAUSS * SIGMA[c] * Math.sqrt(W / n)
    assert.ok(Math.abs(meanDev) <= meanBound, `channel ${c}: running_mean ${runningMean.data[c]}, population ${MU[c]}, allowed +-${meanBound}`)
    const a2 = s2 * Math.sqrt(W / (n - 1)), aInf = (s2 * MOMENTUM) / (n - 1)
    const varDev = runningVar.data[c] - s2
    const transient = decay * Math.abs(1 - s2)
    const upper = transient + 2 * a2 * Math.sqrt(T_CHI) + 2 * aInf * T_CHI
    const lower = transient + 2 * a2 * Math.sqrt(T_CHI)
    assert.ok(varDev <= upper && -varDev <= lower, `channel ${c}: running_var ${runningVar.data[c]}, population ${s2}, allowed [-${lower}, +${upper}]`)
  }
})

test.run()
