/**
 * Synthetic 2-D sets for fast runs, every number from an explicit key.
 *
 * Spirals (cs231n, "Putting it together: minimal neural network case study"):
 * K arms of n points each; point i of arm j, t_i = i / (n - 1),
 *   (1) r = t_i      theta = 4 (j + t_i) + sigma z,  z ~ N(0, 1)
 *   (2) x = (r sin theta, r cos theta),  label j
 * Not linearly separable for K >= 2: a linear classifier stays near 1/K + a
 * little, a one-hidden-layer ReLU network reaches ~99% (the lecture's point).
 *
 * Blobs: K isotropic Gaussian clusters, centres evenly on a circle,
 *   (3) c_j = R (cos(2 pi j / K), sin(2 pi j / K))   x = c_j + sigma z,  label j
 * Samples are ordered by class; ./split.ts shuffles by key.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail } from '../core/errors.ts'
import { type Key, normalArray } from '../core/random.ts'
import { make } from '../core/tensor.ts'
import type { Dataset } from './dataset.ts'

export interface SpiralOptions {
  readonly classes: number
  readonly perClass: number
  readonly noise: number
}

export interface BlobOptions {
  readonly classes: number
  readonly perClass: number
  readonly radius: number
  readonly noise: number
}

export const SPIRALS: SpiralOptions = { classes: 3, perClass: 300, noise: 0.2 }
export const BLOBS: BlobOptions = { classes: 3, perClass: 200, radius: 3, noise: 1 }

/** The most points one synthetic set may hold (memory and a CPU run's time). */
const MAX_POINTS = 1e6

const checkCommon = (op: string, classes: number, perClass: number, noise: number): E.Either<OpError, true> => {
  if (!Number.isSafeInteger(classes) || classes < 1) return fail(op, 'classes', 'a positive integer', String(classes))
  if (!Number.isSafeInteger(perClass) || perClass < 2) return fail(op, 'perClass', 'an integer >= 2', String(perClass))
  if (classes * perClass > MAX_POINTS) return fail(op, 'perClass', `classes * perClass <= ${MAX_POINTS}`, String(classes * perClass))
  if (!Number.isFinite(noise) || noise < 0) return fail(op, 'noise', 'a finite number >= 0', String(noise))
  return E.right(true)
}

export const spirals = (key: Key, o: SpiralOptions = SPIRALS): E.Either<OpError, Dataset> => {
  const ok = checkCommon('data.spirals', o.classes, o.perClass, o.noise)
  if (E.isLeft(ok)) return ok
  const n = o.classes * o.perClass
  const z = normalArray(key, n)
  const x = new Float64Array(2 * n)
  const y = new Float64Array(n)
  for (let j = 0; j < o.classes; j++) {
    for (let i = 0; i < o.perClass; i++) {
      const at = j * o.perClass + i
      const t = i / (o.perClass - 1)
      const theta = 4 * (j + t) + o.noise * z[at] // (1)
      x[2 * at] = t * Math.sin(theta) // (2)
      x[2 * at + 1] = t * Math.cos(theta)
      y[at] = j
    }
  }
  return E.right({ name: 'spirals', x: make([n, 2], x), y: make([n], y, 'int64'), classes: o.classes })
}

export const blobs = (key: Key, o: BlobOptions = BLOBS): E.Either<OpError, Dataset> => {
  const ok = checkCommon('data.blobs', o.classes, o.perClass, o.noise)
  if (E.isLeft(ok)) return ok
  if (!Number.isFinite(o.radius) || o.radius < 0) return fail('data.blobs', 'radius', 'a finite number >= 0', String(o.radius))
  const n = o.classes * o.perClass
  const z = normalArray(key, 2 * n)
  const x = new Float64Array(2 * n)
  const y = new Float64Array(n)
  for (let j = 0; j < o.classes; j++) {
    const cx = o.radius * Math.cos((2 * Math.PI * j) / o.classes), cy = o.radius * Math.sin((2 * Math.PI * j) / o.classes) // (3)
    for (let i = 0; i < o.perClass; i++) {
      const at = j * o.perClass + i
      x[2 * at] = cx + o.noise * z[2 * at]
      x[2 * at + 1] = cy + o.noise * z[2 * at + 1]
      y[at] = j
    }
  }
  return E.right({ name: 'blobs', x: make([n, 2], x), y: make([n], y, 'int64'), classes: o.classes })
}
