/**
 * conv2d's backward (src/convolution/conv2d.ts (3), (4)): the input gradient is
 * a transposed convolution of g with the same weight, and the weight gradient
 * a correlation of the input with g, itself a conv2d.
 */
import fc from 'fast-check'
import { make } from '../../src/core/tensor.ts'
import type { Derivation } from '../derivation.ts'
import { forward, gradients } from '../library.ts'
import { vector } from '../points.ts'
import { type Objective, centralDifferences, differenceTolerance, rounding } from '../tolerance.ts'

interface Geometry {
  readonly n: number; readonly c: number; readonly k: number
  readonly h: number; readonly w: number; readonly kh: number; readonly kw: number
  readonly s: readonly [number, number]; readonly p: readonly [number, number]; readonly d: readonly [number, number]
  readonly ho: number; readonly wo: number
}

interface Point extends Geometry {
  /** x [N, C, H, W], weight [K, C, kh, kw], g [N, K, Ho, Wo], row-major */
  readonly x: Float64Array
  readonly wt: Float64Array
  readonly g: Float64Array
}

const out = (len: number, k: number, s: number, p: number, d: number): number => Math.floor((len + 2 * p - d * (k - 1) - 1) / s) + 1

/**
 * Small geometries with every attribute in play (stride, padding, dilation up
 * to 2, kernels up to 3 x 3) and at least one output position; values in [-1, 1].
 */
const variables: fc.Arbitrary<Point> = fc.record({
  n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 2 }), k: fc.integer({ min: 1, max: 2 }),
  h: fc.integer({ min: 1, max: 5 }), w: fc.integer({ min: 1, max: 5 }),
  kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }),
  s: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
  p: fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 })),
  d: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
}).map((r): Geometry => ({ ...r, ho: out(r.h, r.kh, r.s[0], r.p[0], r.d[0]), wo: out(r.w, r.kw, r.s[1], r.p[1], r.d[1]) }))
  .filter((q) => q.ho >= 1 && q.wo >= 1)
  .chain((q) => fc.record({
    x: vector(q.n * q.c * q.h * q.w, -1, 1),
    wt: vector(q.k * q.c * q.kh * q.kw, -1, 1),
    g: vector(q.n * q.k * q.ho * q.wo, -1, 1),
  }).map((v): Point => ({ ...q, ...v })))

const X = (q: Geometry, n: number, c: number, a: number, b: number) => ((n * q.c + c) * q.h + a) * q.w + b
const W = (q: Geometry, k: number, c: number, i: number, j: number) => ((k * q.c + c) * q.kh + i) * q.kw + j
const G = (q: Geometry, n: number, k: number, oh: number, ow: number) => ((n * q.k + k) * q.ho + oh) * q.wo + ow

/** L = sum g y with y[n,k,oh,ow] = sum_{c,i,j} x[n, c, oh s - p + i d, ow s - p + j d] w[k,c,i,j], taps outside reading 0. */
const pairing = (q: Point, x: Float64Array, wt: Float64Array): { f: number; n: number; s: number } => {
  let f = 0, s = 0
  for (let n = 0; n < q.n; n++) for (let k = 0; k < q.k; k++) for (let oh = 0; oh < q.ho; oh++) for (let ow = 0; ow < q.wo; ow++) {
    let y = 0, ya = 0
    for (let c = 0; c < q.c; c++) for (let i = 0; i < q.kh; i++) for (let j = 0; j < q.kw; j++) {
      const a = oh * q.s[0] - q.p[0] + i * q.d[0], b = ow * q.s[1] - q.p[1] + j * q.d[1]
      if (a >= 0 && a < q.h && b >= 0 && b < q.w) {
        y += x[X(q, n, c, a, b)] * wt[W(q, k, c, i, j)]
        ya += Math.abs(x[X(q, n, c, a, b)] * wt[W(q, k, c, i, j)])
      }
    }
    f += q.g[G(q, n, k, oh, ow)] * y
    s += Math.abs(q.g[G(q, n, k, oh, ow)]) * ya
  }
  // a sum of sums: the rounding scale is the sum of |g x w| over every term,
  // and the longest chain of additions is outputs + taps (Higham 3.5)
  return { f, n: q.n * q.k * q.ho * q.wo + q.c * q.kh * q.kw, s }
}

