/**
 * Layer-sequential unit-variance initialization (Mishkin & Matas 2016, "All you
 * need is a good init", Algorithm 1), for a stack of dense layers
 *   h_0 = x,  z_l = h_{l-1} W_l^T (+ b_l),  h_l = f(z_l),   W_l [out_l, in_l]:
 *   (1) pre-initialize every W_l orthogonally (./orthogonal.ts)
 *   (2) for l = 1..L, on the calibration batch x:
 *         v = Var(z_l)                  over all B * out_l entries, biased (numpy's .var())
 *         while |v - 1| >= tol and t < maxIter:
 *   (3)     W_l <- W_l / sqrt(v);  t <- t + 1;  v <- Var(z_l) recomputed
 *   (4)   h_l = f(z_l) with the final W_l feeds layer l + 1
 * Var(z_l) is taken on the layer's own output, before the nonlinearity, as the
 * PyTorch ports hook it (the paper's Caffe blob with an in-place ReLU would be
 * after it; without a bias, relu(z) scales with W as z does, so the two targets
 * differ by a factor that rescaling leaves unchanged). Without a
 * bias z_l is linear in W_l, so (3) gives Var = 1 in one step up to rounding;
 * a bias makes it a fixed-point iteration, which is why maxIter exists.
 * Pure: returns new weights and, per layer, the final variance, the number of
 * rescalings and whether |v - 1| < tol was reached. A layer whose output
 * variance is 0 or not finite cannot be rescaled: it is left as is, with
 * converged = false. Defaults: tol 0.1, maxIter 10 (the paper's Tol_var, T_max).
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail, showShape } from '../core/errors.ts'
import { type Key, split } from '../core/random.ts'
import { type Shape, type Tensor, make } from '../core/tensor.ts'
import { ACTIVATIONS, type Activation, activate, denseForward, moments } from './dense.ts'
import { orthogonal } from './orthogonal.ts'
import { checkShape, choiceOption, numberOption } from './shape.ts'

export interface Options {
  readonly activation?: Activation
  readonly tol?: number
  readonly maxIter?: number
  /** fixed biases b_l [out_l], not rescaled (LSUV scales weights only) */
  readonly biases?: readonly (Tensor | undefined)[]
  /** gain of the orthogonal pre-initialization (1) */
  readonly gain?: number
}

export interface Result {
  readonly weights: readonly Tensor[]
  readonly variances: readonly number[]
  readonly iterations: readonly number[]
  readonly converged: readonly boolean[]
}

const OP = 'init.lsuv'

/** (2)-(4): rescale given weights on the batch x [B, in]. */
export const calibrate = (weights: readonly Tensor[], x: Tensor, options: Options = {}): E.Either<OpError, Result> => {
  const act = choiceOption(OP, 'activation', options.activation, ACTIVATIONS, 'linear')
  if (E.isLeft(act)) return act
  const tol = numberOption(OP, 'tol', options.tol, 0.1, { gt: 0 })
  if (E.isLeft(tol)) return tol
  const maxIter = numberOption(OP, 'maxIter', options.maxIter, 10, { min: 0 })
  if (E.isLeft(maxIter)) return maxIter
  if (!Number.isInteger(maxIter.right)) return fail(OP, 'options.maxIter', 'an integer >= 0', String(maxIter.right))
  if (x.shape.length !== 2) return fail(OP, 'x', 'a calibration batch [B, in]', showShape(x.shape))
  if (weights.length === 0) return fail(OP, 'weights', 'at least one layer', 'none')
  const batch = x.shape[0]
  let inF = x.shape[1]
  for (let l = 0; l < weights.length; l++) {
    const w = weights[l]
    if (w.shape.length !== 2 || w.shape[1] !== inF) {
      return fail(OP, `weights[${l}]`, `[out, ${inF}] (dense layers chain: in = previous out)`, showShape(w.shape))
    }
    const b = options.biases?.[l]
    if (b !== undefined && (b.shape.length !== 1 || b.shape[0] !== w.shape[0])) {
      return fail(OP, `options.biases[${l}]`, `[${w.shape[0]}]`, showShape(b.shape))
    }
    inF = w.shape[0]
  }

  const out: Tensor[] = [], variances: number[] = [], iterations: number[] = [], converged: boolean[] = []
  let h = x.data
  for (let l = 0; l < weights.length; l++) {
    const [outF, fin] = weights[l].shape
    const b = options.biases?.[l]
    const forward = (w: Float64Array): Float64Array => {
      const z = denseForward(h, w, batch, fin, outF)
      if (b !== undefined) for (let i = 0; i < z.length; i++) z[i] += b.data[i % outF]
      return z
    }
    let w = weights[l].data
    let z = forward(w)
    let v = moments(z).variance // (2)
    let t = 0
    while (Math.abs(v - 1) >= tol.right && t < maxIter.right && v > 0 && Number.isFinite(v)) {
      const c = 1 / Math.sqrt(v)
      const next = new Float64Array(w.length)
      for (let i = 0; i < w.length; i++) next[i] = w[i] * c // (3)
      w = next
      t++
      z = forward(w)
      v = moments(z).variance // (3)
    }
    out.push(make(weights[l].shape, w === weights[l].data ? Float64Array.from(w) : w))
    variances.push(v)
    iterations.push(t)
    converged.push(Math.abs(v - 1) < tol.right)
    h = activate(z, act.right) // (4)
  }
  return E.right({ weights: out, variances, iterations, converged })
}

/** (1)-(4): orthogonal weights of `shapes` ([out, in] each), calibrated on x. */
export const lsuv = (key: Key, shapes: readonly Shape[], x: Tensor, options: Options = {}): E.Either<OpError, Result> => {
  if (shapes.length === 0) return fail(OP, 'shapes', 'at least one layer', 'none')
  const keys = split(key, shapes.length)
  const weights: Tensor[] = []
  for (let l = 0; l < shapes.length; l++) {
    const s = checkShape(OP, shapes[l], 2, `shapes[${l}]`)
    if (E.isLeft(s)) return s
    if (s.right.length !== 2) return fail(OP, `shapes[${l}]`, 'a dense weight [out, in]', showShape(s.right))
    const w = orthogonal(keys[l], s.right, { gain: options.gain ?? 1 }) // (1)
    if (E.isLeft(w)) return w
    weights.push(w.right)
  }
  const r = calibrate(weights, x, options)
  // the weights are ours: a chain mismatch is the caller's shapes[l]
  return E.isLeft(r) && r.left.arg.startsWith('weights[') ? E.left({ ...r.left, arg: r.left.arg.replace('weights', 'shapes') }) : r
}
