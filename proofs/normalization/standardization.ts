/**
 * The derivation batch, layer, instance and group normalization share: the
 * gradient through a standardization whose statistics come from x itself
 * (src/normalization/standardize.ts (5)). Each op only says which positions
 * form a group k (a channel across the batch, a row, a plane, a block of
 * channels) and which parameter index each position reads; its own file
 * supplies the points, the words, and the bottom line (its op's backward).
 *
 * Per group of m positions, with g = dL/dy the upstream gradient:
 *   (1) mu = (1/m) sum_j x_j,  sigma^2 = (1/m) sum_j (x_j - mu)^2,  r = (sigma^2 + eps)^(-1/2)
 *   (2) xhat_j = (x_j - mu) r,  y_j = gamma_j xhat_j + beta_j,  L = sum_j g_j y_j
 * and the lines below go from a central difference of L to
 *   (3) dL/dx_i = r/m (m ghat_i - sum_j ghat_j - xhat_i sum_j ghat_j xhat_j),  ghat_j = gamma_j g_j
 */
import fc from 'fast-check'
import type { Derivation, Step } from '../derivation.ts'
import { vector } from '../points.ts'
import { type Objective, centralDifferences, differenceTolerance, roundingEach } from '../tolerance.ts'
import { type Expr, add, frac, mul, num, paren, sub, sym } from '../expr.ts'

export interface NormPoint {
  readonly shape: readonly number[]
  readonly x: Float64Array
  /** the upstream gradient dL/dy */
  readonly g: Float64Array
  /** gamma and beta, one per parameter index */
  readonly gamma: Float64Array
  readonly beta: Float64Array
  readonly eps: number
  /** the op's attributes for the library call */
  readonly attrs: Readonly<Record<string, unknown>>
  /** the group k(i) and the parameter index p(i) of each flat position */
  readonly groupOf: Int32Array
  readonly paramOf: Int32Array
  readonly groups: number
  /** the flat positions of each group */
  readonly members: readonly Int32Array[]
}

export interface Layout {
  readonly groupOf: (i: number) => number
  readonly paramOf: (i: number) => number
  readonly groups: number
  /** the number of parameters (gamma's length) */
  readonly params: number
}

/** Smallest group variance drawn: spec/laws/tolerance.ts's M3_REL argument assumes >= 0.05. */
export const MIN_VARIANCE = 0.05

const variances = (x: Float64Array, members: readonly Int32Array[]): number[] =>
  members.map((js) => {
    let mu = 0
    for (const j of js) mu += x[j]
    mu /= js.length
    let v = 0
    for (const j of js) v += (x[j] - mu) ** 2
    return v / js.length
  })

/**
 * Points for a given shape arbitrary: x in [-3, 3], g in [-1, 1], gamma and
 * beta in [-2, 2], eps 1e-5 (the default) or 0.1 (where its place inside the
 * root matters at the 1% level). Groups whose variance is below MIN_VARIANCE
 * are redrawn (a filter: such draws are rare except for groups of 2).
 */
export const normPoints = (
  shapes: fc.Arbitrary<{ shape: number[]; attrs: Record<string, unknown> }>,
  layoutOf: (shape: readonly number[], attrs: Record<string, unknown>) => Layout,
): fc.Arbitrary<NormPoint> =>
  shapes.chain(({ shape, attrs }) => {
    const size = shape.reduce((a, b) => a * b, 1)
    const lay = layoutOf(shape, attrs)
    const groupOf = Int32Array.from({ length: size }, (_, i) => lay.groupOf(i))
    const paramOf = Int32Array.from({ length: size }, (_, i) => lay.paramOf(i))
    const members = Array.from({ length: lay.groups }, (_, k) => Int32Array.from(Array.from(groupOf).flatMap((gk, i) => (gk === k ? [i] : []))))
    return fc.record({
      x: vector(size, -3, 3).filter((x) => variances(x, members).every((v) => v >= MIN_VARIANCE)),
      g: vector(size, -1, 1),
      gamma: vector(lay.params, -2, 2),
      beta: vector(lay.params, -2, 2),
      eps: fc.constantFrom(1e-5, 0.1),
    }).map((r): NormPoint => ({ shape, groupOf, paramOf, groups: lay.groups, members, ...r, attrs: { ...attrs, eps: r.eps } }))
  })

interface Stats { readonly mu: Float64Array; readonly r: Float64Array; readonly xhat: Float64Array }

/** (1)-(2) as written, two passes (the mean first, then squared deviations). */
const standardize = (p: NormPoint, x: Float64Array): Stats => {
  const mu = new Float64Array(p.groups), r = new Float64Array(p.groups), xhat = new Float64Array(x.length)
  p.members.forEach((js, k) => {
    let s = 0
    for (const j of js) s += x[j]
    mu[k] = s / js.length
    let v = 0
    for (const j of js) v += (x[j] - mu[k]) ** 2
    r[k] = 1 / Math.sqrt(v / js.length + p.eps)
    for (const j of js) xhat[j] = (x[j] - mu[k]) * r[k]
  })
  return { mu, r, xhat }
}

