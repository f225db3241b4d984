/**
 * Second-order methods: Hessian-vector products, dense Hessians, damped
 * Newton, BFGS, and L-BFGS as torch.optim.LBFGS.
 *
 * API:
 *   Lbfgs.lbfgs(attrs)                    torch.optim.LBFGS with the case format's attribute names
 *     .init(params) -> state              (lr 1, max_iter 20, max_eval floor(max_iter*5/4),
 *     .step(params, state, closure)        tolerance_grad 1e-7, tolerance_change 1e-9,
 *        -> Either<OpError, {params, state, loss}>   history_size 100, line_search_fn null | "strong_wolfe")
 *     closure(params) -> Either<OpError, {loss, grads}>; `loss` returned is the closure's first
 *     loss of the step (a train case's losses[i]). One optimizer, one state, for all k steps.
 *   Lbfgs.stepFlat(config, state, x, closure)   the same on a flat Float64Array
 *   StrongWolfe.strongWolfe(...)          the line search, ported from PyTorch
 *   Hessian.hvp / Hessian.dense           H v from gradients (the ops' VJPs), H for small n
 *   Newton.newton(config)                 damped Newton as {init, update}
 *   Bfgs.bfgs(config), Bfgs.twoLoop       BFGS as {init, update}; the L-BFGS two-loop recursion
 */
export * as Lbfgs from './lbfgs.ts'
export * as StrongWolfe from './strong-wolfe.ts'
export * as Vec from './vec.ts'
export * as Bfgs from './bfgs.ts'
export * as Flat from './flat.ts'
export * as Hessian from './hessian.ts'
export * as Newton from './newton.ts'
