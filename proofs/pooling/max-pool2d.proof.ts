/**
 * max_pool2d's backward (src/pooling/max-pool2d.ts (4)): the gradient of each
 * window goes to its argmax, the index the forward pass records.
 */
import fc from 'fast-check'
import { make } from '../../src/core/tensor.ts'
import type { Derivation } from '../derivation.ts'
import { forward, gradients } from '../library.ts'
import { distinct, vector } from '../points.ts'
import { type Objective, centralDifferences, differenceTolerance, rounding } from '../tolerance.ts'

interface Geometry {
  readonly n: number; readonly c: number; readonly h: number; readonly w: number
  readonly k: readonly [number, number]; readonly s: readonly [number, number]
  readonly p: readonly [number, number]; readonly d: readonly [number, number]
  readonly ho: number; readonly wo: number
}
interface Point extends Geometry { readonly x: Float64Array; readonly g: Float64Array }

const out = (len: number, k: number, s: number, p: number, d: number): number => Math.floor((len + 2 * p - d * (k - 1) - 1) / s) + 1

/**
 * Windows up to 3 x 3 with stride, padding (at most half the kernel, as
 * PyTorch requires) and dilation, over planes up to 5 x 5. The inputs are
 * distinct multiples of 0.05: no ties, and no kink within a difference step
 * (h <= 1e-5 max(1, |x|) < 2.1e-4, far below half the gap 0.025), so the
 * pooled map is linear around every point drawn.
 */
const variables: fc.Arbitrary<Point> = fc.record({
  n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 2 }),
  h: fc.integer({ min: 1, max: 5 }), w: fc.integer({ min: 1, max: 5 }),
  k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  s: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  p: fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 })),
  d: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
}).filter((r) => 2 * r.p[0] <= r.k[0] && 2 * r.p[1] <= r.k[1])
  .map((r): Geometry => ({ ...r, ho: out(r.h, r.k[0], r.s[0], r.p[0], r.d[0]), wo: out(r.w, r.k[1], r.s[1], r.p[1], r.d[1]) }))
  .filter((q) => q.ho >= 1 && q.wo >= 1)
  .chain((q) => fc.record({ x: distinct(q.n * q.c * q.h * q.w, 0.05), g: vector(q.n * q.c * q.ho * q.wo, -1, 1) }).map((v): Point => ({ ...q, ...v })))

/** The flat positions (a W + b) of window (oh, ow)'s taps that lie inside the image. */
const taps = (q: Geometry, oh: number, ow: number): number[] => {
  const t: number[] = []
  for (let i = 0; i < q.k[0]; i++) for (let j = 0; j < q.k[1]; j++) {
    const a = oh * q.s[0] - q.p[0] + i * q.d[0], b = ow * q.s[1] - q.p[1] + j * q.d[1]
    if (a >= 0 && a < q.h && b >= 0 && b < q.w) t.push(a * q.w + b)
  }
  return t
}

const planes = (q: Geometry) => q.n * q.c

/** L = sum g y, y the maximum over each window's taps inside the image (padding never wins). */
const loss = (q: Point): Objective => (x) => {
  let f = 0, s = 0
  for (let pl = 0; pl < planes(q); pl++) for (let oh = 0; oh < q.ho; oh++) for (let ow = 0; ow < q.wo; ow++) {
    const ts = taps(q, oh, ow)
    if (ts.length === 0) continue
    const y = Math.max(...ts.map((t) => x[pl * q.h * q.w + t]))
    const t = q.g[(pl * q.ho + oh) * q.wo + ow] * y
    f += t
    s += Math.abs(t)
  }
  return { f, n: planes(q) * q.ho * q.wo, s }
}

const attrs = (q: Geometry) => ({ kernel_size: [...q.k], stride: [...q.s], padding: [...q.p], dilation: [...q.d] })
const shape = (q: Geometry) => [q.n, q.c, q.h, q.w]

