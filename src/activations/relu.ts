/**
 * Rectified linear unit (Nair & Hinton 2010):
 *   (1) y = max(0, x)                      NaN propagates, as in PyTorch
 *   (2) y' = 1 for x > 0, 0 for x <= 0     relu'(0) = 0, PyTorch's choice (case format, Conventions)
 *                                          relu'(NaN) = 1 as in PyTorch (its mask is "not x <= 0")
 */
import { noAttrs } from '../core/attrs.ts'
import { pointwise } from './elementwise.ts'

// #region op
export const op = pointwise({
  name: 'relu',
  attrs: noAttrs,
  f: (x) => (x <= 0 ? 0 : x), // (1); written so that NaN <= 0 is false and NaN passes through
  df: (x) => (x <= 0 ? 0 : 1), // (2); NaN takes the 1 branch, as PyTorch's threshold_backward does
})
// #endregion op
