/**
 * Case generators for `fuzz`, one per catalogue op: every structural choice
 * (batch size, channels, groups, spatial sizes, kernel, stride, padding,
 * dilation, ceil mode, reduction, optional inputs, dtypes of masks and targets)
 * is drawn, so a bug that shows only at batch 3, only with groups > 1 or only
 * with dilation > 1 is reachable, and every choice shrinks toward the smallest
 * value that still fails.
 *
 * A case is drawn in two independent parts, so that each shrinks alone:
 *   - the structure (a record of small integers and choices), shrinking toward
 *     the smallest shapes and the default attributes;
 *   - a pool of values that the tensors take in turn (cyclically), shrinking
 *     toward fewer and simpler values: most are multiples of 0.01, so a shrunk
 *     case prints short numbers; a few are arbitrary doubles, which keep
 *     rounding-sensitive inputs in play.
 * The cotangent values come from a third short list.
 *
 * Domains. `pytorch` draws only what PyTorch accepts: symmetric padding as
 * `[ph, pw]`, pooling padding at most half the kernel, no pooling window that
 * lies wholly in the padding, output_padding below stride or dilation, batch
 * norm in training with more than one value per channel, instance norm with
 * more than one spatial element. `all` draws everything the oracle defines
 * (ONNX's wider domain: 4-element padding, pooling padding beyond half the
 * kernel, windows wholly in the padding).
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { caseArbitrary } from '../arbitraries/index.ts'
import { inverseMatrix } from '../augmentation/affine.ts'
import { type DType, type Tensor, make, sizeOf } from '../core/tensor.ts'
import { lookup } from '../registry.ts'

export type Domain = 'pytorch' | 'all'
export const DOMAINS: readonly Domain[] = ['pytorch', 'all']

export interface FuzzCase {
  readonly attrs: Readonly<Record<string, unknown>>
  readonly inputs: Readonly<Record<string, Tensor>>
  /** Values the cotangents take in turn (run.ts). */
  readonly cotangent: readonly number[]
}

/** A pool value: a short decimal (an integer i, read as i / 100) or any double in [-1, 1]. */
type Raw = { readonly i: number } | { readonly x: number }

const raw: fc.Arbitrary<Raw> = fc.oneof(
  { arbitrary: fc.integer({ min: -100, max: 100 }).map((i) => ({ i })), weight: 4 },
  { arbitrary: fc.double({ min: -1, max: 1, noNaN: true }).map((x) => ({ x: Object.is(x, -0) ? 0 : x })), weight: 1 },
)

/** What a tensor holds: each role maps [-1, 1] onto its range, short decimals onto short decimals. */
type Role = 'normal' | 'positive' | 'prob01' | 'weight' | 'small-positive'
const ROLE: Record<Role, { a: number; b: number }> = {
  // value = (a + b i) / 100 for a short decimal, (a + b x 100) / 100 for a double
  normal: { a: 0, b: 3 }, // [-3, 3]
  positive: { a: 125, b: 0.75 }, // [0.5, 2]
  prob01: { a: 50, b: 0.5 }, // [0, 1]
  weight: { a: 110, b: 0.9 }, // [0.2, 2]
  'small-positive': { a: 11, b: 0.1 }, // [0.01, 0.21]
}
const valueOf = (r: Raw, role: Role): number => {
  const { a, b } = ROLE[role]
  return 'i' in r ? (a + Math.round(b * r.i)) / 100 : (a + b * 100 * r.x) / 100
}
const unitOf = (r: Raw): number => ('i' in r ? r.i / 100 : r.x)

/** Hands out pool values to the tensors of one case, each tensor from where the last one stopped. */
class Pool {
  private at = 0
  constructor(private readonly raws: readonly Raw[]) {}
  private next(): Raw { return this.raws[this.at++ % this.raws.length] }
  tensor(shape: readonly number[], role: Role = 'normal', dtype: DType = 'float64'): Tensor {
    const n = sizeOf(shape), d = new Float64Array(n)
    for (let i = 0; i < n; i++) d[i] = valueOf(this.next(), role)
    return make(shape, d, dtype)
  }
  labels(shape: readonly number[], classes: number): Tensor {
    const n = sizeOf(shape), d = new Float64Array(n)
    for (let i = 0; i < n; i++) d[i] = Math.min(classes - 1, Math.floor(((unitOf(this.next()) + 1) / 2) * classes))
    return make(shape, d, 'int64')
  }
  /** Probabilities along axis 1 of [N, C, ...]. */
  probs(shape: readonly number[]): Tensor {
    const n = sizeOf(shape), d = new Float64Array(n)
    for (let i = 0; i < n; i++) d[i] = Math.exp(2 * unitOf(this.next()))
    const C = shape[1], inner = sizeOf(shape.slice(2))
    for (let a = 0; a < shape[0]; a++) for (let s = 0; s < inner; s++) {
      let z = 0
      for (let c = 0; c < C; c++) z += d[(a * C + c) * inner + s]
      for (let c = 0; c < C; c++) d[(a * C + c) * inner + s] /= z
    }
    return make(shape, d)
  }
  /** 0/1, dropping a unit with probability about p. */
  mask(shape: readonly number[], p: number, dtype: DType): Tensor {
    const n = sizeOf(shape), d = new Float64Array(n)
    for (let i = 0; i < n; i++) d[i] = (unitOf(this.next()) + 1) / 2 < p ? 0 : 1
    return make(shape, d, dtype)
  }
}