const inX = (q: Point): Objective => (x) => pairing(q, x, q.wt)
const inW = (q: Point): Objective => (wt) => pairing(q, q.x, wt)

const attrs = (q: Geometry) => ({ stride: [...q.s], padding: [...q.p], dilation: [...q.d] })
const library = (q: Point) => gradients('conv2d', attrs(q), {
  x: make([q.n, q.c, q.h, q.w], q.x), weight: make([q.k, q.c, q.kh, q.kw], q.wt),
}, { y: make([q.n, q.k, q.ho, q.wo], q.g) })

const intro = [
  'A 2-D convolution (a cross-correlation, as in every framework) maps $x$ of shape $[N, C, H, W]$ and a weight $w$ of shape $[K, C, k_h, k_w]$ to',
  '',
  '$$y_{n k o_h o_w} = \\sum_{c,\\, i,\\, j} w_{k c i j}\\; x_{n,\\, c,\\, o_h s - p + i d,\\, o_w s - p + j d},$$',
  '',
  'with stride $s$, zero padding $p$ and dilation $d$ (each per dimension; taps that land in the padding read 0) and $H_{\\text{out}} = \\lfloor (H + 2p - d(k_h - 1) - 1)/s \\rfloor + 1$. Write $g = \\partial L / \\partial y$ for the upstream gradient and $L = \\sum g\\, y$.',
].join('\n')

