/**
 * Initialization of a residual block y = x + F(x), F = W_k o f o ... o f o W_1
 * (He et al. 2016), so that the block starts as the identity:
 *   (1) W_1 .. W_{k-1} ~ Kaiming normal (./kaiming.ts: fan_in, gain of f)
 *   (2) W_k = 0                    the last layer of the branch
 *   (3) hence F(x) = 0 and y = x:  Var(F(x) + x) = Var(x) exactly, at any depth
 * The zero goes on the branch's last layer (Goyal et al. 2017 zero the last
 * BN's gamma; Fixup, Zhang et al. 2019, and SkipInit, De & Smith 2020, the
 * last weight or a scalar): a stack of N blocks then starts as the identity
 * instead of multiplying the signal variance by up to (1 + Var F / Var x)^N.
 * The branch still learns: dL/dW_k = G^T h_{k-1} is not zero, since h_{k-1} =
 * f(... W_1 x) is (the first layers being Kaiming), while dL/dW_{<k} = 0 at
 * the first step because the gradient reaching them passes through W_k = 0.
 * Layers may be dense [out, in] or conv [K, C/groups, kh, kw] weights.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail } from '../core/errors.ts'
import { type Key, split } from '../core/random.ts'
import type { Shape, Tensor } from '../core/tensor.ts'
import { zeros } from './constant.ts'
import { type Options as KaimingOptions, kaimingNormal } from './kaiming.ts'

export interface Options extends KaimingOptions {}

/** Weights for the branch's layers, in order; `shapes` lists them first to last. */
// #region residual-block
export const residualBlock = (key: Key, shapes: readonly Shape[], options: Options = {}): E.Either<OpError, Tensor[]> => {
  if (shapes.length === 0) return fail('init.residual', 'shapes', 'at least one layer in the residual branch', 'none')
  const keys = split(key, shapes.length)
  const out: Tensor[] = []
  for (let l = 0; l < shapes.length; l++) {
    const w = l === shapes.length - 1
      ? zeros(keys[l], shapes[l]) // (2)
      : kaimingNormal(keys[l], shapes[l], { nonlinearity: 'relu', ...options }) // (1)
    if (E.isLeft(w)) return E.left({ ...w.left, op: 'init.residual', arg: `shapes[${l}]` })
    out.push(w.right)
  }
  return E.right(out)
}
// #endregion residual-block