type Build<S> = (s: S, pool: Pool, domain: Domain) => { attrs: Record<string, unknown>; inputs: Record<string, Tensor> }
interface Gen<S> { readonly structure: (domain: Domain) => fc.Arbitrary<S>; readonly build: Build<S> }
const gen = <S>(structure: (domain: Domain) => fc.Arbitrary<S>, build: Build<S>): Gen<unknown> => ({ structure, build } as unknown as Gen<unknown>)

const int = (min: number, max: number) => fc.integer({ min, max })
const dims = (minLength: number, maxLength: number, max: number, min = 1) => fc.array(int(min, max), { minLength, maxLength })
const choice = <T>(...vs: T[]) => fc.constantFrom(...vs) // shrinks toward the first
const reduction = choice('mean', 'sum', 'none')
const pad4 = fc.tuple(int(0, 2), int(0, 2), int(0, 2), int(0, 2))
const opt = <T>(v: T | undefined, k: string) => (v === undefined ? {} : { [k]: v })

const pointwise = (attrs: fc.Arbitrary<Record<string, unknown>> = fc.constant({}), input = 'x') =>
  gen((_d) => fc.record({ shape: dims(1, 3, 4), attrs }), (s, p) => ({ attrs: s.attrs, inputs: { [input]: p.tensor(s.shape) } }))

/** Spatial extent so that a window of effective size eff fits at least once in the padded input. */
const extent = (eff: number, padTotal: number, extra: number) => Math.max(1, eff - padTotal) + extra

const windowsGen = (kind: 'max' | 'avg') => gen(
  (domain) => fc.record({
    n: int(1, 2), c: int(1, 3), kh: int(1, 3), kw: int(1, 3),
    stride: fc.option(fc.tuple(int(1, 3), int(1, 3)), { nil: undefined }),
    dil: kind === 'max' ? fc.tuple(int(1, 3), int(1, 3)) : fc.constant([1, 1] as [number, number]),
    pad: domain === 'all' ? fc.tuple(int(0, 3), int(0, 3), int(0, 3), int(0, 3)) : pad4,
    asym: domain === 'all' ? fc.boolean() : fc.constant(false),
    ceil: fc.boolean(), include: fc.boolean(), eh: int(0, 3), ew: int(0, 3),
  }),
  (s, p, domain) => {
    // pytorch: at most half the kernel, symmetric; all: any padding, symmetric or not.
    const ph = domain === 'all' ? s.pad[0] : Math.min(s.pad[0], s.kh >> 1), pw = domain === 'all' ? s.pad[1] : Math.min(s.pad[1], s.kw >> 1)
    const [pt, pl, pb, pr] = s.asym ? s.pad : [ph, pw, ph, pw]
    const H = extent(s.dil[0] * (s.kh - 1) + 1, pt + pb, s.eh), W = extent(s.dil[1] * (s.kw - 1) + 1, pl + pr, s.ew)
    const attrs: Record<string, unknown> = {
      kernel_size: [s.kh, s.kw], ...opt(s.stride, 'stride'),
      padding: s.asym ? [pt, pl, pb, pr] : [pt, pl], ceil_mode: s.ceil,
      ...(kind === 'max' ? { dilation: s.dil } : { count_include_pad: s.include }),
    }
    return { attrs, inputs: { x: p.tensor([s.n, s.c, H, W]) } }
  },
)

