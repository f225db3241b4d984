/**
 * Helpers the loss laws share: run an op to its loss and gradients as a value
 * (never a throw), compare two float64 evaluations of one real quantity with
 * an argued tolerance, and the arbitraries for class-index cases.
 *
 * (These would sit in spec/laws/ beside the gradient law; that folder is
 * shared core, so they live with the family for now.)
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { formatError } from '../../src/core/errors.ts'
import { type Op, type Tensors, vjp } from '../../src/core/op.ts'
import { type Tensor, fromArray, ones, sizeOf } from '../../src/core/tensor.ts'
import { labels, tensorOf } from '../laws/arbitraries.ts'
import { type Verdict, failed, ok } from '../laws/result.ts'
import { EPS64, TOL } from '../laws/tolerance.ts'

export type Attrs = Readonly<Record<string, unknown>>
export interface Evaluated { readonly loss: Tensor; readonly grads: Tensors }

/** Forward and VJP of `op`; the cotangent defaults to ones (the gradient of the loss itself). */
export const evaluate = (op: Op, attrs: Attrs, inputs: Tensors, cot?: Tensor): E.Either<string, Evaluated> => {
  const a = op.parseAttrs(attrs)
  if (E.isLeft(a)) return E.left(formatError(a.left))
  const f = op.forward(a.right, inputs)
  if (E.isLeft(f)) return E.left(formatError(f.left))
  const loss = f.right.outputs.loss
  const r = vjp(op, a.right, inputs, { loss: cot ?? ones(loss.shape) })
  return E.isLeft(r) ? E.left(formatError(r.left)) : E.right({ loss, grads: r.right.gradients })
}

/** Run a law on evaluated ops; an error value becomes a failed verdict. */
export const withEvaluated = (rs: readonly E.Either<string, Evaluated>[], law: (es: Evaluated[]) => Verdict): Verdict => {
  const bad = rs.find(E.isLeft)
  if (bad !== undefined && E.isLeft(bad)) return failed(`op returned an error: ${bad.left}`)
  return law(rs.map((r) => (r as E.Right<Evaluated>).right))
}

/**
 * Tolerance for two float64 evaluations of one real number that is a sum of
 * at most m terms whose absolute values add up to at most S. Each term carries
 * a relative error of at most OP_ULPS ulps (exp/log chains, a few products);
 * the naive sum adds at most m * EPS64 * S (Higham, eq. 3.5). Each side is
 * within (m + OP_ULPS) * EPS64 * S of the real value, so they agree within
 * twice that.
 */
export const roundingTol = (m: number, s: number): number => 2 * (m + TOL.OP_ULPS) * EPS64 * s

/** Elementwise |a - b| <= tol; NaN agrees only with NaN, an infinity with itself. */
export const agree = (what: string, a: ArrayLike<number>, b: ArrayLike<number>, tol: number): Verdict => {
  if (a.length !== b.length) return failed(`${what}: ${a.length} elements against ${b.length}`)
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i]
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (Number.isNaN(x) && Number.isNaN(y)) continue
      return failed(`${what}[${i}]: ${x} against ${y}`)
    }
    if (x === y) continue
    if (!(Math.abs(x - y) <= tol)) return failed(`${what}[${i}]: ${x} against ${y}, |diff| ${Math.abs(x - y)} > tol ${tol}`)
  }
  return ok
}

/** A reference log-softmax along axis 1 of [N, C, ...], written independently of the op's. */
export const logSoftmaxRef = (x: Tensor): Tensor => {
  const [n, c] = x.shape
  const k = sizeOf(x.shape.slice(2))
  const out = new Float64Array(x.data.length)
  for (let a = 0; a < n; a++) {
    for (let j = 0; j < k; j++) {
      const idx = Array.from({ length: c }, (_, cc) => (a * c + cc) * k + j)
      const m = Math.max(...idx.map((f) => x.data[f]))
      const lse = m + Math.log(idx.reduce((s, f) => s + Math.exp(x.data[f] - m), 0))
      for (const f of idx) out[f] = x.data[f] - lse
    }
  }
  return fromArray(x.shape, out)
}

