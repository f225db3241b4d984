/**
 * Error bounds for the float32 kernels, DERIVED from each kernel's own
 * arithmetic by running-error analysis (Wilkinson; Higham, Accuracy and
 * Stability of Numerical Algorithms, 2nd ed., section 3.3): a spec re-evaluates
 * the kernel's formula in float64 on values `B = { v, e }`, where v is the
 * exact-arithmetic value and e bounds |f32 result - v|. Each operation
 * propagates the errors of its operands (exactly, not to first order) and adds
 * its own rounding, as WGSL allows it for f32 (WGSL §15.7.4, "Floating Point
 * Accuracy"; the same table is quoted in gpujs §5):
 *
 *   +, -, *   correctly rounded: u (|v| + e), u = 2^-24           (an FMA only removes a rounding)
 *   /         2.5 ULP <= 5 u |v|   (ULP(v) <= 2^-23 |v| for normal v)
 *   exp(x)    (3 + 2|x|) ULP
 *   log(x)    2^-21 absolute for x in [0.5, 2], 3 ULP outside   (we charge the worse of the two)
 *   sqrt      inherited from 1 / inverseSqrt(x), inverseSqrt 2 ULP: 4 u + 5 u, charged as 10 u
 *   cosh      inherited from (exp(x) + exp(-x)) * 0.5
 *   sums      any order (the webgpu path reassociates, gpujs §5.2): |error| <= gamma(n - 1) sum |terms|,
 *             gamma(k) = k u / (1 - k u) (Higham 3.5 / 4.2), plus the terms' own errors
 *   subnormal results may be flushed to zero: every rounding also charges 2^-126 absolute
 *
 * lavapipe measures well inside these (exp 61 ULP over [-80, 80] where the rule
 * allows 163; log 33 ULP... gpujs §5.3), and gpu.js cpu mode (float64
 * arithmetic, one f32 rounding per stored result, gpujs §5.1) inside them too,
 * so one bound serves both backends and any conforming WebGPU driver.
 *
 * A kernel result k passes against the float64 reference r (src/) when
 *   |k - r| <= e + REF_SLACK |r|
 * where REF_SLACK covers the reference's own float64 rounding (a few hundred
 * float64 ulps at most for the sizes drawn: 2^-44 ~ 6e-14, charged as 1e-12).
 */
export interface B {
  /** the value in exact arithmetic (evaluated in float64) */
  readonly v: number
  /** a bound on |f32 evaluation - v| */
  readonly e: number
}

export const U = 2 ** -24
export const ULP = 2 ** -23
export const FLUSH = 2 ** -126
export const REF_SLACK = 1e-12

export const gamma = (k: number): number => (k * U) / (1 - k * U)

/** Charge one rounding of relative size `rel` on a result v that already carries error e. */
const round = (v: number, e: number, rel = U): B => ({ v, e: e + rel * (Math.abs(v) + e) + FLUSH })

/** An f32 value used as is: a drawn input (drawn as f32) or a stored f32 result. */
export const exact = (v: number): B => ({ v, e: 0 })
/** A float64 value rounded to f32 on upload (or a literal in kernel source, or a Float scalar argument). */
export const f32 = (v: number): B => ({ v, e: Math.abs(v - Math.fround(v)) })
export const neg = (a: B): B => ({ v: -a.v, e: a.e })
export const abs = (a: B): B => ({ v: Math.abs(a.v), e: a.e })

export const add = (a: B, b: B): B => round(a.v + b.v, a.e + b.e)
export const sub = (a: B, b: B): B => round(a.v - b.v, a.e + b.e)
export const mul = (a: B, b: B): B => round(a.v * b.v, Math.abs(a.v) * b.e + Math.abs(b.v) * a.e + a.e * b.e)

export const div = (a: B, b: B): B => {
  const v = a.v / b.v
  if (Math.abs(b.v) <= b.e) return { v, e: Infinity }
  return round(v, (a.e + Math.abs(v) * b.e) / (Math.abs(b.v) - b.e), 5 * U)
}

/** A sum of terms in any order (reassociation-proof). */
export const sum = (terms: readonly B[]): B => {
  let v = 0, e = 0, s = 0
  for (const t of terms) { v += t.v; e += t.e; s += Math.abs(t.v) + t.e }
  return { v, e: e + gamma(Math.max(terms.length - 1, 0)) * s + (terms.length > 1 ? FLUSH : 0) }
}

export const exp = (a: B): B => {
  const v = Math.exp(a.v)
  const e0 = v * Math.expm1(a.e) // e^(x +- e) lies within v (e^e - 1) of v
  return round(v, e0, (3 + 2 * (Math.abs(a.v) + a.e)) * ULP)
}

export const log = (a: B): B => {
  const v = Math.log(a.v)
  if (a.v <= a.e) return { v, e: Infinity }
  const e0 = -Math.log1p(-a.e / a.v) // the worse side, x - e
  return { v, e: e0 + Math.max(2 ** -21, 3 * ULP * (Math.abs(v) + e0)) + FLUSH }
}

export const sqrt = (a: B): B => {
  const v = Math.sqrt(a.v)
  const e0 = v - Math.sqrt(Math.max(0, a.v - a.e)) // concave: the lower side moves more
  return round(v, e0, 10 * U)
}

export const cosh = (a: B): B => mul(f32(0.5), add(exp(a), exp(neg(a))))

/** The larger error of two evaluations of the same quantity (a branch the kernel may take either way). */
export const worse = (a: B, b: B): B => (a.e >= b.e ? a : b)