const GENS: Record<string, Gen<unknown>> = {
  relu: pointwise(), sigmoid: pointwise(), tanh: pointwise(), softsign: pointwise(), silu: pointwise(),
  mish: pointwise(), log_sigmoid: pointwise(), selu: pointwise(),
  leaky_relu: pointwise(fc.record({ negative_slope: choice(0.01, 0.2, 1.5, -0.3) })),
  elu: pointwise(fc.record({ alpha: choice(1, 0.5, 2) })),
  gelu: pointwise(fc.record({ approximate: choice('none', 'tanh') })),
  softplus: pointwise(fc.record({ beta: choice(1, 0.5, 2), threshold: choice(20, 1, 2) })),
  prelu: gen((_d) => fc.record({ n: int(1, 3), c: int(1, 3), spatial: dims(0, 2, 3), shared: fc.boolean() }),
    (s, p) => ({ attrs: {}, inputs: { x: p.tensor([s.n, s.c, ...s.spatial]), weight: p.tensor([s.shared ? 1 : s.c], 'prob01') } })),
  softmax: gen((_d) => fc.record({ shape: dims(1, 3, 4), d: fc.nat() }), (s, p) => ({ attrs: { dim: (s.d % (2 * s.shape.length)) - s.shape.length }, inputs: { x: p.tensor(s.shape) } })),
  log_softmax: gen((_d) => fc.record({ shape: dims(1, 3, 4), d: fc.nat() }), (s, p) => ({ attrs: { dim: (s.d % (2 * s.shape.length)) - s.shape.length }, inputs: { x: p.tensor(s.shape) } })),
  linear: gen((_d) => fc.record({ lead: dims(0, 2, 3), i: int(1, 4), o: int(1, 4), bias: fc.boolean() }),
    (s, p) => ({ attrs: {}, inputs: { x: p.tensor([...s.lead, s.i]), weight: p.tensor([s.o, s.i]), ...(s.bias ? { bias: p.tensor([s.o]) } : {}) } })),
  matmul: gen((_d) => fc.record({ batch: dims(0, 2, 3), oneA: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }), oneB: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }), dropA: int(0, 2), dropB: int(0, 2), n: int(1, 3), k: int(1, 3), m: int(1, 3) }),
    (s, p) => {
      const ba = s.batch.map((d, i) => (s.oneA[i] ? 1 : d)).slice(Math.min(s.dropA, s.batch.length))
      const bb = s.batch.map((d, i) => (s.oneB[i] ? 1 : d)).slice(Math.min(s.dropB, s.batch.length))
      return { attrs: {}, inputs: { a: p.tensor([...ba, s.n, s.k]), b: p.tensor([...bb, s.k, s.m]) } }
    }),
  cross_entropy: gen((_d) => fc.record({ n: int(1, 3), c: int(1, 4), spatial: dims(0, 2, 2), probs: fc.boolean(), weight: fc.boolean(), smoothing: choice(0, 0.1, 0.25), ignore: choice(-100, 0, 1), reduction }),
    (s, p) => ({
      // With probability targets ignore_index must be negative (no class is ignored).
      attrs: { ignore_index: s.probs ? -100 : s.ignore, label_smoothing: s.smoothing, reduction: s.reduction },
      inputs: {
        input: p.tensor([s.n, s.c, ...s.spatial]),
        target: s.probs ? p.probs([s.n, s.c, ...s.spatial]) : p.labels([s.n, ...s.spatial], s.c),
        ...(s.weight ? { weight: p.tensor([s.c], 'weight') } : {}),
      },
    })),
  nll_loss: gen((_d) => fc.record({ n: int(1, 3), c: int(1, 4), spatial: dims(0, 2, 2), weight: fc.boolean(), ignore: choice(-100, 0, 1), reduction }),
    (s, p) => ({
      attrs: { ignore_index: s.ignore, reduction: s.reduction },
      inputs: { input: p.tensor([s.n, s.c, ...s.spatial]), target: p.labels([s.n, ...s.spatial], s.c), ...(s.weight ? { weight: p.tensor([s.c], 'weight') } : {}) },
    })),
  binary_cross_entropy_with_logits: gen((_d) => fc.record({ shape: dims(1, 3, 3), weight: choice('none', 'full', 'last', 'one'), pos: choice('none', 'last', 'one'), reduction }),
    (s, p) => {
      const last = s.shape[s.shape.length - 1]
      const wShape = s.weight === 'full' ? s.shape : s.weight === 'last' ? [last] : [1]
      return {
        attrs: { reduction: s.reduction },
        inputs: {
          input: p.tensor(s.shape), target: p.tensor(s.shape, 'prob01'),
          ...(s.weight !== 'none' ? { weight: p.tensor(wShape, 'weight') } : {}),
          ...(s.pos !== 'none' ? { pos_weight: p.tensor(s.pos === 'last' ? [last] : [1], 'weight') } : {}),
        },
      }
    }),
  multi_margin_loss: gen((_d) => fc.record({ n: int(1, 3), c: int(1, 4), weight: fc.boolean(), p: choice(1, 2), margin: choice(1, 0.5, 2), reduction }),
    (s, p) => ({ attrs: { p: s.p, margin: s.margin, reduction: s.reduction }, inputs: { input: p.tensor([s.n, s.c]), target: p.labels([s.n], s.c), ...(s.weight ? { weight: p.tensor([s.c], 'weight') } : {}) } })),
  mse_loss: gen((_d) => fc.record({ shape: dims(1, 3, 4), reduction }), (s, p) => ({ attrs: { reduction: s.reduction }, inputs: { input: p.tensor(s.shape), target: p.tensor(s.shape) } })),
  l1_penalty: pointwise(fc.constant({}), 'w'),
  l2_penalty: pointwise(fc.constant({}), 'w'),
  elastic_net_penalty: pointwise(fc.record({ beta: choice(1, 0.3, 2) }), 'w'),
  dropout: gen((_d) => fc.record({ shape: dims(1, 3, 4), p: choice(0.5, 0, 0.2, 1), training: fc.boolean(), inverted: fc.boolean(), mask: choice('float64', 'bool', 'int64', 'none') }),
    (s, p) => {
      const x = p.tensor(s.shape)
      const mask = s.mask === 'none' && !s.training ? undefined : p.mask(s.shape, s.p, s.mask === 'none' ? 'float64' : s.mask as DType)
      return { attrs: { p: s.p, training: s.training, inverted: s.inverted }, inputs: { x, ...(mask ? { mask } : {}) } }
    }),
  conv2d: gen((domain) => fc.record({
    n: int(1, 4), g: int(1, 3), cpg: int(1, 2), kpg: int(1, 2), kh: int(1, 3), kw: int(1, 3),
    stride: fc.tuple(int(1, 3), int(1, 3)), dil: fc.tuple(int(1, 3), int(1, 3)), pad: pad4, asym: domain === 'all' ? fc.boolean() : fc.constant(false), eh: int(0, 3), ew: int(0, 3), bias: fc.boolean(),
  }), (s, p) => {
    // Padding up to the effective kernel: at most one output row or column lies wholly in the padding.
    const effH = s.dil[0] * (s.kh - 1) + 1, effW = s.dil[1] * (s.kw - 1) + 1
    const q = s.pad.map((v, i) => Math.min(v, i % 2 === 0 ? effH : effW))
    const [pt, pl, pb, pr] = s.asym ? q : [q[0], q[1], q[0], q[1]]
    const H = extent(s.dil[0] * (s.kh - 1) + 1, pt + pb, s.eh), W = extent(s.dil[1] * (s.kw - 1) + 1, pl + pr, s.ew)
    const C = s.g * s.cpg, K = s.g * s.kpg
    return {
      attrs: { stride: s.stride, padding: s.asym ? [pt, pl, pb, pr] : [pt, pl], dilation: s.dil, groups: s.g },
      inputs: { x: p.tensor([s.n, C, H, W]), weight: p.tensor([K, s.cpg, s.kh, s.kw]), ...(s.bias ? { bias: p.tensor([K]) } : {}) },
    }
  }),
  conv_transpose2d: gen((domain) => fc.record({
    n: int(1, 3), g: int(1, 3), cpg: int(1, 2), kpg: int(1, 2), kh: int(1, 3), kw: int(1, 3),
    stride: fc.tuple(int(1, 3), int(1, 3)), dil: fc.tuple(int(1, 3), int(1, 3)), op: fc.tuple(int(0, 2), int(0, 2)), pad: pad4, asym: domain === 'all' ? fc.boolean() : fc.constant(false), eh: int(0, 2), ew: int(0, 2), bias: fc.boolean(),
  }), (s, p) => {
    const [pt, pl, pb, pr] = s.asym ? s.pad : [s.pad[0], s.pad[1], s.pad[0], s.pad[1]]
    const oph = s.op[0] % Math.max(s.stride[0], s.dil[0]), opw = s.op[1] % Math.max(s.stride[1], s.dil[1])
    // Output length (L - 1) s - pads + d (k - 1) + op + 1 must be at least 1.
    const len = (s_: number, d: number, k: number, o: number, pads: number, e: number) => Math.max(1, 1 + Math.ceil((pads - d * (k - 1) - o) / s_)) + e
    const H = len(s.stride[0], s.dil[0], s.kh, oph, pt + pb, s.eh), W = len(s.stride[1], s.dil[1], s.kw, opw, pl + pr, s.ew)
    const C = s.g * s.cpg, K = s.g * s.kpg
    return {
      attrs: { stride: s.stride, padding: s.asym ? [pt, pl, pb, pr] : [pt, pl], output_padding: [oph, opw], dilation: s.dil, groups: s.g },
      inputs: { x: p.tensor([s.n, C, H, W]), weight: p.tensor([C, s.kpg, s.kh, s.kw]), ...(s.bias ? { bias: p.tensor([K]) } : {}) },
    }
  }),
  max_pool2d: windowsGen('max'),
  avg_pool2d: windowsGen('avg'),
  global_avg_pool2d: gen((_d) => fc.record({ n: int(1, 3), c: int(1, 3), h: int(1, 4), w: int(1, 4) }), (s, p) => ({ attrs: {}, inputs: { x: p.tensor([s.n, s.c, s.h, s.w]) } })),
  batch_norm: gen((_d) => fc.record({ n: int(1, 4), c: int(1, 3), spatial: dims(0, 2, 3), training: fc.boolean(), running: fc.boolean(), weight: fc.boolean(), bias: fc.boolean(), momentum: choice(0.1, 0.5, 0, 1), eps: choice(1e-5, 1e-3, 0.1) }),
    (s, p, domain) => {
      const running = s.running || !s.training // evaluation needs both running statistics
      // Training needs more than one value per channel (N * spatial > 1), as in PyTorch.
      const n = s.training && s.n * sizeOf(s.spatial) < 2 ? 2 : s.n
      return {
        attrs: { training: s.training, momentum: s.momentum, eps: s.eps },
        inputs: {
          x: p.tensor([n, s.c, ...s.spatial]),
          ...(running ? { running_mean: p.tensor([s.c]), running_var: p.tensor([s.c], 'positive') } : {}),
          ...(s.weight ? { weight: p.tensor([s.c]) } : {}), ...(s.bias ? { bias: p.tensor([s.c]) } : {}),
        },
      }
    }),
  layer_norm: gen((_d) => fc.record({ lead: dims(1, 2, 3), norm: dims(1, 2, 4), weight: fc.boolean(), bias: fc.boolean(), axis: fc.boolean(), eps: choice(1e-5, 1e-3, 0.1) }),
    (s, p) => ({
      attrs: { ...(s.axis ? { axis: -s.norm.length } : { normalized_shape: s.norm }), eps: s.eps },
      inputs: { x: p.tensor([...s.lead, ...s.norm]), ...(s.weight ? { weight: p.tensor(s.norm) } : {}), ...(s.bias ? { bias: p.tensor(s.norm) } : {}) },
    })),
  instance_norm: gen((_d) => fc.record({ n: int(1, 3), c: int(1, 3), spatial: dims(1, 2, 4), weight: fc.boolean(), bias: fc.boolean(), eps: choice(1e-5, 1e-3, 0.1) }),
    (s, p) => {
      // More than one spatial element, as in PyTorch.
      const spatial = sizeOf(s.spatial) < 2 ? [...s.spatial.slice(0, -1), 2] : s.spatial
      return { attrs: { eps: s.eps }, inputs: { x: p.tensor([s.n, s.c, ...spatial]), ...(s.weight ? { weight: p.tensor([s.c]) } : {}), ...(s.bias ? { bias: p.tensor([s.c]) } : {}) } }
    }),
  group_norm: gen((_d) => fc.record({ n: int(1, 3), g: int(1, 3), cpg: int(1, 2), spatial: dims(0, 2, 3), weight: fc.boolean(), bias: fc.boolean(), eps: choice(1e-5, 1e-3, 0.1) }),
    // More than one value per group over the batch (N * C/G * spatial > 1), as in PyTorch.
    (s, p) => ({ attrs: { num_groups: s.g, eps: s.eps }, inputs: { x: p.tensor([s.n * s.cpg * sizeOf(s.spatial) < 2 ? 2 : s.n, s.g * s.cpg, ...s.spatial]), ...(s.weight ? { weight: p.tensor([s.g * s.cpg]) } : {}), ...(s.bias ? { bias: p.tensor([s.g * s.cpg]) } : {}) } })),
  sgd_step: gen((_d) => fc.record({ shape: dims(1, 2, 3), lr: choice(0.1, 0.01, 0.5), momentum: choice(0, 0.9, 0.5), dampening: choice(0, 0.1), wd: choice(0, 0.01), nesterov: fc.boolean(), buffer: fc.boolean() }),
    (s, p) => {
      const nesterov = s.nesterov && s.momentum > 0 && s.dampening === 0
      return {
        attrs: { lr: s.lr, momentum: s.momentum, dampening: s.dampening, weight_decay: s.wd, nesterov },
        inputs: { param: p.tensor(s.shape), grad: p.tensor(s.shape), ...(s.buffer && s.momentum > 0 ? { momentum_buffer: p.tensor(s.shape) } : {}) },
      }
    }),
  adam_step: gen((_d) => fc.record({ shape: dims(1, 2, 3), lr: choice(1e-3, 0.01, 0.1), beta1: choice(0.9, 0.5), beta2: choice(0.999, 0.9), eps: choice(1e-8, 1e-3), wd: choice(0, 0.1), decoupled: fc.boolean(), step: int(1, 10) }),
    (s, p) => ({
      attrs: { lr: s.lr, beta1: s.beta1, beta2: s.beta2, eps: s.eps, weight_decay: s.wd, decoupled: s.decoupled, step: s.step },
      inputs: { param: p.tensor(s.shape), grad: p.tensor(s.shape), exp_avg: p.tensor(s.shape, 'small-positive'), exp_avg_sq: p.tensor(s.shape, 'small-positive') },
    })),
}

