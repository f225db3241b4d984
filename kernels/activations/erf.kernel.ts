/**
 * erfc in f32 for gpu.js kernels (WGSL has no erf; gpu.js has no Math.erf,
 * gpujs §3). src/activations/erf.ts uses Cody's rational approximations in
 * float64; in f32 a shorter form is enough. Press, Teukolsky, Vetterling &
 * Flannery, Numerical Recipes in C (2nd ed., 1992), section 6.2, `erfcc`, a
 * Chebyshev fit with "fractional error everywhere less than 1.2e-7":
 *   (1) t = 1 / (1 + z/2),  z = |x|
 *   (2) erfc(z) = t exp(-z^2 - 1.26551223 + t P(t)),  P of degree 8 below
 *   (3) erfc(-z) = 2 - erfc(z)
 * Relative accuracy holds in the tail (erfc(z) itself, not 1 - erf), which
 * GELU's left tail needs: Phi(x) = erfc(-x / sqrt 2) / 2.
 */
export function erfc32(x: number): number {
  const z = Math.abs(x)
  const t = 1 / (1 + 0.5 * z) // (1)
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))) // (2)
  return x >= 0 ? r : 2 - r // (3)
}
