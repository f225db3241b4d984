/**
 * log(1 + t) in f32 for gpu.js kernels. gpu.js lowers Math.log1p to the
 * naive log(1.0 + t) (and Math.expm1 to exp(t) - 1.0), which loses every digit
 * for |t| below 2^-24 and is off by up to 126% near 1e-3 on lavapipe
 * (gpujs §5.3; spec/kernels/traps.spec.ts shows it). Hence:
 *   (1) |t| < 1/16:  t - t^2/2 + t^3/3 - ... - t^6/6 + t^7/7 (Horner); the alternating
 *       tail is below |t|^8/8 <= |t| 2^-28/8: far under f32 rounding
 *   (2) otherwise:   log(1 + t), where 1 + t is at least 1/16 away from 1, so its
 *       rounding costs at most u (1 + t) / |log(1 + t)| <= 18 u relative
 * A compensated form (log(u) t / (u - 1), u = 1 + t) is no use here: the
 * webgpu path reassociates it away (gpujs §5.3).
 */
export function log1p32(t: number): number {
  if (Math.abs(t) < 0.0625) {
    return t * (1 + t * (-0.5 + t * (0.3333333333333333 + t * (-0.25 + t * (0.2 + t * (-0.16666666666666666 + t * 0.14285714285714285)))))) // (1)
  }
  return Math.log(1 + t) // (2)
}