// ---------------------------------------------------------------- version-2 ops
/** n distinct-ish partners in [0, n): a Fisher-Yates shuffle driven by drawn integers (all zeros: a fixed rotation). */
const permOf = (n: number, r: readonly number[]): Tensor => {
  const a = Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) { const j = r[i % r.length] % (i + 1); [a[i], a[j]] = [a[j], a[i]] }
  return make([n], Float64Array.from(a), 'int64')
}
/** Broadcast partner of a shape: some dims set to 1, some leading dims dropped (NumPy broadcasting). */
const partner = (shape: readonly number[], ones: readonly boolean[], drop: number) => shape.map((d, i) => (ones[i] ? 1 : d)).slice(Math.min(drop, shape.length))
const image = (maxC = 3, maxHW = 4) => ({ n: int(1, 3), c: int(1, maxC), h: int(1, maxHW), w: int(1, maxHW) })
/** A tensor whose values are scaled into [0, top) (samples of fractional max pooling). */
const below = (t: Tensor, top: number): Tensor => make(t.shape, t.data.map((v) => Math.min(v, 1) * top * 0.999), t.dtype)
const colour = (factor: fc.Arbitrary<number>, key: string) => gen((_d) => fc.record({ n: int(1, 3), h: int(1, 4), w: int(1, 4), f: factor }),
  (s, p) => ({ attrs: { [key]: s.f }, inputs: { x: p.tensor([s.n, 3, s.h, s.w], 'prob01') } }))
