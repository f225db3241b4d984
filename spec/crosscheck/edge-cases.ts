/**
 * Edge cases for the PyTorch cross-check (spec/crosscheck/crosscheck_pytorch.py) that
 * the built-in `vectors` variants (src/vectors/variants.ts) do not reach: the
 * script's emulation paths (pooling padding beyond half the kernel or
 * asymmetric, with ceil_mode and both count_include_pad settings; asymmetric
 * conv / conv-transpose padding with output_padding, dilation and groups), the
 * documented intentional differences (a max-pool window with no tap in the
 * image; Adam at v' = 0), all-ignored class targets, non-finite inputs, bool
 * and int64 masks, and the optimizer first-step / momentum-0 rules. Cases are
 * made by the oracle's own writer (makeCase), so they are exactly what
 * `vectors` would write for these variants.
 *
 *   node --import tsx spec/crosscheck/edge-cases.ts > spec/crosscheck/edge-cases-seed3.jsonl
 */
import { type Tensor, make } from '../../src/core/tensor.ts'
import { lookup } from '../../src/registry.ts'
import type { Gen } from '../../src/vectors/gen.ts'
import type { Variant } from '../../src/vectors/variants.ts'
import { type VectorCase, makeCase } from '../../src/vectors/write.ts'

const v = (name: string, attrs: Record<string, unknown>, inputs: (g: Gen) => Record<string, Tensor>): Variant => ({ name, attrs, inputs })
const of = (shape: number[], values: number[], dtype: Tensor['dtype'] = 'float64'): Tensor => make(shape, Float64Array.from(values), dtype)
const NONFINITE = [Number.NaN, Infinity, -Infinity, 0, -2.5, 3]