export const derivation: Derivation<Point> = {
  id: 'pooling/max-pool2d',
  title: 'Max pooling backward: the gradient goes to the argmax',
  intro: [
    'Max pooling slides a window over each plane of $x$ (shape $[N, C, H, W]$) and keeps the largest value it sees:',
    '',
    '$$y_{o_h o_w} = \\max_{t \\in \\mathcal W(o_h, o_w)} x_t, \\qquad \\mathcal W(o_h, o_w) = \\{ (o_h s - p + i d,\\ o_w s - p + j d) : i < k_h,\\ j < k_w \\} \\cap \\text{image},$$',
    '',
    'with stride $s$, padding $p$ and dilation $d$ (padding never wins: it acts as $-\\infty$). The forward pass also records $\\operatorname{idx}_{o_h o_w}$, the flat index $a W + b$ of the winner. With $g = \\partial L / \\partial y$ and $L = \\sum g\\, y$, the claim is that each window sends its $g$ to its winner and nothing elsewhere.',
  ].join('\n'),
  variables,
  steps: [
    {
      latex: '\\frac{\\partial L}{\\partial x_{ab}}, \\qquad L = \\sum_{o_h, o_w} g_{o_h o_w}\\, y_{o_h o_w}',
      reason: 'The input gradient, measured by a central difference of the forward pass; with no ties, every maximum is the same input throughout the step, so $L$ is linear there and the difference has only rounding error.',
      value: (q) => centralDifferences(loss(q), q.x),
      tolerance: differenceTolerance((q: Point) => q.x, loss, true),
    },
    {
      latex: '\\sum_{o_h, o_w :\\ (a, b) \\in \\mathcal W(o_h, o_w)} g_{o_h o_w} \\left[\\, x_{ab} = \\max_{t \\in \\mathcal W(o_h, o_w)} x_t \\,\\right]',
      reason: 'Near a point without ties, the maximum of a window is the one input that attains it, whose derivative is 1 in that input and 0 in the others; the chain rule adds up the windows that contain $(a, b)$.',
      value: (q) => {
        const dx = new Float64Array(q.x.length)
        for (let pl = 0; pl < planes(q); pl++) for (let oh = 0; oh < q.ho; oh++) for (let ow = 0; ow < q.wo; ow++) {
          const ts = taps(q, oh, ow)
          const top = Math.max(...ts.map((t) => q.x[pl * q.h * q.w + t]))
          for (const t of ts) if (q.x[pl * q.h * q.w + t] === top) dx[pl * q.h * q.w + t] += q.g[(pl * q.ho + oh) * q.wo + ow]
        }
        return dx
      },
    },
    {
      latex: '\\sum_{o_h, o_w} g_{o_h o_w} \\left[\\, a W + b = \\operatorname{idx}_{o_h o_w} \\,\\right]',
      reason: 'The input that attains the maximum is the winner the library\'s forward pass records in `indices`: the gradient is routed to it, and overlapping windows that share a winner add up.',
      value: (q) => {
        const idx = forward('max_pool2d', attrs(q), { x: make(shape(q), q.x) }).indices.data
        const dx = new Float64Array(q.x.length)
        for (let o = 0; o < idx.length; o++) {
          const pl = Math.floor(o / (q.ho * q.wo))
          if (idx[o] >= 0) dx[pl * q.h * q.w + idx[o]] += q.g[o]
        }
        return dx
      },
    },
    {
      latex: '\\operatorname{vjp}\\big(\\texttt{max\\_pool2d},\\ x,\\ g\\big)_{ab}',
      reason: 'The library\'s backward, `src/pooling/max-pool2d.ts` (4), through `vjp` with the op from the registry.',
      value: (q) => gradients('max_pool2d', attrs(q), { x: make(shape(q), q.x) }, { y: make([q.n, q.c, q.ho, q.wo], q.g) }).x,
    },
  ],
  // Each entry adds at most T = Ho Wo upstream values in [-1, 1]: <= T eps T (Higham 3.5).
  tolerance: rounding(4, (q: Point) => (q.ho * q.wo + 4) * q.ho * q.wo, '4 (T + 4) T eps, T = Ho Wo terms of size <= 1'),
  outro: 'Only one input per window receives gradient: a max-pooling layer passes nothing back to the three quarters of a $2 \\times 2$ window that lost. At a tie the derivative does not exist; the library, like PyTorch, sends the gradient to the first maximum in window order.',
}

export const derivations: readonly Derivation[] = [derivation]
