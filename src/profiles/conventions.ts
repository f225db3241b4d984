/**
 * Conventions on which frameworks disagree, one entry each, with the
 * frameworks that follow it (spec/profiles/conventions-notes.md, Part 1).
 *
 * The oracle computes in PyTorch's conventions (the case format's). A
 * convention says how to compute under another one, in one of two ways:
 *   - `rewrite`: an equivalent call in PyTorch's conventions (a default that
 *     differs, an attribute with another meaning, an eps placed elsewhere);
 *   - `post`: a correction of the result where no rewrite exists.
 * Both run only on cases of the convention's op. Every convention is pinned by
 * a named test in spec/profiles/ and listed in docs/conventions.md.
 */
import type { Tensor } from '../core/tensor.ts'
import { make, sizeOf } from '../core/tensor.ts'

export type Attrs = Record<string, unknown>
export type Tensors = Record<string, Tensor>

export interface Call { readonly attrs: Attrs; readonly inputs: Tensors }
export interface Result { readonly outputs: Tensors; readonly gradients: Tensors }

export interface Convention {
  readonly id: string
  readonly op: string
  /** "matches if <says>" */
  readonly says: string
  readonly frameworks: readonly string[]
  readonly rewrite?: (c: Call) => Call
  readonly post?: (c: Call, r: Result, cotangents: Tensors) => Result
}

const withDefault = (name: string, value: unknown) => (c: Call): Call =>
  c.attrs[name] === undefined ? { ...c, attrs: { ...c.attrs, [name]: value } } : c

const num = (v: unknown, d: number): number => (typeof v === 'number' ? v : d)

/** Per-channel biased variance of x [N, C, ...] (the running-variance alternative). */
const channelBiasedVar = (x: Tensor): Float64Array => {
  const [n, c] = [x.shape[0], x.shape[1]], s = sizeOf(x.shape.slice(2)), m = n * s
  const out = new Float64Array(c)
  for (let ch = 0; ch < c; ch++) {
    let mean = 0
    for (let a = 0; a < n; a++) for (let i = 0; i < s; i++) mean += x.data[(a * c + ch) * s + i]
    mean /= m
    let v = 0
    for (let a = 0; a < n; a++) for (let i = 0; i < s; i++) v += (x.data[(a * c + ch) * s + i] - mean) ** 2
    out[ch] = v / m
  }
  return out
}

/** Crammer-Singer multiclass hinge: max(0, margin + max_{j != y} x_j - x_y)^p, weight[y], no 1/C. */
const crammerSinger = (c: Call, cot: Tensors): Result => {
  const x = c.inputs.input, y = c.inputs.target, w = c.inputs.weight
  const [n, k] = x.shape
  const margin = num(c.attrs.margin, 1), p = num(c.attrs.p, 1), reduction = (c.attrs.reduction as string | undefined) ?? 'mean'
  const per = new Float64Array(n), dx = new Float64Array(n * k)
  const scale = reduction === 'mean' ? 1 / n : 1
  for (let i = 0; i < n; i++) {
    const t = y.data[i]
    let best = -1
    for (let j = 0; j < k; j++) if (j !== t && (best < 0 || x.data[i * k + j] > x.data[i * k + best])) best = j
    const h = margin + x.data[i * k + best] - x.data[i * k + t]
    const wt = w ? w.data[t] : 1
    per[i] = h > 0 ? wt * h ** p : 0
    const g = cot.loss === undefined ? 0 : reduction === 'none' ? cot.loss.data[i] : cot.loss.data[0] * scale
    if (h > 0) {
      const d = wt * p * h ** (p - 1) * g
      dx[i * k + best] += d
      dx[i * k + t] -= d
    }
  }
  const loss = reduction === 'none' ? make([n], per) : make([], Float64Array.of(per.reduce((a, b) => a + b, 0) * scale))
  return { outputs: { loss }, gradients: { input: make(x.shape, dx) } }
}

const scaleAll = (ts: Tensors, s: number): Tensors =>
  Object.fromEntries(Object.entries(ts).map(([k, t]) => [k, make(t.shape, t.data.map((v) => v * s), t.dtype)]))