const box = (minSize: number) => fc.record({ top: int(-2, 4), left: int(-2, 4), height: int(minSize, 5), width: int(minSize, 5) })

/** lr_schedule: one structure per scheduler kind, steps up to a bound that keeps every kind defined. */
const schedule = fc.oneof(
  fc.record({ kind: fc.constant('step'), step_size: int(1, 5), gamma: choice(0.1, 0.5, 0.9) }),
  fc.record({ kind: fc.constant('multistep'), milestones: fc.uniqueArray(int(1, 20), { minLength: 1, maxLength: 4 }).map((m) => [...m].sort((a, b) => a - b)), gamma: choice(0.1, 0.5) }),
  fc.record({ kind: fc.constant('exponential'), gamma: choice(0.9, 0.5, 0.99) }),
  fc.record({ kind: fc.constant('linear'), start_factor: choice(1 / 3, 0.5, 0.1), end_factor: choice(1, 0.5), total_iters: int(1, 8) }),
  fc.record({ kind: fc.constant('cosine'), T_max: int(1, 10), eta_min: choice(0, 0.01) }),
  fc.record({ kind: fc.constant('cosine_warm_restarts'), T_0: int(1, 5), T_mult: int(1, 3), eta_min: choice(0, 0.01) }),
  fc.record({ kind: fc.constant('cyclic'), base_lr: choice(0.01, 0.1), max_lr: choice(0.2, 1), step_size_up: int(1, 5), step_size_down: fc.option(int(1, 5), { nil: undefined }), mode: choice('triangular', 'triangular2', 'exp_range'), gamma: choice(1, 0.9) }),
  // pct_start >= 0.25 and total_steps >= 10: every phase spans more than one step (PyTorch divides by its length).
  fc.record({ kind: fc.constant('one_cycle'), max_lr: choice(0.1, 1), total_steps: int(10, 30), pct_start: choice(0.3, 0.25, 0.5), anneal_strategy: choice('cos', 'linear'), div_factor: choice(25, 10), final_div_factor: choice(1e4, 100), three_phase: fc.boolean() }),
)