/** |k - r| within the bound: undefined when it passes, else a message. */
export const check = (label: string, k: number, r: number, b: B): string | undefined => {
  const allowed = b.e + REF_SLACK * Math.abs(r)
  const err = Math.abs(k - r)
  return err <= allowed || (Number.isNaN(err) && Number.isNaN(k) && Number.isNaN(r))
    ? undefined
    : `${label}: kernel ${k}, reference ${r}, |error| ${err.toExponential(3)} > bound ${allowed.toExponential(3)}`
}

/** The least normal float32: below it a device may flush, and relative accuracy is not promised. */
export const NORMAL32 = 2 ** -126

/**
 * The relative bound, beside the absolute one. `check` allows e, the running
 * error of the kernel's formula, which is absolute: where the model charges
 * absolute terms (2^-126 per rounding, gamma(n) sum |terms| for a sum) or a
 * spec's model is looser than the kernel, a tail result can lose every digit
 * unseen (a sigmoid derivative of 2e-9 against a kernel's 0 is an absolute
 * error of 2e-9). So a parity may also state, per element, a budget in ULPs
 * counted from the kernel's operations with the table above (exp (3 + 2|x|)
 * ULP, / 2.5 ULP, +, -, * 0.5 ULP each; relative errors add to first order),
 * and a kernel result k whose float64 reference r is a normal float32
 * (|r| >= 2^-126, every intermediate normal on the inputs drawn) passes only when
 *   |k - r| <= ulps ULP |r| + REF_SLACK |r|
 * as well. Undefined when it passes, else a message.
 */
export const checkRelative = (label: string, k: number, r: number, ulps: number): string | undefined => {
  if (!Number.isFinite(r) || Math.abs(r) < NORMAL32) return undefined
  const allowed = (ulps * ULP + REF_SLACK) * Math.abs(r)
  const err = Math.abs(k - r)
  return err <= allowed
    ? undefined
    : `${label}: kernel ${k}, reference ${r}, relative error ${(err / Math.abs(r)).toExponential(3)} > ${ulps} ULP (${(ulps * ULP + REF_SLACK).toExponential(3)})`
}

// ---------------------------------------------------------------- the kernels' math helpers, as bounds

/** ../../kernels/math/log1p.ts: series below 1/16, log(1 + t) above; near the switch either branch. */
export const log1p32 = (t: B): B => {
  const series = (): B => {
    // Horner in f32: error gamma(14) sum |c_i| |t|^i <= gamma(14) |t| / (1 - |t|), plus the dropped tail
    const a = Math.abs(t.v) + t.e
    const v = Math.log1p(t.v)
    const e0 = t.e / (1 - a) // |d log1p / dt| <= 1 / (1 - |t|)
    return { v, e: e0 + gamma(14) * a / (1 - a) + a ** 8 / 8 / (1 - a) + FLUSH }
  }
  const direct = (): B => log(add(exact(1), t))
  if (Math.abs(t.v) + t.e < 0.0625) return series()
  if (Math.abs(t.v) - t.e >= 0.0625) return direct()
  return worse(series(), direct())
}

/** ../../kernels/math/expm1.ts: series below 1/2, exp(t) - 1 above; near the switch either branch. */
export const expm1_32 = (t: B): B => {
  const series = (): B => {
    // nested form t (1 + t/2 (1 + t/3 (...))): each level a division (5u), a product (u) and a sum (u):
    // relative error <= 7u per level over 10 levels, times the cancellation factor
    // sum |t|^i/i! / |expm1 t| = (e^|t| - 1) / |e^t - 1| <= 1.65 for |t| <= 1/2
    const a = Math.abs(t.v) + t.e
    const v = Math.expm1(t.v)
    const e0 = Math.exp(a) * t.e
    return { v, e: e0 + 70 * U * 1.65 * Math.expm1(a) + a ** 11 / 39916800 / (1 - a / 12) + FLUSH }
  }
  const direct = (): B => sub(exp(t), exact(1))
  if (Math.abs(t.v) + t.e < 0.5) return series()
  if (Math.abs(t.v) - t.e >= 0.5) return direct()
  return worse(series(), direct())
}

/** sigma of ../../kernels/activations/sigmoid.kernel.ts. */
export const sigmoid32 = (x: B): B => {
  const pos = (): B => div(exact(1), add(exact(1), exp(neg(x))))
  const negative = (): B => {
    const e = exp(x)
    return div(e, add(exact(1), e))
  }
  if (x.v - x.e >= 0) return pos()
  if (x.v + x.e < 0) return negative()
  return worse(pos(), negative())
}

/** Numerical Recipes' erfcc (../../kernels/activations/erf.kernel.ts): the f32 evaluation plus the fit's
 * own relative error, below 1.2e-7 (Press et al. 1992, section 6.2). */
export const erfc32 = (x: B): B => {
  const z = abs(x)
  const t = div(exact(1), add(exact(1), mul(f32(0.5), z)))
  const c = [1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277]
  let p = f32(c[8])
  for (let i = 7; i >= 0; i--) p = add(f32(c[i]), mul(t, p))
  const r0 = mul(t, exp(sum([neg(mul(z, z)), f32(-1.26551223), mul(t, p)])))
  const r = { v: r0.v, e: r0.e + 1.2e-7 * Math.abs(r0.v) }
  if (x.v - x.e >= 0) return r
  const left = sub(exact(2), r)
  if (x.v + x.e < 0) return left
  return worse(r, left)
}

/** tanh of ../../kernels/activations/tanh.kernel.ts: -sign(x) e / (2 + e), e = expm1(-2|x|). */
export const tanh32 = (x: B): B => {
  const e = expm1_32(mul(f32(-2), abs(x)))
  const t = div(neg(e), add(exact(2), e))
  return x.v < 0 ? neg(t) : t
}