// Order matters where two touch the same attribute: defaults come before meanings.
export const CONVENTIONS: readonly Convention[] = [
  {
    id: 'batch_norm.momentum-0.99', op: 'batch_norm', frameworks: ['keras', 'tf.keras', 'flax', 'tfjs'],
    says: 'the default momentum is 0.99 (weighting the old value: PyTorch momentum 0.01)', rewrite: withDefault('momentum', 0.99),
  },
  {
    id: 'batch_norm.momentum-weights-old', op: 'batch_norm', frameworks: ['keras', 'tf.keras', 'flax', 'tfjs', 'onnx'],
    says: 'momentum weights the old running value (new = m * old + (1 - m) * batch)',
    rewrite: (c) => (c.attrs.momentum === undefined ? c : { ...c, attrs: { ...c.attrs, momentum: 1 - num(c.attrs.momentum, 0.1) } }),
  },
  {
    id: 'batch_norm.running-var-biased', op: 'batch_norm', frameworks: ['keras', 'flax', 'tfjs', 'onnx'],
    says: 'running_var is updated with the biased batch variance (divided by n, not n - 1)',
    post: (c, r) => {
      const old = c.inputs.running_var
      if (c.attrs.training !== true || old === undefined || r.outputs.running_var === undefined) return r
      const m = num(c.attrs.momentum, 0.1), v = channelBiasedVar(c.inputs.x)
      return { ...r, outputs: { ...r.outputs, running_var: make(old.shape, old.data.map((o, i) => (1 - m) * o + m * v[i])) } }
    },
  },
  { id: 'batch_norm.eps-1e-3', op: 'batch_norm', frameworks: ['keras', 'tf.keras', 'tfjs'], says: 'the default eps is 1e-3', rewrite: withDefault('eps', 1e-3) },
  { id: 'layer_norm.eps-1e-3', op: 'layer_norm', frameworks: ['keras', 'tfjs'], says: 'the default eps is 1e-3', rewrite: withDefault('eps', 1e-3) },
  { id: 'layer_norm.eps-1e-6', op: 'layer_norm', frameworks: ['flax'], says: 'the default eps is 1e-6', rewrite: withDefault('eps', 1e-6) },
  { id: 'gelu.tanh-default', op: 'gelu', frameworks: ['jax', 'keras.ops'], says: 'GELU defaults to the tanh approximation', rewrite: withDefault('approximate', 'tanh') },
  { id: 'leaky_relu.slope-0.2', op: 'leaky_relu', frameworks: ['tfjs', 'tf.nn', 'keras.ops'], says: 'the default negative slope is 0.2', rewrite: withDefault('negative_slope', 0.2) },
  { id: 'leaky_relu.slope-0.3', op: 'leaky_relu', frameworks: ['keras', 'tf.keras'], says: 'the default negative slope is 0.3 (Keras layer)', rewrite: withDefault('negative_slope', 0.3) },
  {
    id: 'leaky_relu.grad-1-at-0', op: 'leaky_relu', frameworks: ['jax'],
    says: "leaky_relu'(0) = 1 (the positive branch at the kink)",
    post: (c, r, cot) => {
      const x = c.inputs.x, gx = r.gradients.x
      if (gx === undefined || cot.y === undefined) return r
      return { ...r, gradients: { ...r.gradients, x: make(gx.shape, gx.data.map((g, i) => (x.data[i] === 0 ? cot.y.data[i] : g))) } }
    },
  },
  { id: 'avg_pool2d.exclude-pad', op: 'avg_pool2d', frameworks: ['keras', 'tf', 'tfjs', 'onnx'], says: 'padding is not counted in the average (count_include_pad false)', rewrite: withDefault('count_include_pad', false) },
  {
    id: 'adam.epsilon-hat', op: 'adam_step', frameworks: ['keras', 'tf', 'onnx'],
    says: "eps is added to sqrt(v) before bias correction ('epsilon hat': lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps))",
    // lr sqrt(bc2)/bc1 m/(sqrt v + eps) = lr/bc1 m/(sqrt(v)/sqrt(bc2) + eps/sqrt(bc2)): PyTorch's form with eps / sqrt(bc2).
    rewrite: (c) => {
      const b2 = num(c.attrs.beta2, 0.999), step = num(c.attrs.step, 1), eps = num(c.attrs.eps, 1e-8)
      return { ...c, attrs: { ...c.attrs, eps: eps / Math.sqrt(1 - b2 ** step) } }
    },
  },
  { id: 'adam.eps-1e-7', op: 'adam_step', frameworks: ['keras', 'tfjs'], says: 'the default eps is 1e-7', rewrite: withDefault('eps', 1e-7) },
  {
    id: 'adamw.decay-not-lr-scaled', op: 'adam_step', frameworks: ['onnx', 'tfa.AdamW'],
    says: 'decoupled weight decay is not scaled by lr (param *= 1 - weight_decay)',
    rewrite: (c) => (c.attrs.decoupled === true ? { ...c, attrs: { ...c.attrs, weight_decay: num(c.attrs.weight_decay, 0) / num(c.attrs.lr, 1e-3) } } : c),
  },
  {
    id: 'multi_margin.crammer-singer', op: 'multi_margin_loss', frameworks: ['keras (categorical_hinge)', 'optax'],
    says: 'the multiclass hinge takes the max over wrong classes, not their sum, and is not divided by C',
    post: (c, _r, cot) => crammerSinger(c, cot),
  },
  {
    id: 'multi_margin.no-divide-by-C', op: 'multi_margin_loss', frameworks: ['cs231n (Weston-Watkins)'],
    says: 'the multiclass hinge sums over wrong classes without dividing by C',
    post: (c, r) => ({ outputs: scaleAll(r.outputs, c.inputs.input.shape[1]), gradients: scaleAll(r.gradients, c.inputs.input.shape[1]) }),
  },
  {
    id: 'cross_entropy.smoothing-as-soft-targets', op: 'cross_entropy', frameworks: ['keras', 'optax'],
    says: 'label smoothing is applied to the targets ((1 - e) one-hot + e/C) and the mean is over positions, not class weights',
    rewrite: (c) => {
      const t = c.inputs.target, x = c.inputs.input, e = num(c.attrs.label_smoothing, 0)
      if (t.dtype !== 'int64' || e === 0) return c
      const [n, k] = [x.shape[0], x.shape[1]], s = sizeOf(x.shape.slice(2))
      const soft = new Float64Array(sizeOf(x.shape))
      for (let a = 0; a < n; a++) for (let i = 0; i < s; i++) {
        for (let j = 0; j < k; j++) soft[(a * k + j) * s + i] = e / k + (j === t.data[a * s + i] ? 1 - e : 0)
      }
      const { label_smoothing: _ls, ignore_index: _ii, ...rest } = c.attrs
      return { attrs: rest, inputs: { ...c.inputs, target: make(x.shape, soft) } }
    },
  },
]

export const conventionById = (id: string): Convention | undefined => CONVENTIONS.find((c) => c.id === id)