export const dx: Derivation<Point> = {
  id: 'convolution/conv2d/dx',
  title: 'conv2d backward: the input gradient is a transposed convolution',
  intro,
  variables,
  steps: [
    {
      latex: '\\frac{\\partial L}{\\partial x_{n c a b}}, \\qquad L = \\sum g_{n k o_h o_w}\\, y_{n k o_h o_w}',
      reason: 'The input gradient, measured by a central difference of the forward sum; $L$ is linear in $x$, so the difference has no truncation error, only rounding.',
      value: (q) => centralDifferences(inX(q), q.x),
      tolerance: differenceTolerance((q: Point) => q.x, inX, true),
    },
    {
      latex: '\\sum_{k,\\, o_h,\\, o_w} g_{n k o_h o_w} \\sum_{i,\\, j} w_{k c i j}\\, [\\, o_h s - p + i d = a \\,]\\, [\\, o_w s - p + j d = b \\,]',
      reason: 'Each $y$ is linear in $x$: the derivative of a term in $x_{ncab}$ is its weight when the tap $(i, j)$ lands on $(a, b)$ and 0 otherwise (the brackets are 1 when the condition holds).',
      value: (q) => {
        const dxv = new Float64Array(q.x.length)
        for (let n = 0; n < q.n; n++) for (let c = 0; c < q.c; c++) for (let a = 0; a < q.h; a++) for (let b = 0; b < q.w; b++) {
          let s = 0
          for (let k = 0; k < q.k; k++) for (let oh = 0; oh < q.ho; oh++) for (let ow = 0; ow < q.wo; ow++) {
            for (let i = 0; i < q.kh; i++) for (let j = 0; j < q.kw; j++) {
              if (oh * q.s[0] - q.p[0] + i * q.d[0] === a && ow * q.s[1] - q.p[1] + j * q.d[1] === b) s += q.g[G(q, n, k, oh, ow)] * q.wt[W(q, k, c, i, j)]
            }
          }
          dxv[X(q, n, c, a, b)] = s
        }
        return dxv
      },
    },
    {
      latex: '\\sum_{k,\\, i,\\, j} w_{k c i j}\\; g_{n,\\, k,\\, (a + p - i d)/s,\\, (b + p - j d)/s}',
      reason: 'For each tap $(i, j)$ at most one output position reads $(a, b)$, the one that solves the brackets: $o_h = (a + p - i d)/s$, and the term exists only when that is a whole number in $[0, H_{\\text{out}})$ (likewise $o_w$).',
      value: (q) => {
        const dxv = new Float64Array(q.x.length)
        for (let n = 0; n < q.n; n++) for (let c = 0; c < q.c; c++) for (let a = 0; a < q.h; a++) for (let b = 0; b < q.w; b++) {
          let s = 0
          for (let k = 0; k < q.k; k++) for (let i = 0; i < q.kh; i++) for (let j = 0; j < q.kw; j++) {
            const th = a + q.p[0] - i * q.d[0], tw = b + q.p[1] - j * q.d[1]
            if (th % q.s[0] !== 0 || tw % q.s[1] !== 0) continue
            const oh = th / q.s[0], ow = tw / q.s[1]
            if (oh >= 0 && oh < q.ho && ow >= 0 && ow < q.wo) s += q.wt[W(q, k, c, i, j)] * q.g[G(q, n, k, oh, ow)]
          }
          dxv[X(q, n, c, a, b)] = s
        }
        return dxv
      },
    },
    {
      latex: '\\operatorname{conv\\_transpose2d}\\big(g;\\ w,\\ s,\\ p,\\ d,\\ r\\big)_{n c a b}, \\qquad r = (H + 2p - d(k_h - 1) - 1) \\bmod s',
      reason: 'That sum is the transposed convolution of $g$ with the same weight tensor, stride, padding and dilation: it scatters each $g$ back through the taps that read from $(a, b)$. The output padding $r$ restores the last rows and columns that the floor in $H_{\\text{out}}$ dropped, so the result has $x$\'s shape. Here it is the library\'s `conv_transpose2d` forward.',
      value: (q) => forward('conv_transpose2d', {
        ...attrs(q),
        output_padding: [(q.h + 2 * q.p[0] - q.d[0] * (q.kh - 1) - 1) % q.s[0], (q.w + 2 * q.p[1] - q.d[1] * (q.kw - 1) - 1) % q.s[1]],
      }, { x: make([q.n, q.k, q.ho, q.wo], q.g), weight: make([q.k, q.c, q.kh, q.kw], q.wt) }).y,
    },
    {
      latex: '\\operatorname{vjp}\\big(\\texttt{conv2d},\\ x,\\ w,\\ g\\big)_x',
      reason: 'The library\'s backward, `src/convolution/conv2d.ts` (3), through `vjp` with the op from the registry.',
      value: (q) => library(q).x,
    },
  ],
  // Each line sums at most T = K kh kw products of numbers in [-1, 1], so
  // |terms| sum to <= T and the sum's rounding is <= T eps T (Higham 3.5);
  // 4 (T + 4) T eps covers the order of summation of any of the lines.
  tolerance: rounding(4, (q: Point) => (q.k * q.kh * q.kw + 4) * q.k * q.kh * q.kw, '4 (T + 4) T eps, T = K kh kw terms of size <= 1'),
  outro: 'With stride 1, no padding and no dilation this is the familiar "full correlation of $g$ with the flipped kernel"; the transposed convolution is the form that stays true for every stride, padding and dilation, which is why the library\'s `conv_transpose2d` and conv2d\'s backward share one loop nest (`src/convolution/correlation.ts`).',
}

/** dW[k,c,i,j] read off conv2d(x^T; g^T) [C, K, H', W'] (stride and dilation exchanged), cut to kh x kw. */
const dwAsConv = (q: Point): Float64Array => {
  const xT = new Float64Array(q.x.length), gT = new Float64Array(q.g.length)
  for (let n = 0; n < q.n; n++) for (let c = 0; c < q.c; c++) for (let f = 0; f < q.h * q.w; f++) xT[(c * q.n + n) * q.h * q.w + f] = q.x[(n * q.c + c) * q.h * q.w + f]
  for (let n = 0; n < q.n; n++) for (let k = 0; k < q.k; k++) for (let f = 0; f < q.ho * q.wo; f++) gT[(k * q.n + n) * q.ho * q.wo + f] = q.g[(n * q.k + k) * q.ho * q.wo + f]
  const y = forward('conv2d', { stride: [...q.d], dilation: [...q.s], padding: [...q.p] }, {
    x: make([q.c, q.n, q.h, q.w], xT), weight: make([q.k, q.n, q.ho, q.wo], gT),
  }).y
  const [, , H2, W2] = y.shape
  const dw = new Float64Array(q.wt.length)
  for (let k = 0; k < q.k; k++) for (let c = 0; c < q.c; c++) for (let i = 0; i < q.kh; i++) for (let j = 0; j < q.kw; j++) {
    dw[W(q, k, c, i, j)] = y.data[((c * q.k + k) * H2 + i) * W2 + j]
  }
  return dw
}