/** Two operands, one of them broadcast against the other (either side). */
const broadcast = gen((_d) => fc.record({ shape: dims(0, 3, 3), ones: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), drop: int(0, 3), swap: fc.boolean() }),
    (s, p) => {
      const [a, b] = [s.shape, partner(s.shape, s.ones, s.drop)]
      return { attrs: {}, inputs: s.swap ? { a: p.tensor(b), b: p.tensor(a) } : { a: p.tensor(a), b: p.tensor(b) } }
    })

const GENS_V2: Record<string, Gen<unknown>> = {
  add: broadcast,
  mul: broadcast,
  flatten: gen((_d) => fc.record({ shape: dims(1, 4, 3), start: fc.nat(), len: fc.nat(), negS: fc.boolean(), negE: fc.boolean() }),
    (s, p) => {
      const r = s.shape.length, start = s.start % r, end = start + (s.len % (r - start))
      return { attrs: { start_dim: s.negS ? start - r : start, end_dim: s.negE ? end - r : end }, inputs: { x: p.tensor(s.shape) } }
    }),
  reshape: gen((_d) => fc.record({ shape: dims(1, 3, 4), reverse: fc.boolean(), infer: fc.nat(), one: fc.nat(), merge: fc.boolean() }),
    (s, p) => {
      let t = s.reverse ? [...s.shape].reverse() : [...s.shape]
      if (s.merge && t.length > 1) t = [t[0] * t[1], ...t.slice(2)]
      t.splice(s.one % (t.length + 1), 0, 1)
      const at = s.infer % (t.length + 1)
      if (at < t.length) t[at] = -1 // one entry inferred (or none)
      return { attrs: { shape: t }, inputs: { x: p.tensor(s.shape) } }
    }),
  lr_schedule: gen((_d) => fc.record({ k: schedule, lr: choice(1, 0.1), shape: dims(0, 2, 4) }),
    (s, p) => {
      const { kind, ...rest } = s.k as Record<string, unknown>
      const top = kind === 'one_cycle' ? (rest.total_steps as number) : 30
      const attrs = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined))
      return { attrs: { kind, ...(kind === 'cyclic' || kind === 'one_cycle' ? {} : { lr: s.lr }), ...attrs }, inputs: { step: p.labels(s.shape, top) } }
    }),
  ema_update: gen((_d) => fc.record({ shape: dims(0, 3, 4), decay: choice(0.999, 0.9, 0.5, 0, 1) }),
    (s, p) => ({ attrs: { decay: s.decay }, inputs: { average: p.tensor(s.shape), param: p.tensor(s.shape) } })),
  hflip: gen((_d) => fc.record(image()), (s, p) => ({ attrs: {}, inputs: { x: p.tensor([s.n, s.c, s.h, s.w]) } })),
  vflip: gen((_d) => fc.record(image()), (s, p) => ({ attrs: {}, inputs: { x: p.tensor([s.n, s.c, s.h, s.w]) } })),
  // torchvision's crop pads with zeros outside the image; an empty box off the image it refuses (a negative pad
  // size), so the pytorch domain draws at least 1 x 1 (a box wholly off the image it gets the shape of wrong: declined).
  crop: gen((domain) => fc.record({ ...image(), b: box(domain === 'all' ? 0 : 1) }),
    (s, p) => ({ attrs: { ...s.b }, inputs: { x: p.tensor([s.n, s.c, s.h, s.w]) } })),
  erase: gen((_d) => fc.record({ ...image(), top: int(0, 4), left: int(0, 4), height: int(0, 4), width: int(0, 4), value: choice(0, 0.5, -1) }),
    (s, p) => ({ attrs: { top: s.top, left: s.left, height: s.height, width: s.width, value: s.value }, inputs: { x: p.tensor([s.n, s.c, s.h, s.w]) } })),
  interpolate: gen((_d) => fc.record({ ...image(2, 5), oh: int(1, 6), ow: int(1, 6), mode: choice('bilinear', 'nearest', 'bicubic'), ac: fc.option(fc.boolean(), { nil: undefined }), aa: fc.boolean() }),
    (s, p) => ({
      // align_corners and antialias apply to bilinear and bicubic only.
      attrs: { size: [s.oh, s.ow], mode: s.mode, ...(s.mode !== 'nearest' ? { ...opt(s.ac, 'align_corners'), antialias: s.aa } : {}) },
      inputs: { x: p.tensor([s.n, s.c, s.h, s.w]) },
    })),
  adjust_brightness: colour(choice(1, 0, 0.5, 1.5, 2), 'factor'),
  adjust_contrast: colour(choice(1, 0, 0.5, 1.5, 2), 'factor'),
  adjust_saturation: colour(choice(1, 0, 0.5, 1.5, 2), 'factor'),
  adjust_hue: colour(choice(0, 0.1, -0.25, 0.5, -0.5, 0.3), 'hue_factor'),
  pca_lighting: gen((_d) => fc.record({ n: int(1, 3), h: int(1, 3), w: int(1, 3) }),
    (s, p) => ({ attrs: {}, inputs: { x: p.tensor([s.n, 3, s.h, s.w], 'prob01'), eigvec: p.tensor([3, 3]), eigval: p.tensor([3], 'small-positive'), alpha: p.tensor([s.n, 3]) } })),
  affine: gen((_d) => fc.record({
    ...image(2, 5), angle: choice(0, 30, -17, 90, 45, 180), tx: choice(0, 1, -2, 0.5), ty: choice(0, 1, -2, 0.25), scale: choice(1, 0.7, 1.2, 2),
    sx: choice(0, 20, -9, 14), sy: choice(0, 14, -20), interpolation: choice('nearest', 'bilinear'), fill: choice(0, 0.25, 1),
  }), (s, p) => ({
    attrs: { angle: s.angle, translate: [s.tx, s.ty], scale: s.scale, shear: [s.sx, s.sy], interpolation: s.interpolation, fill: s.fill },
    inputs: { x: p.tensor([s.n, s.c, s.h, s.w]) },
  })),
  elastic: gen((_d) => fc.record({ ...image(2, 5), interpolation: choice('bilinear', 'nearest'), fill: choice(0, 0.5) }),
    (s, p) => {
      const d = p.tensor([1, s.h, s.w, 2], 'prob01')
      // Nearest sampling is a step function of the position j + d W / 2 (i + d H / 2): within a rounding error of a
      // half-integer, PyTorch's grid arithmetic (linspace + d, then unnormalize) and the formula may round apart.
      // Such knife edges are moved 0.01 (a shift of 0.005 to 0.025 pixel) away: not drawn, as max-pool ties.
      const away = (v: number, k: number) => {
        const off = (v * (k % 2 === 0 ? s.w : s.h)) / 2, f = off - Math.floor(off)
        return s.interpolation === 'nearest' && Math.abs(f - 0.5) < 1e-6 ? v + 0.01 : v
      }
      return { attrs: { interpolation: s.interpolation, fill: s.fill }, inputs: { x: p.tensor([s.n, s.c, s.h, s.w]), displacement: make(d.shape, d.data.map(away)) } }
    }),
  mixup: gen((_d) => fc.record({ n: int(1, 4), rest: dims(0, 2, 3), k: int(1, 4), lam: choice(0.5, 0, 0.3, 1), r: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }) }),
    (s, p) => ({ attrs: { lam: s.lam }, inputs: { x: p.tensor([s.n, ...s.rest]), target: p.probs([s.n, s.k]), perm: permOf(s.n, s.r) } })),
  cutmix: gen((_d) => fc.record({ ...image(), k: int(1, 4), b: box(0), r: fc.array(fc.nat(), { minLength: 3, maxLength: 3 }) }),
    (s, p) => ({ attrs: { ...s.b }, inputs: { x: p.tensor([s.n, s.c, s.h, s.w]), target: p.probs([s.n, s.k]), perm: permOf(s.n, s.r) } })),
  standardize: gen((_d) => fc.record({ n: int(1, 3), image: fc.boolean(), c: int(1, 3), h: int(1, 3), w: int(1, 3), perChannel: fc.boolean(), eps: choice(0, 1e-3, 0.1) }),
    (s, p) => {
      const xs = s.image ? [s.n, s.c, s.h, s.w] : [s.n, s.c], stat = s.perChannel ? [s.c] : xs.slice(1)
      return { attrs: { eps: s.eps }, inputs: { x: p.tensor(xs), mean: p.tensor(stat), std: p.tensor(stat, 'positive') } }
    }),
  pca_whiten: gen((_d) => fc.record({ n: int(1, 4), d: int(1, 4), whiten: fc.boolean(), eps: choice(1e-5, 0.1, 0) }),
    (s, p) => ({ attrs: { whiten: s.whiten, eps: s.eps }, inputs: { x: p.tensor([s.n, s.d]), mean: p.tensor([s.d]), components: p.tensor([s.d, s.d]), variances: p.tensor([s.d], 'positive') } })),
  maxout: gen((_d) => fc.record({ n: int(1, 3), c: int(1, 3), k: int(1, 3), spatial: dims(0, 2, 3) }),
    (s, p) => ({ attrs: { pieces: s.k }, inputs: { x: p.tensor([s.n, s.c * s.k, ...s.spatial]) } })),
  fractional_max_pool2d: gen((_d) => fc.record({ n: int(1, 2), c: int(1, 3), kh: int(1, 3), kw: int(1, 3), oh: int(1, 3), ow: int(1, 3), eh: int(0, 3), ew: int(0, 3) }),
    (s, p) => ({
      // output + kernel - 1 <= input, as PyTorch requires; samples in [0, 1).
      attrs: { kernel_size: [s.kh, s.kw], output_size: [s.oh, s.ow] },
      inputs: { x: p.tensor([s.n, s.c, s.oh + s.kh - 1 + s.eh, s.ow + s.kw - 1 + s.ew]), samples: below(p.tensor([s.n, s.c, 2], 'prob01'), 1) },
    })),
  max_norm: gen((_d) => fc.record({ rows: int(1, 4), rest: dims(1, 2, 3), max: choice(1, 0.5, 2, 0.1, 10) }),
    (s, p) => ({ attrs: { max_norm: s.max }, inputs: { w: p.tensor([s.rows, ...s.rest]) } })),
  // "sigmoid" (x sigmoid(1.702 x)) is no PyTorch option: drawn only under domain all.
  gelu: gen((domain) => fc.record({ shape: dims(1, 3, 4), approximate: domain === 'all' ? choice('none', 'tanh', 'sigmoid') : choice('none', 'tanh') }),
    (s, p) => ({ attrs: { approximate: s.approximate }, inputs: { x: p.tensor(s.shape) } })),
}

