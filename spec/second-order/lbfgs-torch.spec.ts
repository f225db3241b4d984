/**
 * torch.optim.LBFGS (PyTorch 1.13, float64) pinned: the oracle's port takes
 * the same optimizer.step(closure) calls on the fixture's problems and must
 * land on the same losses, parameters and evaluation counters.
 *
 * Tolerance. The port performs PyTorch's operations in PyTorch's order except
 * for (a) dot products and sums, which torch reduces in another order (BLAS,
 * vectorized lanes) and (b) `p.add_(d, alpha=t)`, which torch may fuse. Each
 * differs by a few ulps per operation. L-BFGS is a contraction near the
 * minimum on the least-squares problem, so those differences stay at the
 * level of the rounding of the iterates: 1e-12 relative to max(1, |value|)
 * leaves a factor ~1e3 above it. The counters (evaluations, iterations) are
 * discrete decisions and must agree exactly: a planted bug in any branch of
 * the line search or of the stopping rules changes them or moves the
 * parameters far beyond the tolerance. The tanh network is not a contraction
 * (its run climbs out of one basin into another), so rounding differences
 * can grow; its tolerance is 1e-9 and the counters must still agree exactly.
 */
import { readFileSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { fromArray } from '../../src/core/tensor.ts'
import { Lbfgs, StrongWolfe } from '../../src/second-order/index.ts'
import type { Params } from '../../src/optimizers/optimizer.ts'
import { type Closure, leastSquares, mlp } from './problems.ts'

const test = suite('second-order: L-BFGS against PyTorch')

const fixture = JSON.parse(readFileSync(new URL('./torch-1.13-lbfgs.json', import.meta.url), 'utf8'))

for (const run of fixture.runs) {
  test(`torch.optim.LBFGS ${run.id} ${JSON.stringify(run.attrs)}: ${run.steps.length} steps`, () => {
    const opt = Lbfgs.lbfgs(run.attrs)
    if (E.isLeft(opt)) return assert.unreachable(JSON.stringify(opt.left))
    let params: Params = Object.fromEntries(Object.entries(run.shapes as Record<string, number[]>).map(([k, s]) => [k, fromArray(s, run.start[k])]))
    let state = opt.right.init(params)
    const rel = run.problem === 'mlp' ? 1e-8 : 1e-12
    run.steps.forEach((expected: { loss: number; params: Record<string, number[]>; func_evals: number; n_iter: number }, k: number) => {
      const closure: Closure = run.problem === 'mlp' ? mlp(run.data.X[k], run.data.Y[k]) : leastSquares(run.data.A, run.data.b, 5)
      const r = opt.right.step(params, state, closure)
      if (E.isLeft(r)) return assert.unreachable(JSON.stringify(r.left))
      params = r.right.params
      state = r.right.state
      const close = (a: number, e: number, what: string) => assert.ok(Math.abs(a - e) <= rel * Math.max(1, Math.abs(e)), `step ${k} ${what}: oracle ${a}, torch ${e}`)
      close(r.right.loss, expected.loss, 'loss')
      for (const [name, vals] of Object.entries(expected.params)) vals.forEach((v, i) => close(params[name].data[i], v, `${name}[${i}]`))
      assert.is(state.funcEvals, expected.func_evals, `step ${k} func_evals`)
      assert.is(state.nIter, expected.n_iter, `step ${k} n_iter`)
    })
  })
}

/** The one-dimensional functions of the fixture's line searches, with their derivatives. */
const LINE: Record<string, (x: number) => [number, number]> = {
  'steep-valley': (x) => [Math.exp(2 * (x - 2)) + Math.exp(-3 * (x - 2)) - 2 * x, 2 * Math.exp(2 * (x - 2)) - 3 * Math.exp(-3 * (x - 2)) - 2],
  sawtooth: (x) => [0.5 * Math.cos(9 * x) - x + 0.05 * x ** 4, -4.5 * Math.sin(9 * x) - 1 + 0.2 * x ** 3],
  cos7: (x) => [2 * Math.cos(7 * x) - x + 0.05 * x ** 4, -14 * Math.sin(7 * x) - 1 + 0.2 * x ** 3],
  cos5: (x) => [2 * Math.cos(5 * x) - x + 0.01 * x ** 4, -10 * Math.sin(5 * x) - 1 + 0.04 * x ** 3],
}

test('the strong Wolfe search agrees with torch\'s _strong_wolfe on one-dimensional functions (zoom branches)', () => {
  assert.ok(fixture.line_searches.length >= 10)
  for (const c of fixture.line_searches) {
    const fn = LINE[c.fn]
    const obj = (x: Float64Array, t: number, d: Float64Array) => { const [f, g] = fn(x[0] + t * d[0]); return { loss: f, grad: Float64Array.of(g) } }
    const [f0, g0] = fn(0)
    const r = StrongWolfe.strongWolfe(obj, Float64Array.of(0), c.t0, Float64Array.of(1), f0, Float64Array.of(g0), g0)
    // exp, sin, cos differ from glibc's by an ulp; the search's decisions are discrete and must agree (evals exactly).
    const close = (a: number, e: number, what: string) => assert.ok(Math.abs(a - e) <= 1e-10 * Math.max(1, Math.abs(e)), `${c.fn} t0 ${c.t0} ${what}: oracle ${a}, torch ${e}`)
    close(r.t, c.t, 't'); close(r.loss, c.loss, 'loss'); close(r.grad[0], c.grad, 'grad')
    assert.is(r.evals, c.evals, `${c.fn} t0 ${c.t0} evals`)
  }
})

test('lbfgs config: defaults, max_eval = floor(max_iter * 5 / 4), and errors as values', () => {
  const c = Lbfgs.config({ max_iter: 7 })
  assert.ok(E.isRight(c) && c.right.max_eval === 8 && c.right.history_size === 100 && c.right.tolerance_grad === 1e-7 && c.right.line_search_fn === null)
  assert.ok(E.isLeft(Lbfgs.config({ line_search_fn: 'backtracking' })))
  assert.ok(E.isLeft(Lbfgs.config({ history: 3 })))
  assert.ok(E.isLeft(Lbfgs.config({ max_iter: 0 })))
  // A step at a stationary point returns without moving; a failing closure is an error value.
  const opt = Lbfgs.lbfgs({})
  if (E.isLeft(opt)) return assert.unreachable()
  const p = { x: fromArray([2], [1, 2]) }
  const still = opt.right.step(p, opt.right.init(p), (q) => E.right({ loss: 3, grads: { x: fromArray([2], [0, 0]) } }))
  assert.ok(E.isRight(still) && still.right.params.x.data[0] === 1 && still.right.state.funcEvals === 1)
  const broken = opt.right.step(p, opt.right.init(p), () => E.left({ _tag: 'Invalid', op: 'x', arg: 'y', expected: 'z', received: 'w' }))
  assert.ok(E.isLeft(broken))
})

test.run()
