/**
 * What `nn-oracle vectors` draws, op by op: named variants spread over the
 * attribute space, edge values (large logits, constant rows, all-ignored
 * targets, windows entirely in padding) in cases of their own. Attributes
 * written here may be partial: the writer fills in every default explicitly.
 */
import type { Tensor } from '../core/tensor.ts'
import type { Gen } from './gen.ts'
import { SCHEDULE_VARIANTS } from './schedules.ts'

export interface Variant {
  readonly name: string
  readonly attrs: Readonly<Record<string, unknown>>
  readonly inputs: (g: Gen) => Record<string, Tensor>
}

const v = (name: string, attrs: Record<string, unknown>, inputs: (g: Gen) => Record<string, Tensor>): Variant => ({ name, attrs, inputs })

/** Pointwise ops: a plain draw, a wide range, and the kink neighbourhood. */
const pointwise = (attrsList: readonly [string, Record<string, unknown>][], wide = 6): Variant[] =>
  attrsList.flatMap(([label, attrs]) => [
    v(`${label}normal`, attrs, (g) => ({ x: g.normal([2, 3, 4]) })),
    v(`${label}wide`, attrs, (g) => ({ x: g.uniform([3, 5], -wide, wide) })),
    v(`${label}near-zero`, attrs, (g) => ({ x: g.uniform([8], -1e-3, 1e-3) })),
  ])

const reductions = ['mean', 'sum', 'none'] as const