/** The version-2 ops' generators (gelu's replaces the version-1 one, adding "sigmoid" under domain all). */
export const v2Ops = (): string[] => Object.keys(GENS_V2)
Object.assign(GENS, GENS_V2)

/** The ops with a generator of their own (the others fall back to their golden-vector variants). */
export const generatedOps = (): string[] => Object.keys(GENS)

/**
 * Nearest affine sampling is a step function of the source position: within a rounding error of a half-integer
 * (angle 90 with translate 0.5, say) PyTorch's float grid and the formula round apart (seed 2 found one). Such
 * knife edges are not drawn under the pytorch domain, as max-pool windows wholly in the padding are not.
 */
const affineKnifeEdge = (c: Pick<FuzzCase, 'attrs' | 'inputs'>): boolean => {
  const a = c.attrs as { angle: number; translate: [number, number]; scale: number; shear: [number, number]; interpolation: string }
  if (a.interpolation !== 'nearest') return false
  const m = inverseMatrix(a.angle, a.translate, a.scale, a.shear), [, , h, w] = c.inputs.x.shape
  const edge = (v: number) => Math.abs(v - Math.floor(v) - 0.5) < 1e-6
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) {
    const px = j + 0.5 - w / 2, py = i + 0.5 - h / 2 // as src/augmentation/affine.ts's warp
    if (edge(m[0] * px + m[1] * py + m[2] + w / 2 - 0.5) || edge(m[3] * px + m[4] * py + m[5] + h / 2 - 0.5)) return true
  }
  return false
}

