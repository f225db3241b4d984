/**
 * Laws of the second-order methods and of first-order rates on quadratics.
 * Problems are drawn from keys (fixed seeds); every tolerance has its argument.
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import * as E from 'fp-ts/lib/Either.js'
import { keyFromSeed, normalArray, split, uniformArray } from '../../src/core/random.ts'
import { fromArray, scalar } from '../../src/core/tensor.ts'
import { vjp } from '../../src/core/op.ts'
import * as Linear from '../../src/layers/linear.ts'
import * as CrossEntropy from '../../src/losses/cross-entropy.ts'
import { sgd } from '../../src/optimizers/sgd.ts'
import type { Optimizer, Params } from '../../src/optimizers/optimizer.ts'
import { Bfgs, Hessian, Newton, Vec } from '../../src/second-order/index.ts'
import { type Verdict, all, failed, ok } from '../laws/result.ts'
import { EPS64 } from '../laws/tolerance.ts'
import { property } from '../support/property.ts'

const test = suite('second-order: laws')
const { dot, matVec, absMax, norm, sub, axpy, cholesky, solve } = Vec
type V = Float64Array

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 })

/** A = Q diag(lams) Q^T with Q a Householder reflection of a random vector: symmetric, eigenvalues exactly lams (to rounding). */
const spd = (s: number, lams: readonly number[]): V => {
  const n = lams.length
  const u = normalArray(keyFromSeed(s), n)
  const uu = dot(u, u)
  const Q = new Float64Array(n * n)
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Q[i * n + j] = (i === j ? 1 : 0) - 2 * u[i] * u[j] / uu
  const A = new Float64Array(n * n)
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let v = 0
    for (let k = 0; k < n; k++) v += Q[i * n + k] * lams[k] * Q[j * n + k]
    A[i * n + j] = v
  }
  return A
}
/** n eigenvalues in [mu, L] including both ends. */
const spectrum = (s: number, n: number, mu: number, L: number): number[] => {
  const u = uniformArray(keyFromSeed(s ^ 0x5bd1e995), n)
  return Array.from({ length: n }, (_, i) => (i === 0 ? mu : i === 1 ? L : mu + (L - mu) * u[i]))
}
const absMat = (A: V): V => A.map(Math.abs)
const vecOf = (s: number, n: number, scale = 1): V => normalArray(keyFromSeed(s), n).map((v) => v * scale)
const params = (x: V): Params => ({ x: fromArray([x.length], x) })
const flatX = (p: Params): V => p.x.data

property(test, 'HVP of a quadratic is A v (the stencil is exact for an affine gradient; only rounding remains)', fc.record({ s: seed, n: fc.integer({ min: 1, max: 6 }) }), ({ s, n }) => {
  const A = spd(s, spectrum(s + 1, n, 0.1, 10)), b = vecOf(s + 2, n), x = vecOf(s + 3, n, 3), v = vecOf(s + 4, n)
  const grad = (z: V) => E.right(sub(matVec(A, z), b))
  const Hv = Hessian.hvp(grad, x, v)
  if (E.isLeft(Hv)) return failed('hvp failed')
  const Av = matVec(A, v)
  // Each gradient entry has error <= (n + 1) EPS64 (|A||z| + |b|)_i; the stencil's weights sum to 18 over 12 h.
  const h = Hessian.STEP * Math.max(1, absMax(x)) / absMax(v)
  const far = axpy(x.map(Math.abs), 2 * h, v.map(Math.abs))
  const dg = matVec(absMat(A), far).map((t, i) => (n + 1) * EPS64 * (t + Math.abs(b[i])))
  return all(...Array.from(Av, (e, i): Verdict => {
    const tol = 1.5 * dg[i] / h * 2 + 4 * EPS64 * matVec(absMat(A), v.map(Math.abs))[i]
    return Math.abs(Hv.right[i] - e) <= tol ? ok : failed(`component ${i}: hvp ${Hv.right[i]}, A v ${e}, tolerance ${tol}`)
  }))
}, 60)

