/**
 * Hue, torchvision 0.14 `F.adjust_hue(x, hue_factor)` on float tensors: to
 * HSV, turn the hue, back to RGB (`_rgb2hsv`, `_hsv2rgb`), per pixel:
 *   (1) v = max(R, G, B), m = min(R, G, B), C = v - m, s = C / v (0 when C = 0)
 *   (2) h6 = (B' - G') if v = R; 2 + R' - B' if v = G != R; 4 + G' - R' otherwise,
 *       with X' = (v - X) / C (C replaced by 1 when C = 0)
 *   (3) h = fmod(h6 / 6 + 1, 1)        hue in turns, [0, 1)
 *   (4) h <- (h + hue_factor) mod 1    Python's %, always in [0, 1)
 *   (5) i = floor(6 h), f = 6 h - i, p = clamp(v (1 - s)), q = clamp(v (1 - s f)),
 *       t = clamp(v (1 - s (1 - f))), each clamp to [0, 1]
 *   (6) (R, G, B) = (v,t,p) (q,v,p) (p,v,t) (p,q,v) (t,p,v) (v,p,q) for i mod 6 = 0..5
 * Hue in HSV turns, not HLS degrees (PIL and Keras' random_hue differ); the
 * output is not clamped beyond (5). No gradient (case format, "Data").
 */
import * as E from 'fp-ts/lib/Either.js'
import { number, schema } from '../core/attrs.ts'
import { defineOp } from '../core/op.ts'
import { make } from '../core/tensor.ts'
import { image } from './image.ts'

export interface Attrs { readonly hue_factor: number }

const clamp01 = (v: number): number => Math.min(Math.max(v, 0), 1)

// #region hue
/** (1)-(6) for one pixel. */
export const turnHue = (r: number, g: number, b: number, hueFactor: number): [number, number, number] => {
  const v = Math.max(r, g, b), m = Math.min(r, g, b) // (1)
  const eq = v === m, C = v - m
  const s = C / (eq ? 1 : v) // (1)
  const d = eq ? 1 : C
  const rc = (v - r) / d, gc = (v - g) / d, bc = (v - b) / d // (2)
  const h6 = (v === r ? bc - gc : 0) + (v === g && v !== r ? 2 + rc - bc : 0) + (v !== g && v !== r ? 4 + gc - rc : 0) // (2)
  const h0 = (h6 / 6 + 1) % 1 // (3): JS % is C's fmod
  const hs = h0 + hueFactor
  const mod = hs % 1
  const h = mod !== 0 && mod < 0 ? mod + 1 : mod // (4): torch.remainder, sign of the divisor
  const i = Math.floor(h * 6), f = h * 6 - i // (5)
  const p = clamp01(v * (1 - s)), q = clamp01(v * (1 - s * f)), t = clamp01(v * (1 - s * (1 - f))) // (5)
  switch (((i % 6) + 6) % 6) { // (6)
    case 0: return [v, t, p]
    case 1: return [q, v, p]
    case 2: return [p, v, t]
    case 3: return [p, q, v]
    case 4: return [t, p, v]
    default: return [v, p, q]
  }
}
// #endregion hue

export const op = defineOp<Attrs, Record<string, never>>({
  name: 'adjust_hue',
  inputs: [{ name: 'x', grad: false }],
  outputs: [{ name: 'y', grad: false }],
  attrs: schema<Attrs>({ hue_factor: number(undefined, { min: -0.5, max: 0.5 }) }),
  forward: (a, { x }) => E.map(({ n, h, w }: { n: number; h: number; w: number }) => {
    const P = h * w, X = x!.data, y = new Float64Array(X.length)
    for (let b = 0; b < n; b++) {
      for (let p = 0; p < P; p++) {
        const i = b * 3 * P + p
        const [R, G, B] = turnHue(X[i], X[i + P], X[i + 2 * P], a.hue_factor)
        y[i] = R; y[i + P] = G; y[i + 2 * P] = B
      }
    }
    return { outputs: { y: make(x!.shape, y) }, cache: {} }
  })(image('adjust_hue', x!, true)),
  backward: () => ({}),
})