/** PyTorch gives -inf and an index outside the plane for a max-pool window wholly in the padding: not drawn under its domain. */
const acceptable = (op: string, c: Pick<FuzzCase, 'attrs' | 'inputs'>, domain: Domain): boolean => {
  if (domain === 'pytorch' && op === 'affine') return !affineKnifeEdge(c)
  if (domain !== 'pytorch' || op !== 'max_pool2d') return true
  const o = lookup(op)!
  const a = o.parseAttrs(c.attrs)
  if (E.isLeft(a)) return false
  const f = o.forward(a.right, c.inputs)
  return E.isRight(f) && !f.right.outputs.indices.data.includes(-1)
}

const cotangents = fc.array(fc.integer({ min: -100, max: 100 }).map((i) => i / 50), { minLength: 1, maxLength: 6 })

/** The case generator for an op under a domain, or undefined when the op is not in the catalogue. */
export const generator = (op: string, domain: Domain = 'pytorch'): fc.Arbitrary<FuzzCase> | undefined => {
  const g = GENS[op]
  if (g === undefined) {
    const fallback = caseArbitrary(op)
    return fallback === undefined ? undefined : fc.tuple(fallback, cotangents).map(([c, cot]) => ({ ...c, cotangent: cot }))
  }
  return fc.record({ s: g.structure(domain), pool: fc.array(raw, { minLength: 1, maxLength: 48, size: 'max' }), cot: cotangents })
    .map(({ s, pool, cot }) => ({ ...g.build(s, new Pool(pool), domain), cotangent: cot }))
    .filter((c) => acceptable(op, c, domain))
}