// Softmax regression: f(W) = mean_n CE(W x_n, t_n), gradient from linear's and cross_entropy's own VJPs.
const N = 4, D = 3, C = 3
const ceProblem = (s: number) => {
  const X = fromArray([N, D], uniformArray(keyFromSeed(s), N * D).map((u) => 2 * u - 1))
  const t = fromArray([N], uniformArray(keyFromSeed(s + 1), N).map((u) => Math.floor(u * C)), 'int64')
  const attrs = CrossEntropy.op.parseAttrs({})
  if (E.isLeft(attrs)) throw new Error('attrs')
  const run = (w: V, withGrad: boolean) => {
    const weight = fromArray([C, D], w)
    const lin = vjp(Linear.op, {}, { x: X, weight }, {})
    if (E.isLeft(lin)) return lin
    const ce = vjp(CrossEntropy.op, attrs.right, { input: lin.right.outputs.y, target: t }, withGrad ? { loss: scalar(1) } : {})
    if (E.isLeft(ce)) return ce
    if (!withGrad) return E.right({ loss: ce.right.outputs.loss.data[0], grad: new Float64Array(0) })
    const back = vjp(Linear.op, {}, { x: X, weight }, { y: ce.right.gradients.input })
    return E.map((b: { gradients: Record<string, { data: V }> }) => ({ loss: ce.right.outputs.loss.data[0], grad: b.gradients.weight.data }))(back)
  }
  return { X, run }
}

property(test, 'HVP agrees with central second differences of the loss: u.Hv vs [f(x+hu+hv) - f(x+hu-hv) - f(x-hu+hv) + f(x-hu-hv)] / 4h^2', fc.record({ s: seed }), ({ s }) => {
  const { X, run } = ceProblem(s)
  const w = vecOf(s + 2, C * D), u = vecOf(s + 3, C * D), v = vecOf(s + 4, C * D)
  const f = (z: V) => { const r = run(z, false); if (E.isLeft(r)) throw new Error('f'); return r.right.loss }
  const Hv = Hessian.hvp((z) => E.map((r: { grad: V }) => r.grad)(run(z, true)), w, v)
  if (E.isLeft(Hv)) return failed('hvp failed')
  const uHv = dot(u, Hv.right)
  const h = 1e-4
  const Dm = (f(axpy(axpy(w, h, u), h, v)) - f(axpy(axpy(w, h, u), -h, v)) - f(axpy(axpy(w, -h, u), h, v)) + f(axpy(axpy(w, -h, u), -h, v))) / (4 * h * h)
  // Along any direction z the logits of sample n move by (Z x_n)_c; R bounds that range for u and v.
  // The k-th derivative of log-sum-exp along a direction is the k-th cumulant of a variable whose
  // range is <= 2R, so |f^(k)| <= (2R)^k (mixed ones too), averaged over samples.
  let R = 0
  for (const z of [u, v]) for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
    let a = 0
    for (let d = 0; d < D; d++) a += Math.abs(z[c * D + d] * X.data[n * D + d])
    R = Math.max(R, a)
  }
  const B = (k: number) => (2 * R) ** k
  // Mixed difference: truncation (h^2/6)(f_uuuv + f_uvvv) <= h^2/3 B(4); rounding: four losses each
  // within (N C + 64) EPS64 |f| (log-sum-exp chains), divided by 4h^2, so <= that / h^2.
  const F = Math.abs(f(w)) + 2 * R * h * 4
  const tolD = h * h / 3 * B(4) + (N * C + 64) * EPS64 * F / (h * h)
  // The HVP's stencil: truncation h_g^4/30 B(5) |u|_1 |v|_inf-scaled, rounding 1.5 delta_g / h_g per component.
  const hg = Hessian.STEP * Math.max(1, absMax(w)) / absMax(v)
  const u1 = u.reduce((a, x) => a + Math.abs(x), 0)
  const tolH = u1 * ((hg * absMax(v)) ** 4 / 30 * B(5) / absMax(v) ** 4 + 1.5 * (N * C * D + 64) * EPS64 * 4 / hg)
  const tol = tolD + tolH
  return Math.abs(uHv - Dm) <= tol ? ok : failed(`u.Hv ${uHv}, central differences ${Dm}, tolerance ${tol}`)
}, 40)

const solveOrThrow = (A: V, b: V): V => { const x = solve(A, b); if (x === undefined) throw new Error('singular'); return x }

