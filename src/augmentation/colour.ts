/**
 * What the colour adjustments share (torchvision 0.14, `_functional_tensor`):
 *   (1) grey = 0.2989 R + 0.587 G + 0.114 B          `rgb_to_grayscale` (ITU-R 601-2, torchvision's rounding
 *                                                    of 0.299; PIL's convert("L") uses 299/1000 in integers)
 *   (2) blend(x, o, f) = clamp(f x + (1 - f) o, 0, 1) `_blend`, bound 1 for float images
 * The clamp passes the gradient where the unclamped value lies in [0, 1],
 * bounds included (case format, "Colour adjustments"; torch.clamp's backward):
 *   (3) d blend / d(f x + (1 - f) o) = 1 if 0 <= u <= 1, else 0
 */
export const GREY = [0.2989, 0.587, 0.114] as const

/** (1) per pixel of one image; x [N, 3, H, W], image n, pixel p of its H W plane. */
export const grey = (x: Float64Array, n: number, plane: number, p: number): number => {
  const base = n * 3 * plane + p
  return GREY[0] * x[base] + GREY[1] * x[base + plane] + GREY[2] * x[base + 2 * plane] // (1)
}

/** (2) and its gate (3): [y, passes]. */
export const blend = (f: number, x: number, o: number): [number, number] => {
  const u = f * x + (1 - f) * o // (2)
  return [Math.min(Math.max(u, 0), 1), u >= 0 && u <= 1 ? 1 : 0] // (2), (3)
}