export const EDGE: Readonly<Record<string, readonly Variant[]>> = {
  max_pool2d: [
    // native in PyTorch (padding <= k/2), but the dilated window steps over the whole 2 x 2 image
    v('native-empty-window', { kernel_size: 2, stride: 1, padding: 1, dilation: 3 }, (g) => ({ x: g.distinct([1, 2, 2, 2]) })),
    v('asymmetric-ceil', { kernel_size: 3, stride: 2, padding: [0, 1, 1, 0], ceil_mode: true }, (g) => ({ x: g.distinct([1, 2, 6, 5]) })),
    v('over-half-ceil', { kernel_size: 2, stride: 2, padding: [2, 0, 1, 2], ceil_mode: true }, (g) => ({ x: g.distinct([1, 1, 4, 5]) })),
    v('over-half-dilated', { kernel_size: 2, stride: 1, padding: 3, dilation: 2 }, (g) => ({ x: g.distinct([1, 1, 3, 4]) })),
    v('nan', { kernel_size: 2 }, () => ({ x: of([1, 1, 2, 4], [1, Number.NaN, 2, 3, 0, -1, Number.NaN, 5]) })),
  ],
  avg_pool2d: [
    v('over-half-include', { kernel_size: 2, stride: 1, padding: [2, 1], count_include_pad: true }, (g) => ({ x: g.normal([1, 2, 3, 3]) })),
    v('over-half-exclude', { kernel_size: 2, stride: 1, padding: [2, 1], count_include_pad: false }, (g) => ({ x: g.normal([1, 2, 3, 3]) })),
    v('asymmetric-ceil-include', { kernel_size: 3, stride: 2, padding: [1, 0, 0, 1], ceil_mode: true, count_include_pad: true }, (g) => ({ x: g.normal([1, 1, 6, 7]) })),
    v('asymmetric-ceil-exclude', { kernel_size: 3, stride: 2, padding: [1, 0, 0, 1], ceil_mode: true, count_include_pad: false }, (g) => ({ x: g.normal([1, 1, 6, 7]) })),
    v('over-half-ceil-include', { kernel_size: 2, stride: 3, padding: 2, ceil_mode: true, count_include_pad: true }, (g) => ({ x: g.normal([2, 1, 4, 4]) })),
    v('native-ceil-exclude', { kernel_size: [2, 3], stride: [2, 2], padding: [1, 1], ceil_mode: true, count_include_pad: false }, (g) => ({ x: g.normal([1, 2, 5, 6]) })),
  ],
  conv2d: [
    v('asymmetric-strided-dilated-groups', { padding: [0, 2, 1, 0], stride: 2, dilation: [1, 2], groups: 2 }, (g) => ({ x: g.normal([2, 4, 5, 6]), weight: g.normal([4, 2, 2, 3], 0.3), bias: g.normal([4]) })),
  ],
  conv_transpose2d: [
    v('crop-4-output-padding', { stride: 2, padding: [0, 1, 1, 0], output_padding: 1 }, (g) => ({ x: g.normal([1, 2, 3, 3]), weight: g.normal([2, 3, 3, 3], 0.3), bias: g.normal([3]) })),
    v('crop-4-dilated-groups', { stride: [1, 2], dilation: [2, 1], groups: 2, padding: [1, 0, 2, 1] }, (g) => ({ x: g.normal([2, 4, 3, 3]), weight: g.normal([4, 1, 2, 3], 0.3), bias: g.normal([2]) })),
  ],
  layer_norm: [
    v('axis-positive', { axis: 1 }, (g) => ({ x: g.normal([2, 3, 4]), weight: g.normal([3, 4]) })),
  ],
  batch_norm: [
    v('eval-no-affine', { training: false, eps: 1e-3 }, (g) => ({ x: g.normal([2, 3, 4]), running_mean: g.normal([3]), running_var: g.uniform([3], 0.5, 2) })),
    v('train-single-sample-spatial', { training: true, momentum: 0.5 }, (g) => ({ x: g.normal([1, 2, 2, 3]), running_mean: g.normal([2]), running_var: g.uniform([2], 0.5, 2), bias: g.normal([2]) })),
  ],
  group_norm: [v('bias-no-weight', { num_groups: 2 }, (g) => ({ x: g.normal([2, 4, 3]), bias: g.normal([4]) }))],
  instance_norm: [v('weight-only', {}, (g) => ({ x: g.normal([2, 2, 3, 3]), weight: g.normal([2]) }))],
  dropout: [
    v('bool-mask', { p: 0.25, training: true }, (g) => ({ x: g.normal([2, 3]), mask: of([2, 3], [1, 0, 1, 1, 1, 0], 'bool') })),
    v('int64-mask-vanilla', { p: 0.5, training: true, inverted: false }, (g) => ({ x: g.normal([2, 3]), mask: of([2, 3], [0, 1, 1, 0, 1, 0], 'int64') })),
    v('eval-mask-ignored', { p: 0.5, training: false, inverted: false }, (g) => ({ x: g.normal([4]), mask: of([4], [0, 0, 1, 0]) })),
  ],
  cross_entropy: [
    v('all-ignored-mean', { ignore_index: 1 }, (g) => ({ input: g.normal([3, 4]), target: of([3], [1, 1, 1], 'int64') })),
    v('all-ignored-sum', { ignore_index: 2, reduction: 'sum' }, (g) => ({ input: g.normal([2, 3]), target: of([2], [2, 2], 'int64') })),
    v('spatial-smoothing-weight-ignore', { ignore_index: 0, label_smoothing: 0.3 }, (g) => ({ input: g.normal([2, 3, 2, 2]), target: of([2, 2, 2], [0, 1, 2, 2, 1, 0, 1, 2], 'int64'), weight: g.uniform([3], 0.2, 2) })),
    v('probabilities-spatial-smoothing-weight-mean', { label_smoothing: 0.2 }, (g) => ({ input: g.normal([2, 3, 2]), target: g.probs([2, 3, 2]), weight: g.uniform([3], 0.2, 2) })),
  ],
  nll_loss: [
    v('all-ignored-mean', { ignore_index: 0 }, (g) => ({ input: g.normal([2, 3]), target: of([2], [0, 0], 'int64') })),
    v('spatial-weight-ignore-none', { ignore_index: 1, reduction: 'none' }, (g) => ({ input: g.normal([2, 3, 3]), target: of([2, 3], [0, 1, 2, 2, 1, 0], 'int64'), weight: g.uniform([3], 0.2, 2) })),
  ],
  binary_cross_entropy_with_logits: [
    v('spatial-broadcast-weights', { reduction: 'sum' }, (g) => ({ input: g.normal([2, 3, 2, 2]), target: g.uniform([2, 3, 2, 2], 0, 1), weight: g.uniform([3, 1, 1], 0.2, 2), pos_weight: g.uniform([3, 1, 1], 0.5, 3) })),
  ],
  multi_margin_loss: [
    v('p2-weighted-sum', { p: 2, margin: 0.7, reduction: 'sum' }, (g) => ({ input: g.distinct([4, 3], 0.31), target: g.labels([4], 3), weight: g.uniform([3], 0.2, 2) })),
  ],
  relu: [v('non-finite-forward', {}, () => ({ x: of([6], NONFINITE) }))],
  tanh: [v('infinities', {}, () => ({ x: of([3], [-Infinity, 0, Infinity]) }))],
  sigmoid: [v('infinities', {}, () => ({ x: of([3], [-Infinity, 0, Infinity]) }))],
  softplus: [v('at-threshold', { beta: 2, threshold: 4 }, () => ({ x: of([5], [1.99, 2, 2.01, -40, 40]) }))],
  elu: [v('at-zero', { alpha: 0.7 }, () => ({ x: of([3], [0, -0, 1e-300]) }))],
  leaky_relu: [v('negative-slope', { negative_slope: -0.5 }, (g) => ({ x: g.normal([5]) }))],
  prelu: [v('at-zero', {}, () => ({ x: of([1, 2, 2], [0, 1, 0, -1]), weight: of([2], [0.25, -0.5]) }))],
  l1_penalty: [v('zeros', {}, () => ({ w: of([4], [0, 1.5, 0, -2]) }))],
  softmax: [v('neg-infinity-logit', { dim: -1 }, () => ({ x: of([2, 3], [-Infinity, 0, 1, 2, -Infinity, 2]) }))],
  sgd_step: [
    v('momentum-zero-buffer-ignored', { lr: 0.1 }, (g) => ({ param: g.normal([3]), grad: g.normal([3]), momentum_buffer: g.normal([3]) })),
    v('nesterov-first-step', { lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 0.01 }, (g) => ({ param: g.normal([3]), grad: g.normal([3]) })),
    v('dampening-first-step', { lr: 0.05, momentum: 0.9, dampening: 0.5, weight_decay: 0.01 }, (g) => ({ param: g.normal([3]), grad: g.normal([3]) })),
  ],
  adam_step: [
    // v' = 0 and m' = 0 at every element: the oracle's finite limit vs autograd's NaN (known difference)
    v('zero-grad-zero-state', { step: 1 }, (g) => ({ param: g.normal([3]), grad: of([3], [0, 0, 0]), exp_avg: of([3], [0, 0, 0]), exp_avg_sq: of([3], [0, 0, 0]) })),
    v('adamw-step-1-weight-decay', { step: 1, lr: 0.1, weight_decay: 0.5, decoupled: true }, (g) => ({ param: g.normal([3]), grad: g.normal([3]), exp_avg: of([3], [0, 0, 0]), exp_avg_sq: of([3], [0, 0, 0]) })),
    v('large-step', { step: 10000, lr: 0.01, beta1: 0.5, beta2: 0.9, eps: 1e-3 }, (g) => ({ param: g.normal([3]), grad: g.normal([3]), exp_avg: g.normal([3], 0.1), exp_avg_sq: g.uniform([3], 0.01, 0.2) })),
  ],
}

/** Every edge variant once, in EDGE's order, as the vectors writer makes it. */
export function* edgeCases(seed: number, dtype: 'float32' | 'float64' = 'float64'): Generator<VectorCase> {
  for (const [name, variants] of Object.entries(EDGE)) {
    const op = lookup(name)
    if (op === undefined) throw new Error(`edge cases: no op ${name}`)
    for (let k = 0; k < variants.length; k++) yield makeCase(op, variants[k], k, seed, dtype)
  }
}

export const EDGE_SEED = 3

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const c of edgeCases(EDGE_SEED)) process.stdout.write(JSON.stringify(c) + '\n')
}