property(test, 'Newton reaches A^-1 b in one step on 1/2 x^T A x - b^T x, from anywhere', fc.record({ s: seed, n: fc.integer({ min: 1, max: 6 }) }), ({ s, n }) => {
  const A = spd(s, spectrum(s + 1, n, 0.2, 20)), b = vecOf(s + 2, n), x0 = vecOf(s + 3, n, 5)
  const opt = Newton.newton({ hessian: () => E.right(A) })
  if (E.isLeft(opt)) return failed('config')
  const r = opt.right.update(params(sub(matVec(A, x0), b)), null, params(x0))
  if (E.isLeft(r)) return failed(JSON.stringify(r.left))
  const x1 = flatX(r.right.params)
  // Residual of a backward-stable solve plus the subtraction x0 - p: 8 n EPS64 (|A|(|x0| + |x1|) + |b|) per row,
  // with |p| <= |x0| + |x1| (Gaussian elimination with pivoting on an SPD matrix has no growth to speak of).
  const res = sub(matVec(A, x1), b)
  const scaleV = matVec(absMat(A), axpy(x0.map(Math.abs), 1, x1.map(Math.abs)))
  return all(...Array.from(res, (ri, i): Verdict => (Math.abs(ri) <= 8 * n * EPS64 * (2 * scaleV[i] + Math.abs(b[i])) * 4 ? ok : failed(`row ${i}: residual ${ri}`))))
}, 60)

property(test, 'Newton is affine invariant: the step on f(M y + c) from y0 maps to the step on f from M y0 + c', fc.record({ s: seed, n: fc.integer({ min: 1, max: 5 }) }), ({ s, n }) => {
  // f(x) = 1/2 x^T A x + sum log cosh x_i - b^T x: gradient A x + tanh x - b, Hessian A + diag(sech^2 x).
  const A = spd(s, spectrum(s + 1, n, 0.5, 5)), b = vecOf(s + 2, n)
  const gradF = (x: V) => axpy(sub(matVec(A, x), b), 1, x.map(Math.tanh))
  const hessF = (x: V) => A.map((a, k) => (k % (n + 1) === 0 ? a + 1 / Math.cosh(x[k / (n + 1)]) ** 2 : a))
  const M = new Float64Array(n * n).map((_, k) => (k % (n + 1) === 0 ? 1 : 0) + 0.3 * vecOf(s + 5, n * n)[k])
  const c = vecOf(s + 6, n), y0 = vecOf(s + 7, n)
  const MT = new Float64Array(n * n).map((_, k) => M[(k % n) * n + Math.floor(k / n)])
  const mul = (P: V, Q: V) => new Float64Array(n * n).map((_, k) => { let t = 0; for (let j = 0; j < n; j++) t += P[Math.floor(k / n) * n + j] * Q[j * n + (k % n)]; return t })
  const toX = (y: V) => axpy(matVec(M, y), 1, c)
  const x0 = toX(y0)
  const onF = Newton.newton({ hessian: (x) => E.right(hessF(x)) })
  const onG = Newton.newton({ hessian: (y) => E.right(mul(MT, mul(hessF(toX(y)), M))) })
  if (E.isLeft(onF) || E.isLeft(onG)) return failed('config')
  const x1 = onF.right.update(params(gradF(x0)), null, params(x0))
  const y1 = onG.right.update(params(matVec(MT, gradF(x0))), null, params(y0))
  if (E.isLeft(x1) || E.isLeft(y1)) return failed('update')
  const mapped = toX(flatX(y1.right.params)), direct = flatX(x1.right.params)
  // Both solve the same system, one through M^T H M: rounding grows with cond(M)^2 cond(H) <= ~10^2 * 12
  // here (M = I + 0.3 G, n <= 5); 64 n EPS64 times that, relative to the iterate's size, with room.
  const tol = 64 * n * EPS64 * 1e3 * (1 + absMax(direct) + absMax(x0))
  return absMax(sub(mapped, direct)) <= tol ? ok : failed(`M y1 + c = ${Array.from(mapped)}, x1 = ${Array.from(direct)}`)
}, 60)

property(test, 'BFGS update: secant condition H\' y = s, and H\' positive definite when H is and s.y > 0', fc.record({ s: seed, n: fc.integer({ min: 1, max: 6 }) }), ({ s, n }) => {
  const H = spd(s, spectrum(s + 1, n, 0.1, 10))
  const sv = vecOf(s + 2, n)
  let y = vecOf(s + 3, n)
  // keep s.y >= 0.1 |s| |y| (flip or tilt y toward s): the update's condition, away from the ill-conditioned edge
  if (dot(sv, y) < 0.1 * norm(sv) * norm(y)) y = axpy(y, (0.1 * norm(sv) * norm(y) - dot(sv, y)) / dot(sv, sv) * 2, sv)
  const H1 = Bfgs.bfgsUpdate(H, sv, y)
  const H1y = matVec(H1, y)
  const rho = 1 / dot(y, sv), Hy = matVec(H, y)
  // H'y = Hy - rho yHy s - Hy + rho yHy s + s: cancellations of terms up to |Hy| + 2 rho yHy |s| + |s|, each entry a sum of 3n products.
  const tol = (i: number) => 16 * n * EPS64 * (Math.abs(Hy[i]) + 2 * rho * Math.abs(dot(y, Hy)) * Math.abs(sv[i]) + Math.abs(sv[i]) + matVec(absMat(H1), y.map(Math.abs))[i])
  return all(
    ...Array.from(H1y, (v, i): Verdict => (Math.abs(v - sv[i]) <= tol(i) ? ok : failed(`secant row ${i}: ${v} vs ${sv[i]}`))),
    cholesky(H1, n) !== undefined ? ok : failed('H\' is not positive definite'),
  )
}, 80)

