/**
 * The strong Wolfe line search of torch.optim.LBFGS (PyTorch 1.13,
 * `_strong_wolfe` and `_cubic_interpolate` in torch/optim/lbfgs.py, after
 * minFunc), ported statement by statement so that float64 runs match.
 * Along d from x with phi(t) = f(x + t d):
 *   (1) sufficient decrease   phi(t) <= phi(0) + c1 t phi'(0)          c1 = 1e-4
 *   (2) curvature (strong)    |phi'(t)| <= -c2 phi'(0)                  c2 = 0.9
 * Bracketing phase: extrapolate by cubic interpolation within
 * [t + 0.01 (t - t_prev), 10 t] until (1) fails, phi stops decreasing, (2)
 * holds or phi' >= 0; zoom phase: cubic interpolation inside the bracket,
 * pushed 10% in from its ends when progress is insufficient, until (1)-(2)
 * hold, the bracket is shorter than tolerance_change / max|d|, or 25
 * evaluations.
 * Python's min/max return their first argument on ties and NaN comparisons;
 * pyMin/pyMax keep that.
 */
import { type Vec, absMax, dot } from './vec.ts'

const pyMax = (a: number, b: number): number => (b > a ? b : a)
const pyMin = (a: number, b: number): number => (b < a ? b : a)

// #region cubic
/** Minimizer of the cubic through (x1, f1, g1), (x2, f2, g2), clamped to bounds (default [min, max] of x1, x2). */
export const cubicInterpolate = (x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: readonly [number, number]): number => {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1])
  const d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
  const d2sq = d1 * d1 - g1 * g2
  if (d2sq >= 0) {
    const d2 = Math.sqrt(d2sq)
    const minPos = x1 <= x2
      ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
      : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return pyMin(pyMax(minPos, lo), hi)
  }
  return (lo + hi) / 2
}
// #endregion cubic

/** phi at step t along d from x: the loss and the gradient at x + t d. */
export type Directional = (x: Vec, t: number, d: Vec) => { readonly loss: number; readonly grad: Vec }

export interface Result { readonly loss: number; readonly grad: Vec; readonly t: number; readonly evals: number }

export const strongWolfe = (obj: Directional, x: Vec, t0: number, d: Vec, f: number, g: Vec, gtd: number,
  c1 = 1e-4, c2 = 0.9, toleranceChange = 1e-9, maxLs = 25): Result => {
  let t = t0
  const dNorm = absMax(d)
  let { loss: fNew, grad: gNew } = obj(x, t, d)
  let evals = 1
  let gtdNew = dot(gNew, d)
  let tPrev = 0, fPrev = f, gPrev = g, gtdPrev = gtd
  let done = false
  let lsIter = 0
  let bracket: number[] = [], bf: number[] = [], bg: Vec[] = [], bgtd: number[] = []
  // #region bracket
  while (lsIter < maxLs) {
    if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) { // (1) fails or no decrease
      bracket = [tPrev, t]; bf = [fPrev, fNew]; bg = [gPrev, gNew]; bgtd = [gtdPrev, gtdNew]
      break
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) { // (2)
      bracket = [t]; bf = [fNew]; bg = [gNew]
      done = true
      break
    }
    if (gtdNew >= 0) {
      bracket = [tPrev, t]; bf = [fPrev, fNew]; bg = [gPrev, gNew]; bgtd = [gtdPrev, gtdNew]
      break
    }
    const minStep = t + 0.01 * (t - tPrev)
    const maxStep = t * 10
    const tmp = t
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep])
    tPrev = tmp; fPrev = fNew; gPrev = gNew; gtdPrev = gtdNew
    ;({ loss: fNew, grad: gNew } = obj(x, t, d))
    evals += 1
    gtdNew = dot(gNew, d)
    lsIter += 1
  }
  if (lsIter === maxLs) { bracket = [0, t]; bf = [f, fNew]; bg = [g, gNew] }
  // #endregion bracket
  // #region zoom
  let insufProgress = false
  let [low, high] = bf[0] <= bf[bf.length - 1] ? [0, 1] : [1, 0]
  while (!done && lsIter < maxLs) {
    if (Math.abs(bracket[1] - bracket[0]) * dNorm < toleranceChange) break
    t = cubicInterpolate(bracket[0], bf[0], bgtd[0], bracket[1], bf[1], bgtd[1])
    const bMax = pyMax(bracket[0], bracket[1]), bMin = pyMin(bracket[0], bracket[1])
    const eps = 0.1 * (bMax - bMin)
    if (pyMin(bMax - t, t - bMin) < eps) {
      if (insufProgress || t >= bMax || t <= bMin) {
        t = Math.abs(t - bMax) < Math.abs(t - bMin) ? bMax - eps : bMin + eps
        insufProgress = false
      } else {
        insufProgress = true
      }
    } else {
      insufProgress = false
    }
    ;({ loss: fNew, grad: gNew } = obj(x, t, d))
    evals += 1
    gtdNew = dot(gNew, d)
    lsIter += 1
    if (fNew > f + c1 * t * gtd || fNew >= bf[low]) {
      bracket[high] = t; bf[high] = fNew; bg[high] = gNew; bgtd[high] = gtdNew
      ;[low, high] = bf[0] <= bf[1] ? [0, 1] : [1, 0]
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) {
        done = true
      } else if (gtdNew * (bracket[high] - bracket[low]) >= 0) {
        bracket[high] = bracket[low]; bf[high] = bf[low]; bg[high] = bg[low]; bgtd[high] = bgtd[low]
      }
      bracket[low] = t; bf[low] = fNew; bg[low] = gNew; bgtd[low] = gtdNew
    }
  }
  // #endregion zoom
  return { loss: bf[low], grad: bg[low], t: bracket[low], evals }
}