/**
 * L(x) = sum_j g_j (gamma_j xhat_j + beta_j), the forward pass (1)-(2) paired
 * with g. Rounding scale: xhat_j carries an absolute error of a few ulps of
 * |xhat_j| + r max|x| (the mean's rounding, <= m eps max|x|, times r), so each
 * term counts |g_j| (|gamma_j| (|xhat_j| + r max|x|) + |beta_j|); n adds the m
 * terms of the mean.
 */
export const objective = (p: NormPoint): Objective => (x) => {
  const { xhat, r } = standardize(p, x)
  const maxAbs = p.members.map((js) => Math.max(...Array.from(js, (j) => Math.abs(x[j]))))
  let f = 0, s = 0, m = 0
  for (let j = 0; j < x.length; j++) {
    const k = p.groupOf[j], gam = p.gamma[p.paramOf[j]], bet = p.beta[p.paramOf[j]]
    f += p.g[j] * (gam * xhat[j] + bet)
    s += Math.abs(p.g[j]) * (Math.abs(gam) * (Math.abs(xhat[j]) + r[k] * maxAbs[k]) + Math.abs(bet))
    m = Math.max(m, p.members[k].length)
  }
  return { f, n: x.length + m, s }
}

const ghat = (p: NormPoint): Float64Array => Float64Array.from(p.g, (gj, j) => p.gamma[p.paramOf[j]] * gj)

/**
 * Rounding of every algebraic line, per element i of group k: the terms of (3)
 * add up to S_k = r (max|ghat| + mean|ghat| + max|xhat| mean|ghat xhat|);
 * sums of m terms give gamma_{m+4}; the statistics carry the rounding of mu
 * (<= m eps max|x|) into xhat amplified by K_k = 1 + r max|x| (conditioning of
 * x - mu when |mu| >> sigma). Count 64 as OP_ULPS, for sqrt, divisions and r^3.
 */
const scale = (p: NormPoint): Float64Array => {
  const { r, xhat } = standardize(p, p.x)
  const gh = ghat(p)
  const out = new Float64Array(p.groups)
  p.members.forEach((js, k) => {
    let maxG = 0, sumG = 0, maxX = 0, sumGX = 0, maxAbsX = 0
    for (const j of js) {
      maxG = Math.max(maxG, Math.abs(gh[j]))
      sumG += Math.abs(gh[j])
      maxX = Math.max(maxX, Math.abs(xhat[j]))
      sumGX += Math.abs(gh[j] * xhat[j])
      maxAbsX = Math.max(maxAbsX, Math.abs(p.x[j]))
    }
    const m = js.length
    out[k] = (m + 4) * (1 + r[k] * maxAbsX) * r[k] * (maxG + sumG / m + (maxX * sumGX) / m)
  })
  return out
}

const scales = new WeakMap<NormPoint, Float64Array>()
const scaleAt = (p: NormPoint, i: number): number => {
  let s = scales.get(p)
  if (s === undefined) { s = scale(p); scales.set(p, s) }
  return s[p.groupOf[i]]
}

export const normTolerance = roundingEach<NormPoint>(64, scaleAt, '64 (m + 4) eps K S per group, S the size of the terms of the compact form, K = 1 + r max|x|')

/** Per-element map over groups: f(i, members of i's group, stats, ghat). */
const perGroup = (p: NormPoint, f: (i: number, js: Int32Array, k: number, st: Stats, gh: Float64Array) => number): Float64Array => {
  const st = standardize(p, p.x)
  const gh = ghat(p)
  const out = new Float64Array(p.x.length)
  p.members.forEach((js, k) => { for (const i of js) out[i] = f(i, js, k, st, gh) })
  return out
}

export interface NormalizationText {
  readonly id: string
  readonly title: string
  readonly intro: string
  readonly outro?: string
  /** the group size's symbol in the op's own header (m, D, S, L) */
  readonly m: string
  /** the bottom line: the op's backward through vjp */
  readonly library: Step<NormPoint>
  readonly variables: fc.Arbitrary<NormPoint>
  readonly runs?: number
}

/** What the last two algebraic lines read at element i of its group: the LaTeX and the value come from one Expr (../expr.ts). */
interface Compact { readonly r: number; readonly m: number; readonly gi: number; readonly xi: number; readonly sg: number; readonly sgx: number }