export const dw: Derivation<Point> = {
  id: 'convolution/conv2d/dw',
  title: 'conv2d backward: the weight gradient is a correlation',
  intro: 'Same setting as above; now differentiate $L = \\sum g\\, y$ with respect to the weight.',
  variables,
  steps: [
    {
      latex: '\\frac{\\partial L}{\\partial w_{k c i j}}',
      reason: 'The weight gradient, measured by a central difference of the forward sum; $L$ is linear in $w$, so only rounding remains.',
      value: (q) => centralDifferences(inW(q), q.wt),
      tolerance: differenceTolerance((q: Point) => q.wt, inW, true),
    },
    {
      latex: '\\sum_{n,\\, o_h,\\, o_w} g_{n k o_h o_w}\\; x_{n,\\, c,\\, o_h s - p + i d,\\, o_w s - p + j d}',
      reason: 'Each $y_{nko_ho_w}$ is linear in $w$, and its derivative in $w_{kcij}$ is the input value that tap reads (0 in the padding); the chain rule sums these over all outputs, weighted by $g$.',
      value: (q) => {
        const dwv = new Float64Array(q.wt.length)
        for (let k = 0; k < q.k; k++) for (let c = 0; c < q.c; c++) for (let i = 0; i < q.kh; i++) for (let j = 0; j < q.kw; j++) {
          let s = 0
          for (let n = 0; n < q.n; n++) for (let oh = 0; oh < q.ho; oh++) for (let ow = 0; ow < q.wo; ow++) {
            const a = oh * q.s[0] - q.p[0] + i * q.d[0], b = ow * q.s[1] - q.p[1] + j * q.d[1]
            if (a >= 0 && a < q.h && b >= 0 && b < q.w) s += q.g[G(q, n, k, oh, ow)] * q.x[X(q, n, c, a, b)]
          }
          dwv[W(q, k, c, i, j)] = s
        }
        return dwv
      },
    },
    {
      latex: '\\operatorname{conv2d}\\big(x^{\\top};\\ g^{\\top},\\ \\text{stride } d,\\ \\text{dilation } s,\\ \\text{padding } p\\big)_{c k i j}, \\qquad i < k_h,\\ j < k_w',
      reason: 'That is a correlation of the input with the upstream gradient, so a conv2d: transpose $x$ to $[C, N, H, W]$ and use $g$ transposed to $[K, N, H_{\\text{out}}, W_{\\text{out}}]$ as the weight, so that the batch is summed as channels are; the tap index $i$ now steps by $d$ and the output index $o_h$ by $s$, so stride and dilation trade places. Its output is at least $k_h \\times k_w$; the first $k_h \\times k_w$ entries are the gradient. Here it is the library\'s `conv2d` forward.',
      value: dwAsConv,
    },
    {
      latex: '\\operatorname{vjp}\\big(\\texttt{conv2d},\\ x,\\ w,\\ g\\big)_w',
      reason: 'The library\'s backward, `src/convolution/conv2d.ts` (4), through `vjp` with the op from the registry.',
      value: (q) => library(q).weight,
    },
  ],
  // Each line sums at most T = N Ho Wo products of numbers in [-1, 1]: as for dx.
  tolerance: rounding(4, (q: Point) => (q.n * q.ho * q.wo + 4) * q.n * q.ho * q.wo, '4 (T + 4) T eps, T = N Ho Wo terms of size <= 1'),
  outro: 'The bias gradient is the simplest of the three: $\\partial L / \\partial b_k = \\sum_{n, o_h, o_w} g_{n k o_h o_w}$, since every output of channel $k$ adds $b_k$ once.',
}

export const title = 'conv2d backward: the input and weight gradients'

export const derivations: readonly Derivation[] = [dx, dw]
