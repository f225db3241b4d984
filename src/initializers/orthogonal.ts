/**
 * Orthogonal initialization (Saxe, McClelland & Ganguli 2014), exactly the
 * recipe of `torch.nn.init.orthogonal_` (PyTorch 1.13):
 *   (1) rows = shape[0], cols = prod(shape[1:]); A = normal(key, [rows, cols])
 *   (2) M = A if rows >= cols, else A^T                       M is [p, q], p >= q
 *   (3) M = Q R, Householder, float64                         ./qr.ts
 *   (4) Q <- Q diag(sign(diag R))                             the sign correction
 *   (5) W = gain * Q (or gain * Q^T when rows < cols), reshaped to `shape`
 * Then W W^T = gain^2 I (rows <= cols) or W^T W = gain^2 I (rows >= cols): every
 * singular value of the flattened weight is gain, so a linear stack of such
 * layers preserves norms exactly (Saxe et al.'s dynamical isometry).
 * Why (4): QR's Q is unique only up to the signs of its columns; any QR routine
 * fixes them by its own convention (Householder: R_kk = -sign(x_0) ||x||), which
 * biases the distribution. Normalizing to diag(R) > 0 makes Q the unique
 * factor with a positive diagonal, which is Haar-distributed when A is Gaussian
 * (Mezzadri 2007, "How to generate random matrices from the classical compact
 * groups", the reference PyTorch's source cites).
 * Departure: torch.sign(0) = 0 would zero a column when R_kk = 0; that happens
 * with probability 0 for Gaussian A, and we take the sign as +1 there.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { OpError } from '../core/errors.ts'
import { type Key, normalArray } from '../core/random.ts'
import { type Shape, type Tensor, make, sizeOf, zeros } from '../core/tensor.ts'
import { householderQR } from './qr.ts'
import { checkShape, numberOption } from './shape.ts'

export interface Options { readonly gain?: number }

/** The Gaussian matrix A of (1) as a plain [rows, cols] array, for callers that want to check (3)-(4). */
export const gaussianOf = (key: Key, shape: Shape): Float64Array => normalArray(key, sizeOf(shape))

export const orthogonal = (key: Key, shape: Shape, options: Options = {}): E.Either<OpError, Tensor> => {
  const s = checkShape('init.orthogonal', shape, 2)
  if (E.isLeft(s)) return s
  const gain = numberOption('init.orthogonal', 'gain', options.gain, 1)
  if (E.isLeft(gain)) return gain
  const size = sizeOf(shape)
  if (size === 0) return E.right(zeros(shape)) // PyTorch: a no-op on zero elements
  const rows = shape[0], cols = size / rows // (1)
  const a = gaussianOf(key, shape) // (1)
  const tall = rows >= cols
  const [p, q] = tall ? [rows, cols] : [cols, rows]
  let m = a
  if (!tall) { // (2)
    m = new Float64Array(size)
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m[j * rows + i] = a[i * cols + j]
  }
  const f = householderQR(m, p, q) // (3)
  const sign = new Float64Array(q)
  for (let k = 0; k < q; k++) sign[k] = f.r[k * q + k] < 0 ? -1 : 1 // (4)
  const out = new Float64Array(size)
  for (let i = 0; i < p; i++) {
    for (let k = 0; k < q; k++) {
      const v = gain.right * sign[k] * f.q[i * q + k] // (4), (5)
      if (tall) out[i * q + k] = v
      else out[k * p + i] = v // (5): W = gain * Q^T
    }
  }
  return E.right(make(shape, out))
}
