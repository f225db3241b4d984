/**
 * Affine warp, torchvision 0.14 `F.affine(x, angle, translate, scale, shear,
 * interpolation, fill)` on tensors, rotation about the image centre. Output
 * pixel (i, j), at centred coordinates p = (j + 1/2 - W/2, i + 1/2 - H/2)
 * (x right, y down), samples the input at
 *   (1) q = M^-1 (p - t),  t = translate (pixels)
 *   (2) M = R(angle) scale [[1, 0], [-tan sy, 1]] [[1, -tan sx], [0, 1]],
 *       R(a) = [[cos a, -sin a], [sin a, cos a]]   (y down: a positive angle turns clockwise)
 *   (3) input column u = q_x + W/2 - 1/2, row v = q_y + H/2 - 1/2, sampled by grid-sample.ts
 * M^-1 is built as torchvision's `_get_inverse_affine_matrix` builds it, with
 * a = cos(r - sy)/cos sy, b = -cos(r - sy) tan sx / cos sy - sin r,
 * c = sin(r - sy)/cos sy, d = -sin(r - sy) tan sx / cos sy + cos r
 * (det = 1):  (4) M^-1 = [[d, -b], [-c, a]] / scale.
 * No gradient (case format, "Data").
 */
import * as E from 'fp-ts/lib/Either.js'
import type { AttrParser } from '../core/attrs.ts'
import { number, oneOf, schema } from '../core/attrs.ts'
import { invalid, show } from '../core/errors.ts'
import { defineOp } from '../core/op.ts'
import type { Tensor } from '../core/tensor.ts'
import { type Interpolation, sample } from './grid-sample.ts'
import { type Dims, image } from './image.ts'

export interface Attrs {
  readonly angle: number
  readonly translate: readonly [number, number]
  readonly scale: number
  readonly shear: readonly [number, number]
  readonly interpolation: Interpolation
  readonly fill: number
}

/** `[a, b]` of finite numbers; with `bare`, a bare number n means [n, bare] (torchvision's shear = n is [n, 0]). */
export const numberPair = (dflt: readonly [number, number], bare?: number): AttrParser<[number, number]> => (op, name, v) => {
  if (v === undefined) return E.right([dflt[0], dflt[1]])
  if (bare !== undefined && typeof v === 'number' && Number.isFinite(v)) return E.right([v, bare])
  if (Array.isArray(v) && v.length === 2 && v.every((e) => typeof e === 'number' && Number.isFinite(e))) return E.right([v[0], v[1]])
  return E.left(invalid(op, `attrs.${name}`, bare === undefined ? 'a pair [a, b] of finite numbers' : 'a number or a pair [a, b] of finite numbers', show(v)))
}

export const attrs = schema<Attrs>({
  angle: number(0),
  translate: numberPair([0, 0]),
  scale: number(1, { gt: 0 }),
  shear: numberPair([0, 0], 0),
  interpolation: oneOf(['nearest', 'bilinear'] as const, 'nearest'),
  fill: number(0),
})

const rad = (deg: number) => (deg * Math.PI) / 180

// #region inverse
/** (4) with the translation folded in, about centre (cx, cy) in centred coordinates: [m0..m5]. */
export const inverseMatrix = (angle: number, [tx, ty]: readonly [number, number], scale: number, shear: readonly [number, number], [cx, cy]: readonly [number, number] = [0, 0]): number[] => {
  const r = rad(angle), sx = rad(shear[0]), sy = rad(shear[1])
  const a = Math.cos(r - sy) / Math.cos(sy)
  const b = -Math.cos(r - sy) * Math.tan(sx) / Math.cos(sy) - Math.sin(r)
  const c = Math.sin(r - sy) / Math.cos(sy)
  const d = -Math.sin(r - sy) * Math.tan(sx) / Math.cos(sy) + Math.cos(r)
  const m = [d, -b, 0, -c, a, 0].map((v) => v / scale) // (4)
  m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty) // (1): subtract t (and the centre)
  m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty)
  m[2] += cx
  m[5] += cy
  return m
}
// #endregion inverse

/** The warp for a given inverse matrix; also used by RandAugment's shears about the corner. */
export const warp = (x: Tensor, d: Dims, m: readonly number[], mode: Interpolation, fill: number): Tensor =>
  sample(x, d, (i, j) => {
    const px = j + 0.5 - d.w / 2, py = i + 0.5 - d.h / 2 // p
    return [m[0] * px + m[1] * py + m[2] + d.w / 2 - 0.5, m[3] * px + m[4] * py + m[5] + d.h / 2 - 0.5] // (1), (3)
  }, mode, fill)

export const op = defineOp<Attrs, Record<string, never>>({
  name: 'affine',
  inputs: [{ name: 'x', grad: false }],
  outputs: [{ name: 'y', grad: false }],
  attrs: (name, raw) => E.chain((a: Attrs) => Math.abs(Math.cos(rad(a.shear[0]))) < 1e-12 || Math.abs(Math.cos(rad(a.shear[1]))) < 1e-12
    ? E.left(invalid(name, 'attrs.shear', 'shear angles away from +-90 degrees (tan is infinite there)', show(a.shear)))
    : E.right(a))(attrs(name, raw)),
  forward: (a, { x }) => E.map((d: Dims) => ({
    outputs: { y: warp(x!, d, inverseMatrix(a.angle, a.translate, a.scale, a.shear), a.interpolation, a.fill) },
    cache: {},
  }))(image('affine', x!)),
  backward: () => ({}),
})