export const VARIANTS: Readonly<Record<string, readonly Variant[]>> = {
  linear: [
    v('bias', {}, (g) => ({ x: g.normal([3, 4]), weight: g.normal([5, 4], 0.5), bias: g.normal([5]) })),
    v('no-bias', {}, (g) => ({ x: g.normal([2, 3]), weight: g.normal([2, 3]) })),
    v('leading-dims', {}, (g) => ({ x: g.normal([2, 3, 4]), weight: g.normal([3, 4]), bias: g.normal([3]) })),
  ],
  matmul: [
    v('2d', {}, (g) => ({ a: g.normal([3, 4]), b: g.normal([4, 2]) })),
    v('batched', {}, (g) => ({ a: g.normal([2, 3, 4]), b: g.normal([2, 4, 5]) })),
    v('broadcast-batch', {}, (g) => ({ a: g.normal([2, 1, 3, 2]), b: g.normal([3, 2, 4]) })),
  ],
  relu: pointwise([['', {}]]),
  leaky_relu: [
    ...pointwise([['', { negative_slope: 0.01 }], ['slope-0.2-', { negative_slope: 0.2 }]]),
    v('default-slope', {}, (g) => ({ x: g.normal([2, 5]) })),
    v('at-zero', { negative_slope: 0.1 }, (g) => ({ x: g.constant([2, 2], 0) })),
  ],
  prelu: [
    v('per-channel', {}, (g) => ({ x: g.normal([2, 3, 4]), weight: g.uniform([3], 0, 0.5) })),
    v('shared', {}, (g) => ({ x: g.normal([2, 3, 2, 2]), weight: g.uniform([1], 0, 0.5) })),
  ],
  elu: pointwise([['', { alpha: 1 }], ['alpha-0.5-', { alpha: 0.5 }]]),
  selu: pointwise([['', {}]]),
  gelu: [...pointwise([['exact-', { approximate: 'none' }], ['tanh-', { approximate: 'tanh' }]]), v('default', {}, (g) => ({ x: g.normal([6]) }))],
  sigmoid: [...pointwise([['', {}]]), v('large', {}, (g) => ({ x: g.uniform([6], -800, 800) }))],
  tanh: pointwise([['', {}]]),
  softplus: [
    ...pointwise([['', { beta: 1, threshold: 20 }], ['beta-2-threshold-5-', { beta: 2, threshold: 5 }]]),
    v('straddling-threshold', { beta: 1, threshold: 2 }, (g) => ({ x: g.uniform([10], 1, 3) })),
    v('large', {}, (g) => ({ x: g.uniform([6], -100, 100) })),
  ],
  softsign: pointwise([['', {}]]),
  silu: pointwise([['', {}]]),
  mish: pointwise([['', {}]]),
  log_sigmoid: [...pointwise([['', {}]]), v('large', {}, (g) => ({ x: g.uniform([6], -800, 800) }))],
  softmax: [
    v('last-dim', { dim: -1 }, (g) => ({ x: g.normal([3, 5]) })),
    v('dim-1', { dim: 1 }, (g) => ({ x: g.normal([2, 4, 3]) })),
    v('large-logits', { dim: -1 }, (g) => ({ x: g.uniform([2, 4], -1e4, 1e4) })),
    v('constant-rows', { dim: -1 }, (g) => ({ x: g.constant([2, 3], 7) })),
  ],
  log_softmax: [
    v('last-dim', { dim: -1 }, (g) => ({ x: g.normal([3, 5]) })),
    v('dim-0', { dim: 0 }, (g) => ({ x: g.normal([4, 3]) })),
    v('large-logits', { dim: -1 }, (g) => ({ x: g.uniform([2, 4], -1e4, 1e4) })),
    v('constant-rows', { dim: -1 }, (g) => ({ x: g.constant([2, 3], -3) })),
  ],
  cross_entropy: [
    ...reductions.map((r) => v(`classes-${r}`, { reduction: r }, (g) => ({ input: g.normal([4, 5]), target: g.labels([4], 5) }))),
    v('weighted', { reduction: 'mean' }, (g) => ({ input: g.normal([4, 3]), target: g.labels([4], 3), weight: g.uniform([3], 0.2, 2) })),
    v('ignore-index', { ignore_index: 1 }, (g) => ({ input: g.normal([6, 3]), target: g.labels([6], 3) })),
    v('label-smoothing', { label_smoothing: 0.1 }, (g) => ({ input: g.normal([4, 5]), target: g.labels([4], 5) })),
    v('smoothing-weighted', { label_smoothing: 0.2, reduction: 'mean' }, (g) => ({ input: g.normal([5, 3]), target: g.labels([5], 3), weight: g.uniform([3], 0.2, 2) })),
    v('spatial', { reduction: 'mean' }, (g) => ({ input: g.normal([2, 3, 2, 2]), target: g.labels([2, 2, 2], 3) })),
    v('probabilities', { reduction: 'mean' }, (g) => ({ input: g.normal([3, 4]), target: g.probs([3, 4]) })),
    v('probabilities-smoothing-weighted', { label_smoothing: 0.1, reduction: 'sum' }, (g) => ({ input: g.normal([3, 4]), target: g.probs([3, 4]), weight: g.uniform([4], 0.2, 2) })),
    v('large-logits', {}, (g) => ({ input: g.uniform([3, 4], -1e4, 1e4), target: g.labels([3], 4) })),
  ],
  nll_loss: [
    ...reductions.map((r) => v(`${r}`, { reduction: r }, (g) => ({ input: g.normal([4, 5]), target: g.labels([4], 5) }))),
    v('weighted', {}, (g) => ({ input: g.normal([4, 3]), target: g.labels([4], 3), weight: g.uniform([3], 0.2, 2) })),
    v('ignore-index', { ignore_index: 0 }, (g) => ({ input: g.normal([6, 3]), target: g.labels([6], 3) })),
    v('spatial', {}, (g) => ({ input: g.normal([2, 3, 2]), target: g.labels([2, 2], 3) })),
  ],
  binary_cross_entropy_with_logits: [
    ...reductions.map((r) => v(`${r}`, { reduction: r }, (g) => ({ input: g.normal([3, 4]), target: g.uniform([3, 4], 0, 1) }))),
    v('weight-pos-weight', {}, (g) => ({ input: g.normal([3, 4]), target: g.uniform([3, 4], 0, 1), weight: g.uniform([4], 0.2, 2), pos_weight: g.uniform([4], 0.5, 3) })),
    v('large-logits', {}, (g) => ({ input: g.uniform([2, 3], -1e4, 1e4), target: g.uniform([2, 3], 0, 1) })),
  ],
  multi_margin_loss: [
    ...reductions.map((r) => v(`p1-${r}`, { reduction: r }, (g) => ({ input: g.distinct([4, 5], 0.37), target: g.labels([4], 5) }))),
    v('p2-margin', { p: 2, margin: 0.5 }, (g) => ({ input: g.distinct([3, 4], 0.41), target: g.labels([3], 4) })),
    v('weighted', { p: 1 }, (g) => ({ input: g.distinct([3, 4], 0.29), target: g.labels([3], 4), weight: g.uniform([4], 0.2, 2) })),
  ],
  mse_loss: reductions.map((r) => v(`${r}`, { reduction: r }, (g) => ({ input: g.normal([3, 4]), target: g.normal([3, 4]) }))),
  l1_penalty: [v('normal', {}, (g) => ({ w: g.normal([3, 4]) }))],
  l2_penalty: [v('normal', {}, (g) => ({ w: g.normal([3, 4]) }))],
  elastic_net_penalty: [v('beta-1', {}, (g) => ({ w: g.normal([5]) })), v('beta-0.3', { beta: 0.3 }, (g) => ({ w: g.normal([2, 3]) }))],
  conv2d: [
    v('plain', {}, (g) => ({ x: g.normal([2, 3, 5, 5]), weight: g.normal([4, 3, 3, 3], 0.3), bias: g.normal([4]) })),
    v('strided-padded', { stride: 2, padding: 1 }, (g) => ({ x: g.normal([1, 2, 6, 7]), weight: g.normal([3, 2, 3, 3], 0.3), bias: g.normal([3]) })),
    v('asymmetric-padding', { padding: [1, 0, 2, 1] }, (g) => ({ x: g.normal([1, 2, 4, 5]), weight: g.normal([2, 2, 2, 3], 0.3) })),
    v('dilated', { dilation: 2, padding: [2, 1] }, (g) => ({ x: g.normal([1, 2, 6, 6]), weight: g.normal([2, 2, 3, 2], 0.3) })),
    v('groups', { groups: 2, stride: [1, 2] }, (g) => ({ x: g.normal([2, 4, 4, 5]), weight: g.normal([6, 2, 2, 2], 0.3), bias: g.normal([6]) })),
    v('depthwise', { groups: 3, padding: 1 }, (g) => ({ x: g.normal([1, 3, 4, 4]), weight: g.normal([3, 1, 3, 3], 0.3) })),
    v('1x1', {}, (g) => ({ x: g.normal([2, 4, 3, 3]), weight: g.normal([5, 4, 1, 1], 0.3), bias: g.normal([5]) })),
  ],
  conv_transpose2d: [
    v('plain', {}, (g) => ({ x: g.normal([2, 3, 3, 3]), weight: g.normal([3, 2, 3, 3], 0.3), bias: g.normal([2]) })),
    v('strided-output-padding', { stride: 2, padding: 1, output_padding: 1 }, (g) => ({ x: g.normal([1, 2, 3, 4]), weight: g.normal([2, 3, 3, 3], 0.3), bias: g.normal([3]) })),
    v('crop-4', { stride: 2, padding: [1, 0, 0, 1] }, (g) => ({ x: g.normal([1, 2, 3, 3]), weight: g.normal([2, 2, 3, 3], 0.3) })),
    v('dilated-groups', { dilation: 2, groups: 2 }, (g) => ({ x: g.normal([1, 4, 3, 3]), weight: g.normal([4, 1, 2, 2], 0.3), bias: g.normal([2]) })),
  ],
  max_pool2d: [
    v('2x2', { kernel_size: 2 }, (g) => ({ x: g.distinct([2, 2, 4, 4]) })),
    v('overlapping-padded', { kernel_size: 3, stride: 2, padding: 1 }, (g) => ({ x: g.distinct([1, 2, 5, 5]) })),
    v('ceil-mode', { kernel_size: 2, stride: 2, ceil_mode: true }, (g) => ({ x: g.distinct([1, 1, 5, 5]) })),
    v('dilated', { kernel_size: 2, dilation: 2, stride: 1 }, (g) => ({ x: g.distinct([1, 2, 5, 4]) })),
    v('padding-over-half', { kernel_size: 2, stride: 1, padding: [2, 1] }, (g) => ({ x: g.distinct([1, 1, 3, 3]) })),
    v('ties', { kernel_size: 2 }, (g) => ({ x: g.constant([1, 1, 2, 4], 1.5) })),
  ],
  avg_pool2d: [
    v('2x2', { kernel_size: 2 }, (g) => ({ x: g.normal([2, 2, 4, 4]) })),
    v('padded-include', { kernel_size: 3, stride: 2, padding: 1, count_include_pad: true }, (g) => ({ x: g.normal([1, 2, 5, 5]) })),
    v('padded-exclude', { kernel_size: 3, stride: 2, padding: 1, count_include_pad: false }, (g) => ({ x: g.normal([1, 2, 5, 5]) })),
    v('padded-default', { kernel_size: 2, stride: 1, padding: 1 }, (g) => ({ x: g.normal([1, 1, 3, 3]) })),
    v('ceil-mode', { kernel_size: 2, ceil_mode: true }, (g) => ({ x: g.normal([1, 1, 5, 5]) })),
    v('ceil-mode-padded', { kernel_size: 3, stride: 2, padding: 1, ceil_mode: true }, (g) => ({ x: g.normal([1, 1, 6, 6]) })),
  ],
  global_avg_pool2d: [v('plain', {}, (g) => ({ x: g.normal([2, 3, 4, 5]) }))],
  batch_norm: [
    v('eval', { training: false }, (g) => ({ x: g.normal([3, 4, 2, 2]), running_mean: g.normal([4]), running_var: g.uniform([4], 0.5, 2), weight: g.normal([4]), bias: g.normal([4]) })),
    v('train-running-stats', { training: true }, (g) => ({ x: g.normal([4, 3, 2, 2], 2), running_mean: g.normal([3]), running_var: g.uniform([3], 0.5, 2), weight: g.normal([3]), bias: g.normal([3]) })),
    v('train-2d-no-affine', { training: true, momentum: 0.3 }, (g) => ({ x: g.normal([6, 5]), running_mean: g.normal([5]), running_var: g.uniform([5], 0.5, 2) })),
    v('train-defaults', { training: true }, (g) => ({ x: g.normal([5, 2, 2]), running_mean: g.normal([2]), running_var: g.uniform([2], 0.5, 2) })),
    v('train-no-running', { training: true, eps: 1e-3 }, (g) => ({ x: g.normal([4, 2, 3]), weight: g.normal([2]), bias: g.normal([2]) })),
    v('constant-channel', { training: true }, (g) => ({ x: g.constant([3, 2, 2], 0.5), weight: g.normal([2]), bias: g.normal([2]) })),
  ],
  layer_norm: [
    v('last-dim', { normalized_shape: [5] }, (g) => ({ x: g.normal([3, 5]), weight: g.normal([5]), bias: g.normal([5]) })),
    v('last-two', { normalized_shape: [3, 4] }, (g) => ({ x: g.normal([2, 3, 4]) })),
    v('axis', { axis: -2 }, (g) => ({ x: g.normal([2, 3, 4]), weight: g.normal([3, 4]), bias: g.normal([3, 4]) })),
    v('constant-rows', { normalized_shape: [4] }, (g) => ({ x: g.constant([2, 4], 3) })),
    v('small-variance', { normalized_shape: [4] }, (g) => ({ x: g.normal([2, 4], 0.02) })),
  ],
  instance_norm: [
    v('affine', {}, (g) => ({ x: g.normal([2, 3, 4, 4]), weight: g.normal([3]), bias: g.normal([3]) })),
    v('1d', { eps: 1e-3 }, (g) => ({ x: g.normal([2, 2, 5]) })),
  ],
  group_norm: [
    v('two-groups', { num_groups: 2 }, (g) => ({ x: g.normal([2, 4, 3, 3]), weight: g.normal([4]), bias: g.normal([4]) })),
    v('one-group', { num_groups: 1 }, (g) => ({ x: g.normal([2, 3, 4]) })),
    v('groups-equal-channels', { num_groups: 3 }, (g) => ({ x: g.normal([1, 3, 2, 2]), weight: g.normal([3]) })),
  ],
  dropout: [
    v('inverted-train', { p: 0.5, training: true, inverted: true }, (g) => ({ x: g.normal([3, 4]), mask: g.mask([3, 4], 0.5) })),
    v('vanilla-train', { p: 0.3, training: true, inverted: false }, (g) => ({ x: g.normal([3, 4]), mask: g.mask([3, 4], 0.7) })),
    v('inverted-eval', { p: 0.4, training: false }, (g) => ({ x: g.normal([5]) })),
    v('vanilla-eval', { p: 0.4, training: false, inverted: false }, (g) => ({ x: g.normal([5]) })),
    v('p-one', { p: 1, training: true }, (g) => ({ x: g.normal([4]), mask: g.constant([4], 0) })),
  ],
  sgd_step: [
    v('plain', { lr: 0.1 }, (g) => ({ param: g.normal([3, 2]), grad: g.normal([3, 2]) })),
    v('momentum-first-step', { lr: 0.05, momentum: 0.9 }, (g) => ({ param: g.normal([4]), grad: g.normal([4]) })),
    v('momentum-dampening-decay', { lr: 0.05, momentum: 0.9, dampening: 0.1, weight_decay: 0.01 }, (g) => ({ param: g.normal([4]), grad: g.normal([4]), momentum_buffer: g.normal([4]) })),
    v('nesterov', { lr: 0.02, momentum: 0.8, nesterov: true, weight_decay: 1e-3 }, (g) => ({ param: g.normal([2, 2]), grad: g.normal([2, 2]), momentum_buffer: g.normal([2, 2]) })),
  ],
  adam_step: [
    v('first-step', { step: 1 }, (g) => ({ param: g.normal([4]), grad: g.normal([4]), exp_avg: g.constant([4], 0), exp_avg_sq: g.constant([4], 0) })),
    v('later-step', { lr: 0.01, step: 7 }, (g) => ({ param: g.normal([3, 2]), grad: g.normal([3, 2]), exp_avg: g.normal([3, 2], 0.1), exp_avg_sq: g.uniform([3, 2], 0.01, 0.2) })),
    v('l2-decay', { step: 3, weight_decay: 0.1 }, (g) => ({ param: g.normal([4]), grad: g.normal([4]), exp_avg: g.normal([4], 0.1), exp_avg_sq: g.uniform([4], 0.01, 0.2) })),
    v('default-eps-small-v', { step: 2 }, (g) => ({ param: g.normal([4]), grad: g.normal([4], 1e-6), exp_avg: g.normal([4], 1e-6), exp_avg_sq: g.uniform([4], 1e-14, 1e-12) })),
    v('adamw', { step: 5, lr: 0.01, weight_decay: 0.1, decoupled: true }, (g) => ({ param: g.normal([4]), grad: g.normal([4]), exp_avg: g.normal([4], 0.1), exp_avg_sq: g.uniform([4], 0.01, 0.2) })),
  ],
  ...SCHEDULE_VARIANTS,
}
