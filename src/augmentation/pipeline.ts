/**
 * A training-time augmentation pipeline from a spec string, driven by one key
 * per batch: `parsePipeline("hflip,crop:4,erase")`. Stages run in the order
 * written; each stage s of each image n draws from foldIn(foldIn(key, s), n),
 * so a batch's augmentation is a pure function of (key, batch), and changing
 * one stage's arguments never changes the draws of another.
 *
 * Stage grammar: `name` or `name:a:b:...` (numbers), stages separated by commas.
 *   hflip[:p]             horizontal flip with probability p (0.5)
 *   vflip[:p]             vertical flip with probability p (0.5)
 *   crop:pad              RandomCrop(size = input, padding = pad, zero fill)
 *   rrc[:smin[:smax]]     RandomResizedCrop back to the input size, area scale [smin, smax] ([0.08, 1]), bilinear
 *   jitter:b[:c[:s[:h]]]  ColorJitter(brightness b, contrast c, saturation s, hue h) in random order (RGB)
 *   pca[:std]             AlexNet PCA lighting, alpha ~ N(0, std^2) (0.1), ImageNet eigenvectors (RGB)
 *   affine:deg[:t[:s[:sh]]]  RandomAffine(degrees deg, translate (t, t), scale [1 - s, 1 + s], shear sh)
 *   elastic[:alpha[:sigma]]  ElasticTransform(alpha 50, sigma 5)
 *   randaugment[:N[:M]]   RandAugment(num_ops N = 2, magnitude M = 9, 31 bins)
 *   erase[:p]             RandomErasing(p = 0.5, scale [0.02, 0.33], ratio [0.3, 3.3], value 0)
 *   mixup[:a]             mixup of the batch, lam ~ Beta(a, a) (a = 0.2); needs targets [N, K]
 *   cutmix[:a]            CutMix of the batch, lam ~ Beta(a, a) (a = 1); needs targets [N, K]
 * Images are [N, C, H, W] floats in [0, 1]; a flat batch [N, D] is viewed as
 * [N, ...image] when `image: [C, H, W]` is given, and returned flat.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, fail } from '../core/errors.ts'
import { type Key, foldIn } from '../core/random.ts'
import { type Tensor, make, sizeOf } from '../core/tensor.ts'
import * as R from './random.ts'
import { randAugment } from './rand-augment.ts'

export interface Batch { readonly x: Tensor; readonly target?: Tensor }

type ImageStage = (key: Key, x: Tensor) => E.Either<OpError, Tensor>
type BatchStage = (key: Key, b: Batch) => E.Either<OpError, Batch>

export interface Stage { readonly name: string; readonly args: readonly number[]; readonly image?: ImageStage; readonly batch?: BatchStage }

export interface Pipeline {
  readonly spec: string
  readonly stages: readonly Stage[]
  /** The augmented batch; the input is not modified. */
  readonly apply: (key: Key, batch: Batch) => E.Either<OpError, Batch>
}

export interface PipelineOptions { readonly image?: readonly [number, number, number] }

const OP = 'augment'

interface StageDef {
  readonly min: number; readonly max: number; readonly help: string
  readonly check?: (a: number[]) => string | undefined
  readonly make: (a: number[]) => Omit<Stage, 'name' | 'args'>
}

const prob = (a: number[]) => (a.length > 0 && !(a[0] >= 0 && a[0] <= 1) ? 'a probability in [0, 1]' : undefined)
const nonneg = (a: number[]) => (a.some((v) => !(v >= 0)) ? 'non-negative numbers' : undefined)
const right = (x: Tensor) => E.right<OpError, Tensor>(x)
const needTarget = (name: string, b: Batch) => (b.target === undefined || b.target.shape.length !== 2 || b.target.shape[0] !== b.x.shape[0]
  ? fail<Batch>(OP, name, `targets [N, K] (probabilities) for a batch of ${b.x.shape[0]}`, b.target === undefined ? 'no targets' : `shape [${b.target.shape}]`)
  : undefined)