/** Strongly convex test function (quadratic + sum log cosh), so every pair has s.y > 0. */
const convex = (s: number, n: number) => {
  const A = spd(s, spectrum(s + 1, n, 0.5, 4)), b = vecOf(s + 2, n)
  return (x: V) => axpy(sub(matVec(A, x), b), 1, x.map(Math.tanh))
}
const runOpt = <S>(opt: Optimizer<S>, grad: (x: V) => V, x0: V, k: number): V[] => {
  let p = params(x0), st = opt.init(p)
  const xs: V[] = []
  for (let i = 0; i < k; i++) {
    const r = opt.update(params(grad(flatX(p))), st, p)
    if (E.isLeft(r)) throw new Error(JSON.stringify(r.left))
    p = r.right.params; st = r.right.state
    xs.push(flatX(p))
  }
  return xs
}

property(test, 'L-BFGS with history >= k equals BFGS from the same start and the same H_0 (k steps)', fc.record({ s: seed, n: fc.integer({ min: 1, max: 6 }), k: fc.integer({ min: 1, max: 7 }), extra: fc.integer({ min: 0, max: 3 }) }), ({ s, n, k, extra }) => {
  const grad = convex(s, n), x0 = vecOf(s + 3, n, 2)
  const b = Bfgs.bfgs({ lr: 0.5, h0: 0.7 }), l = Bfgs.lbfgsUpdate({ lr: 0.5, h0: 0.7, history_size: k + extra, scaling: 'fixed' })
  if (E.isLeft(b) || E.isLeft(l)) return failed('config')
  const xb = runOpt(b.right, grad, x0, k), xl = runOpt(l.right, grad, x0, k)
  // The same H_k g by (1) unrolled vs the recursion: rounding of O(k n) operations on O(1) numbers
  // per step (H_0 and the curvature of f are within [0.5, 5]), carried by a damped iteration: 1e-11 absolute.
  return all(...xb.map((x, i): Verdict => (absMax(sub(x, xl[i])) <= 1e-11 * (1 + absMax(x)) ? ok : failed(`step ${i}: bfgs ${Array.from(x)}, l-bfgs ${Array.from(xl[i])}`))))
}, 60)

property(test, 'BFGS with exact line search minimizes an n-dimensional quadratic in at most n steps', fc.record({ s: seed, n: fc.integer({ min: 1, max: 6 }) }), ({ s, n }) => {
  const A = spd(s, spectrum(s + 1, n, 0.2, 10)), b = vecOf(s + 2, n), x0 = vecOf(s + 3, n, 3)
  const xStar = solveOrThrow(A, b)
  const exact: Bfgs.StepLength = (_x, d, g) => E.right(-dot(g, d) / dot(d, matVec(A, d)))
  const opt = Bfgs.bfgs({ stepLength: exact })
  if (E.isLeft(opt)) return failed('config')
  const xs = runOpt(opt.right, (x) => sub(matVec(A, x), b), x0, n)
  // Finite termination holds in exact arithmetic (conjugate directions). Rounding: each step perturbs the
  // iterate by ~ n cond(A) EPS64 |x| and n steps compound it; cond <= 50, n <= 6: ~1e-12 relative. 1e-9 leaves room.
  const err = absMax(sub(xs[n - 1], xStar)) / Math.max(1, absMax(x0), absMax(xStar))
  return err <= 1e-9 ? ok : failed(`after ${n} steps |x - x*| = ${err} (relative)`)
}, 60)