// #region compact
const R = sym<Compact>('r', (e) => e.r)
const GI = sym<Compact>('\\hat g_i', (e) => e.gi)
const XI = sym<Compact>('\\hat x_i', (e) => e.xi)
const SG = sym<Compact>('\\sum_j \\hat g_j', (e) => e.sg)
const SGX = sym<Compact>('\\sum_j \\hat g_j\\,\\hat x_j', (e) => e.sgx)
/** r (g_i - (1/m) sum g) - (r/m) xhat_i sum g xhat: the line after r^2 is absorbed. */
export const compactA = (m: string): Expr<Compact> => {
  const M = sym<Compact>(m, (e) => e.m)
  return sub(mul(R, paren(sub(GI, mul(frac(num(1), M), SG)))), mul(frac(R, M), XI, SGX))
}
/** (r/m) (m g_i - sum g - xhat_i sum g xhat): (3), the form the library implements. */
export const compactB = (m: string): Expr<Compact> => {
  const M = sym<Compact>(m, (e) => e.m)
  return mul(frac(R, M), paren(sub(sub(mul(M, GI), SG), mul(XI, SGX))))
}
// #endregion compact

/** An Expr over Compact at every element: the group's r, size and two sums, and the element's ghat and xhat. */
const compact = (p: NormPoint, e: Expr<Compact>): Float64Array => perGroup(p, (i, js, k, { r, xhat }, gh) => {
  let sg = 0, sgx = 0
  for (const j of js) { sg += gh[j]; sgx += gh[j] * xhat[j] }
  return e.ev({ r: r[k], m: js.length, gi: gh[i], xi: xhat[i], sg, sgx })
})

export const normalizationDerivation = (t: NormalizationText): Derivation<NormPoint> => {
  const m = t.m
  const steps: Step<NormPoint>[] = [
    {
      latex: `\\frac{\\partial L}{\\partial x_i}, \\qquad L = \\sum_j g_j\\, y_j`,
      reason: 'The backward pass must return the gradient of the pairing of the output with the upstream gradient $g$; this line measures it directly, by a central difference of the forward pass.',
      value: (p) => centralDifferences(objective(p), p.x),
      tolerance: differenceTolerance((p: NormPoint) => p.x, objective),
    },
    {
      latex: `\\sum_j \\hat g_j \\left[ r\\left(\\delta_{ij} - \\frac{1}{${m}}\\right) - \\frac{r^3}{2}\\,(x_j - \\mu)\\,\\frac{\\partial \\sigma^2}{\\partial x_i} \\right], \\qquad \\frac{\\partial \\sigma^2}{\\partial x_i} = \\frac{2}{${m}} \\sum_l (x_l - \\mu)\\left(\\delta_{il} - \\frac{1}{${m}}\\right)`,
      reason: `The chain rule through $y_j = \\gamma_j \\hat x_j + \\beta_j$ gives $\\partial L / \\partial \\hat x_j = \\hat g_j$; the product rule on $\\hat x_j = (x_j - \\mu)\\, r$ uses $\\partial \\mu / \\partial x_i = 1/${m}$ and $\\partial r / \\partial x_i = -\\tfrac12 r^3\\, \\partial \\sigma^2 / \\partial x_i$.`,
      value: (p) => perGroup(p, (i, js, k, { mu, r }, gh) => {
        const n = js.length
        let dvar = 0
        for (const l of js) dvar += (p.x[l] - mu[k]) * ((l === i ? 1 : 0) - 1 / n)
        dvar *= 2 / n
        let s = 0
        for (const j of js) s += gh[j] * (r[k] * ((j === i ? 1 : 0) - 1 / n) - 0.5 * r[k] ** 3 * (p.x[j] - mu[k]) * dvar)
        return s
      }),
    },
    {
      latex: `r\\left(\\hat g_i - \\frac{1}{${m}} \\sum_j \\hat g_j\\right) - \\frac{r^3}{${m}}\\,(x_i - \\mu) \\sum_j \\hat g_j\\,(x_j - \\mu)`,
      reason: `The deviations sum to zero, $\\sum_l (x_l - \\mu) = 0$, so $\\partial \\sigma^2 / \\partial x_i = \\tfrac{2}{${m}}(x_i - \\mu)$; and $\\delta_{ij}$ keeps only the term $j = i$ of the first sum.`,
      value: (p) => perGroup(p, (i, js, k, { mu, r }, gh) => {
        const n = js.length
        let sg = 0, sgd = 0
        for (const j of js) { sg += gh[j]; sgd += gh[j] * (p.x[j] - mu[k]) }
        return r[k] * (gh[i] - sg / n) - (r[k] ** 3 / n) * (p.x[i] - mu[k]) * sgd
      }),
    },
    {
      latex: compactA(m).tex,
      reason: 'Each deviation is $x - \\mu = \\hat x / r$, so the two deviations absorb $r^2$ of the $r^3$.',
      value: (p) => compact(p, compactA(m)),
    },
    {
      latex: compactB(m).tex,
      reason: `Factoring out $r/${m}$ leaves the compact form the library implements: two sums per group and one pass over the elements.`,
      value: (p) => compact(p, compactB(m)),
    },
    t.library,
  ]
  return {
    id: t.id, title: t.title, intro: t.intro, outro: t.outro, variables: t.variables, steps,
    tolerance: normTolerance, runs: t.runs,
  }
}
