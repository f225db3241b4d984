/**
 * exp(t) - 1 in f32 for gpu.js kernels. gpu.js lowers Math.expm1 to the naive
 * exp(t) - 1.0, which is off by up to 290% near 1e-3 on lavapipe (gpujs §5.3;
 * spec/kernels/traps.spec.ts shows it). Hence:
 *   (1) |t| < 1/2:  t (1 + t/2 (1 + t/3 (1 + ... (1 + t/10)))), the Taylor series to t^10/10!;
 *       the tail is below |t|^11/11! / (1 - |t|/12) <= 1.3e-11 |t|: far under f32 rounding
 *   (2) otherwise:  exp(t) - 1, where |exp(t) - 1| >= 0.39: the subtraction cancels
 *       at most a factor e^|t| / |e^t - 1| <= 1.55 of exp's own error
 */
export function expm1_32(t: number): number {
  if (Math.abs(t) < 0.5) {
    return t * (1 + t / 2 * (1 + t / 3 * (1 + t / 4 * (1 + t / 5 * (1 + t / 6 * (1 + t / 7 * (1 + t / 8 * (1 + t / 9 * (1 + t / 10))))))))) // (1)
  }
  return Math.exp(t) - 1 // (2)
}