/** max_i |x_i| (0 for no elements). */
export const absMax = (xs: ArrayLike<number>): number => {
  let m = 0
  for (let i = 0; i < xs.length; i++) m = Math.max(m, Math.abs(xs[i]))
  return m
}

// ---------------------------------------------------------------- class-index cases

export interface ClassCase {
  readonly attrs: { ignore_index: number; label_smoothing?: number; reduction: 'mean' | 'sum' | 'none' }
  readonly inputs: { input: Tensor; target: Tensor; weight?: Tensor }
}

export interface ClassCaseOptions {
  /** draw a weight (sometimes) */
  readonly weight?: boolean
  /** draw ignored positions and an ignore_index, possibly a class in [0, C) */
  readonly ignore?: boolean
  /** draw label_smoothing (cross_entropy only) */
  readonly smoothing?: boolean
  readonly reductions?: readonly ('mean' | 'sum' | 'none')[]
  /** at most this many spatial dims after [N, C] (default 2) */
  readonly spatial?: number
  /** values of the input, e.g. log-probabilities for nll_loss */
  readonly input?: (shape: number[]) => fc.Arbitrary<Tensor>
}

/**
 * Cases for the class-index losses. At least one position stays un-ignored,
 * so that a mean is finite (the all-ignored mean has its own named test),
 * and weights are drawn in [0.1, 2] so that D > 0.
 */
export const classCase = (o: ClassCaseOptions = {}): fc.Arbitrary<ClassCase> =>
  fc.record({
    n: fc.integer({ min: 1, max: 3 }),
    c: fc.integer({ min: 1, max: 4 }),
    spatial: fc.array(fc.integer({ min: 1, max: 2 }), { maxLength: o.spatial ?? 2 }),
  }).chain(({ n, c, spatial }) => {
    const shape = [n, c, ...spatial], pshape = [n, ...spatial], p = sizeOf(pshape)
    return fc.record({
      input: o.input ? o.input(shape) : tensorOf(shape),
      target: labels(pshape, c),
      mask: o.ignore ? fc.array(fc.boolean(), { minLength: p, maxLength: p }) : fc.constant(new Array<boolean>(p).fill(false)),
      which: o.ignore ? fc.integer({ min: 0, max: 2 }) : fc.constant(0),
      weight: o.weight ? fc.option(tensorOf([c], { min: 0.1, max: 2 }), { nil: undefined }) : fc.constant(undefined),
      e: o.smoothing ? fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })) : fc.constant(0),
      reduction: fc.constantFrom(...(o.reductions ?? (['mean', 'sum', 'none'] as const))),
    }).map(({ input, target, mask, which, weight, e, reduction }) => {
      let ii = which === 0 ? -100 : which === 1 ? -1 : c - 1
      const t = Float64Array.from(target.data, (y, i) => (mask[i] ? ii : y))
      if (t.every((y) => y === ii)) {
        // un-ignore position 0 with a class other than ii; with one class, and
        // that class ignored, stop ignoring it
        if (c > 1 || ii !== 0) t[0] = ii === 0 ? 1 : 0
        else ii = -100
      }
      return {
        attrs: { ignore_index: ii, ...(o.smoothing ? { label_smoothing: e } : {}), reduction },
        inputs: { input, target: fromArray(pshape, t, 'int64'), ...(weight ? { weight } : {}) },
      }
    })
  })

/** P, C, the weight per class (ones when absent) and D = sum of non-ignored target weights. */
export const classStats = (c: ClassCase): { p: number; cls: number; w: Float64Array; d: number; kept: number } => {
  const { input, target, weight } = c.inputs
  const cls = input.shape[1]
  const w = weight ? weight.data : new Float64Array(cls).fill(1)
  let d = 0, kept = 0
  for (const y of target.data) if (y !== c.attrs.ignore_index) { d += w[y]; kept++ }
  return { p: target.data.length, cls, w, d, kept }
}