property(test, 'gradient descent with step 1/L contracts the error by 1 - 1/kappa per step on a quadratic, and attains it', fc.record({ s: seed, n: fc.integer({ min: 2, max: 6 }), kappa: fc.integer({ min: 2, max: 200 }) }), ({ s, n, kappa }) => {
  const lams = spectrum(s + 1, n, 1, kappa), A = spd(s, lams), xs = vecOf(s + 2, n)
  const opt = sgd({ lr: 1 / kappa })
  if (E.isLeft(opt)) return failed('config')
  const grad = (x: V) => matVec(A, sub(x, xs))
  const errs = [vecOf(s + 3, n)].concat(runOpt(opt.right, grad, axpy(xs, 1, vecOf(s + 3, n)), 12).map((x) => sub(x, xs)))
  const q = 1 - 1 / kappa
  // e' = (I - A/L) e exactly in real arithmetic; |I - A/L|_2 = 1 - mu/L. Rounding adds <= 4 n EPS64 (1 + |A|/L) |e|.
  const vs = errs.slice(1).map((e, i): Verdict => (norm(e) <= q * norm(errs[i]) + 8 * n * EPS64 * norm(errs[i]) * 2 + 1e-15 * absMax(xs) ? ok : failed(`step ${i}: |e| ${norm(errs[i])} -> ${norm(e)}, bound factor ${q}`)))
  // Attained: an error along the eigenvector of mu (the reflection's first column image) shrinks by exactly q.
  const u = normalArray(keyFromSeed(s), n), uu = dot(u, u)
  const emu = new Float64Array(n).map((_, i) => (i === 0 ? 1 : 0) - 2 * u[i] * u[0] / uu) // Q's first column: the eigenvector of mu
  const one = runOpt(opt.right, grad, axpy(xs, 1, emu), 1)[0]
  const ratio = norm(sub(one, xs)) / norm(emu)
  vs.push(Math.abs(ratio - q) <= 1e-9 ? ok : failed(`along the mu-eigenvector the ratio is ${ratio}, expected ${q}`))
  return all(...vs)
}, 60)

property(test, 'heavy-ball momentum (PyTorch SGD, optimal lr and momentum) converges at rate rho = (sqrt(kappa) - 1)/(sqrt(kappa) + 1) ~ 1 - 2/sqrt(kappa)', fc.record({ s: seed, n: fc.integer({ min: 2, max: 6 }), kappa: fc.integer({ min: 4, max: 400 }) }), ({ s, n, kappa }) => {
  const A = spd(s, spectrum(s + 1, n, 1, kappa)), xs = vecOf(s + 2, n)
  const sk = Math.sqrt(kappa)
  const alpha = 4 / (sk + 1) ** 2, beta = ((sk - 1) / (sk + 1)) ** 2, rho = Math.sqrt(beta)
  const opt = sgd({ lr: alpha, momentum: beta })
  if (E.isLeft(opt)) return failed('config')
  const e0 = vecOf(s + 3, n)
  const K = 60
  const errs = runOpt(opt.right, (x) => matVec(A, sub(x, xs)), axpy(xs, 1, e0), K).map((x) => sub(x, xs))
  // Per eigenmode lambda, z_k = (e_k, e_(k-1)) = T^k z_0 with T = [[1 + beta - alpha lambda, -beta], [1, 0]],
  // z_0 = (e_0, e_0) (PyTorch's first step starts the buffer at g: x_(-1) = x_0). With these alpha, beta
  // both eigenvalues of T have modulus sqrt(beta) = rho for every lambda in [mu, L], and by Cayley-Hamilton
  //   |T^k| <= k rho^(k-1) |T| + (k - 1) rho^k,   |T| <= |T|_F <= sqrt(beta^2 + 4 beta + 1),
  // so |e_k| <= sqrt(2) (k rho^(k-1) sqrt(beta^2 + 4 beta + 1) + (k - 1) rho^k) |e_0|.
  // At the spectrum's ends the double eigenvalue splits under rounding by ~sqrt(EPS64) ~ 1.5e-8,
  // which over K = 60 steps changes rho^k by < 1e-5 relative: the factor 1.001 covers it.
  const Tn = Math.sqrt(beta * beta + 4 * beta + 1)
  return all(...errs.map((e, i): Verdict => {
    const k = i + 1
    const bound = 1.001 * Math.SQRT2 * (k * rho ** (k - 1) * Tn + (k - 1) * rho ** k) * norm(e0) + 1e-14 * absMax(xs)
    return norm(e) <= bound ? ok : failed(`step ${k}: |e| = ${norm(e)} > ${bound} (rho ${rho})`)
  }))
}, 60)

test.run()