export const STAGES: Readonly<Record<string, StageDef>> = {
  hflip: { min: 0, max: 1, help: 'hflip[:p]', check: prob, make: ([p = 0.5]) => ({ image: (k, x) => right(R.randomHflip(k, x, p)) }) },
  vflip: { min: 0, max: 1, help: 'vflip[:p]', check: prob, make: ([p = 0.5]) => ({ image: (k, x) => right(R.randomVflip(k, x, p)) }) },
  crop: { min: 1, max: 1, help: 'crop:pad', check: (a) => (Number.isInteger(a[0]) && a[0] >= 0 ? undefined : 'an integer padding >= 0'), make: ([pad]) => ({ image: (k, x) => right(R.randomPadCrop(k, x, pad)) }) },
  rrc: {
    min: 0, max: 2, help: 'rrc[:smin[:smax]]', check: (a) => ((a[0] ?? 0.08) > 0 && (a[0] ?? 0.08) <= (a[1] ?? 1) && (a[1] ?? 1) <= 1 ? undefined : 'area scales 0 < smin <= smax <= 1'),
    make: ([s0 = 0.08, s1 = 1]) => ({ image: (k, x) => right(R.randomResizedCrop(k, x, [x.shape[2], x.shape[3]], { scale: [s0, s1] })) }),
  },
  jitter: {
    min: 1, max: 4, help: 'jitter:b[:c[:s[:h]]]', check: (a) => nonneg(a) ?? ((a[3] ?? 0) > 0.5 ? 'hue <= 0.5' : undefined),
    make: ([b, c = 0, s = 0, h = 0]) => ({ image: (k, x) => R.colorJitter(k, x, { brightness: b, contrast: c, saturation: s, hue: h }) }),
  },
  pca: { min: 0, max: 1, help: 'pca[:std]', check: nonneg, make: ([std = 0.1]) => ({ image: (k, x) => R.pcaLighting(k, x, std) }) },
  affine: {
    min: 1, max: 4, help: 'affine:deg[:t[:s[:sh]]]', check: (a) => nonneg(a) ?? ((a[2] ?? 0) >= 1 ? 'a scale spread s < 1' : (a[3] ?? 0) >= 90 ? 'shear < 90 degrees' : undefined),
    make: ([deg, t = 0, s = 0, sh = 0]) => ({ image: (k, x) => right(R.randomAffine(k, x, { degrees: deg, translate: t, scale: [1 - s, 1 + s], shear: sh })) }),
  },
  elastic: { min: 0, max: 2, help: 'elastic[:alpha[:sigma]]', check: nonneg, make: ([alpha = 50, sigma = 5]) => ({ image: (k, x) => right(R.randomElastic(k, x, alpha, sigma)) }) },
  randaugment: {
    min: 0, max: 2, help: 'randaugment[:N[:M]]', check: (a) => (a.every(Number.isInteger) && (a[0] ?? 2) >= 0 && (a[1] ?? 9) >= 0 && (a[1] ?? 9) <= 30 ? undefined : 'integers N >= 0 and M in [0, 30]'),
    make: ([N = 2, M = 9]) => ({ image: (k, x) => right(randAugment(k, x, N, M)) }),
  },
  erase: { min: 0, max: 1, help: 'erase[:p]', check: prob, make: ([p = 0.5]) => ({ image: (k, x) => right(R.randomErasing(k, x, { p })) }) },
  mixup: {
    min: 0, max: 1, help: 'mixup[:a]', check: (a) => (a.length && !(a[0] > 0) ? 'a Beta parameter a > 0' : undefined),
    make: ([a = 0.2]) => ({ batch: (k, b) => needTarget('mixup', b) ?? E.right(R.randomMixup(k, b.x, b.target!, a)) }),
  },
  cutmix: {
    min: 0, max: 1, help: 'cutmix[:a]', check: (a) => (a.length && !(a[0] > 0) ? 'a Beta parameter a > 0' : undefined),
    make: ([a = 1]) => ({ batch: (k, b) => needTarget('cutmix', b) ?? E.right(R.randomCutmix(k, b.x, b.target!, a)) }),
  },
}

/** Image n of x, as [1, C, H, W]. */
const imageOf = (x: Tensor, n: number): Tensor => {
  const per = sizeOf(x.shape.slice(1))
  return make([1, ...x.shape.slice(1)], x.data.slice(n * per, (n + 1) * per))
}

// #region apply
const run = (stages: readonly Stage[], key: Key, batch: Batch): E.Either<OpError, Batch> => {
  let b = batch
  for (let s = 0; s < stages.length; s++) {
    const st = stages[s], sk = foldIn(key, s)
    if (st.batch) {
      const r = st.batch(sk, b)
      if (E.isLeft(r)) return r
      b = r.right
      continue
    }
    const n = b.x.shape[0], per = sizeOf(b.x.shape.slice(1))
    const out = new Float64Array(b.x.data.length)
    for (let i = 0; i < n; i++) {
      const r = st.image!(foldIn(sk, i), imageOf(b.x, i))
      if (E.isLeft(r)) return r
      out.set(r.right.data, i * per)
    }
    b = { ...b, x: make(b.x.shape, out) }
  }
  return E.right(b)
}
// #endregion apply

export const parsePipeline = (spec: string, opts: PipelineOptions = {}): E.Either<OpError, Pipeline> => {
  const stages: Stage[] = []
  const parts = spec.split(',').map((p) => p.trim()).filter((p) => p !== '')
  for (const part of parts) {
    const [name, ...raw] = part.split(':')
    const def = STAGES[name]
    if (def === undefined) return fail(OP, 'spec', `stages among ${Object.keys(STAGES).join(', ')}`, JSON.stringify(name), `e.g. "hflip,crop:4,erase"`)
    const args = raw.map(Number)
    if (raw.some((r) => r.trim() === '') || args.some((v) => !Number.isFinite(v))) return fail(OP, `spec.${name}`, `numbers, as ${def.help}`, JSON.stringify(part))
    if (args.length < def.min || args.length > def.max) return fail(OP, `spec.${name}`, `${def.min} to ${def.max} arguments, as ${def.help}`, JSON.stringify(part))
    const why = def.check?.(args)
    if (why !== undefined) return fail(OP, `spec.${name}`, why, JSON.stringify(part))
    stages.push({ name, args, ...def.make(args) })
  }
  const apply = (key: Key, batch: Batch): E.Either<OpError, Batch> => {
    const x = batch.x
    if (x.shape.length === 2 && opts.image !== undefined) {
      if (sizeOf(opts.image) !== x.shape[1]) return fail(OP, 'batch.x', `[N, ${sizeOf(opts.image)}] for images [${opts.image}]`, `shape [${x.shape}]`)
      return E.map((b: Batch) => ({ ...b, x: make(x.shape, b.x.data) }))(run(stages, key, { ...batch, x: make([x.shape[0], ...opts.image], x.data) }))
    }
    if (x.shape.length !== 4) return fail(OP, 'batch.x', 'images [N, C, H, W] (or [N, D] with the image option)', `shape [${x.shape}]`)
    return run(stages, key, batch)
  }
  return E.right({ spec, stages, apply })
}
