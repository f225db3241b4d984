/**
 * The frameworks' documented defaults, written out by hand from their
 * documentation (PyTorch 1.13, torchvision 0.14, Keras 2), one citation per
 * row, in nn-oracle's attribute names and parsed forms (stride 1 is [1, 1],
 * padding 0 is [0, 0, 0, 0], Adam's betas are beta1 and beta2).
 *
 * `where` is the section of docs/defaults.md: an op (with lr_schedule's
 * kind), a train-case optimizer, a library optimizer value, an initializer.
 */
export type Where = 'op' | 'optimizer' | 'library' | 'initializer'

export interface Documented {
  readonly where: Where
  /** op or optimizer name; `lr_schedule:step` names a schedule kind */
  readonly name: string
  readonly attr: string
  readonly value: unknown
  /** the documented signature or sentence, and where it is */
  readonly cite: string
}

const T = 'https://pytorch.org/docs/1.13/generated/'
const F = (fn: string) => `${T}torch.nn.functional.${fn}.html`
const OPTIM = (c: string) => `${T}torch.optim.${c}.html`
const SCHED = (c: string) => `${T}torch.optim.lr_scheduler.${c}.html`
const INIT = 'https://pytorch.org/docs/1.13/nn.init.html'
const TV = (fn: string) => `https://pytorch.org/vision/0.14/generated/torchvision.transforms.${fn}.html`

const rows = (where: Where, name: string, cite: string, values: Readonly<Record<string, unknown>>): Documented[] =>
  Object.entries(values).map(([attr, value]) => ({ where, name, attr, value, cite }))

const optim = (where: 'optimizer' | 'library', camel: boolean): Documented[] => {
  const n = (s: string) => (camel ? s.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()) : s)
  const o = (values: Record<string, unknown>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [n(k), v]))
  return [
    ...rows(where, 'sgd', `SGD(params, lr=<required>, momentum=0, dampening=0, weight_decay=0, nesterov=False): ${OPTIM('SGD')}`,
      o({ momentum: 0, dampening: 0, weight_decay: 0, nesterov: false })),
    ...rows(where, 'adam', `Adam(params, lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0, amsgrad=False): ${OPTIM('Adam')}`,
      o({ lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0, ...(camel ? {} : { amsgrad: false }) })),
    ...rows(where, camel ? 'adamW' : 'adamw', `AdamW(params, lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.01, amsgrad=False): ${OPTIM('AdamW')}`,
      o({ lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.01, ...(camel ? {} : { amsgrad: false }) })),
    ...rows(where, 'rmsprop', `RMSprop(params, lr=0.01, alpha=0.99, eps=1e-08, weight_decay=0, momentum=0, centered=False): ${OPTIM('RMSprop')}`,
      o({ lr: 1e-2, alpha: 0.99, eps: 1e-8, weight_decay: 0, momentum: 0, centered: false })),
    ...rows(where, 'adagrad', `Adagrad(params, lr=0.01, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10): ${OPTIM('Adagrad')}`,
      o({ lr: 1e-2, lr_decay: 0, weight_decay: 0, initial_accumulator_value: 0, eps: 1e-10 })),
  ]
}

export const DOCUMENTED: readonly Documented[] = [
  ...rows('op', 'leaky_relu', `leaky_relu(input, negative_slope=0.01): ${F('leaky_relu')}`, { negative_slope: 0.01 }),
  ...rows('op', 'elu', `elu(input, alpha=1.0): ${F('elu')}`, { alpha: 1 }),
  ...rows('op', 'gelu', `gelu(input, approximate='none'): ${F('gelu')}`, { approximate: 'none' }),
  ...rows('op', 'softplus', `softplus(input, beta=1, threshold=20): ${F('softplus')}`, { beta: 1, threshold: 20 }),
  ...rows('op', 'cross_entropy', `cross_entropy(..., ignore_index=-100, reduction='mean', label_smoothing=0.0): ${F('cross_entropy')}`,
    { ignore_index: -100, label_smoothing: 0, reduction: 'mean' }),
  ...rows('op', 'nll_loss', `nll_loss(..., ignore_index=-100, reduction='mean'): ${F('nll_loss')}`, { ignore_index: -100, reduction: 'mean' }),
  ...rows('op', 'binary_cross_entropy_with_logits', `binary_cross_entropy_with_logits(..., reduction='mean'): ${F('binary_cross_entropy_with_logits')}`, { reduction: 'mean' }),
  ...rows('op', 'multi_margin_loss', `multi_margin_loss(..., p=1, margin=1, reduction='mean'): ${F('multi_margin_loss')}`, { p: 1, margin: 1, reduction: 'mean' }),
  ...rows('op', 'mse_loss', `mse_loss(..., reduction='mean'): ${F('mse_loss')}`, { reduction: 'mean' }),
  ...rows('op', 'dropout', `dropout(input, p=0.5, training=True): ${F('dropout')}`, { p: 0.5, training: true }),
  ...rows('op', 'conv2d', `conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1): ${F('conv2d')}`,
    { stride: [1, 1], padding: [0, 0, 0, 0], dilation: [1, 1], groups: 1 }),
  ...rows('op', 'conv_transpose2d', `conv_transpose2d(..., stride=1, padding=0, output_padding=0, groups=1, dilation=1): ${F('conv_transpose2d')}`,
    { stride: [1, 1], padding: [0, 0, 0, 0], output_padding: [0, 0], dilation: [1, 1], groups: 1 }),
  ...rows('op', 'max_pool2d', `max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False): ${F('max_pool2d')}`,
    { padding: [0, 0, 0, 0], dilation: [1, 1], ceil_mode: false }),
  ...rows('op', 'avg_pool2d', `avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True): ${F('avg_pool2d')}`,
    { padding: [0, 0, 0, 0], ceil_mode: false, count_include_pad: true }),
  ...rows('op', 'batch_norm', `batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-05): ${F('batch_norm')}`,
    { training: false, momentum: 0.1, eps: 1e-5 }),
  ...rows('op', 'layer_norm', `layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05): ${F('layer_norm')}`, { eps: 1e-5 }),
  ...rows('op', 'instance_norm', `instance_norm(..., momentum=0.1, eps=1e-05): ${F('instance_norm')}`, { eps: 1e-5 }),
  ...rows('op', 'group_norm', `group_norm(input, num_groups, weight=None, bias=None, eps=1e-05): ${F('group_norm')}`, { eps: 1e-5 }),
  ...rows('op', 'sgd_step', `SGD(params, lr=<required>, momentum=0, dampening=0, weight_decay=0, nesterov=False): ${OPTIM('SGD')}`,
    { momentum: 0, dampening: 0, weight_decay: 0, nesterov: false }),
  ...rows('op', 'adam_step', `Adam(params, lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0): ${OPTIM('Adam')}`,
    { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0 }),
  ...rows('op', 'flatten', `nn.Flatten(start_dim=1, end_dim=-1): ${T}torch.nn.Flatten.html`, { start_dim: 1, end_dim: -1 }),
  ...rows('op', 'interpolate', `interpolate(..., antialias=False): ${F('interpolate')}`, { antialias: false }),
  ...rows('op', 'affine', `affine(img, angle, translate, scale, shear, interpolation=InterpolationMode.NEAREST): ${TV('functional.affine')}`, { interpolation: 'nearest' }),
  ...rows('op', 'elastic', `ElasticTransform(alpha=50.0, sigma=5.0, interpolation=InterpolationMode.BILINEAR, fill=0): ${TV('ElasticTransform')}`, { interpolation: 'bilinear', fill: 0 }),
  ...rows('op', 'erase', `RandomErasing(p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0): ${TV('RandomErasing')}`, { value: 0 }),
  ...rows('op', 'lr_schedule:step', `StepLR(optimizer, step_size, gamma=0.1): ${SCHED('StepLR')}`, { gamma: 0.1 }),
  ...rows('op', 'lr_schedule:multistep', `MultiStepLR(optimizer, milestones, gamma=0.1): ${SCHED('MultiStepLR')}`, { gamma: 0.1 }),
  ...rows('op', 'lr_schedule:linear', `LinearLR(optimizer, start_factor=1/3, end_factor=1.0, total_iters=5): ${SCHED('LinearLR')}`,
    { start_factor: 1 / 3, end_factor: 1, total_iters: 5 }),
  ...rows('op', 'lr_schedule:cosine', `CosineAnnealingLR(optimizer, T_max, eta_min=0): ${SCHED('CosineAnnealingLR')}`, { eta_min: 0 }),
  ...rows('op', 'lr_schedule:cosine_warm_restarts', `CosineAnnealingWarmRestarts(optimizer, T_0, T_mult=1, eta_min=0): ${SCHED('CosineAnnealingWarmRestarts')}`,
    { T_mult: 1, eta_min: 0 }),
  ...rows('op', 'lr_schedule:cyclic', `CyclicLR(optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None, mode='triangular', gamma=1.0): ${SCHED('CyclicLR')}`,
    { step_size_up: 2000, mode: 'triangular', gamma: 1 }),
  ...rows('op', 'lr_schedule:one_cycle', `OneCycleLR(optimizer, max_lr, total_steps=None, pct_start=0.3, anneal_strategy='cos', div_factor=25.0, final_div_factor=10000.0, three_phase=False): ${SCHED('OneCycleLR')}`,
    { pct_start: 0.3, anneal_strategy: 'cos', div_factor: 25, final_div_factor: 1e4, three_phase: false }),
  ...optim('optimizer', false),
  ...optim('library', true),
  ...rows('initializer', 'kaiming_normal', `kaiming_normal_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu'): ${INIT}`, { a: 0, mode: 'fan_in', nonlinearity: 'leaky_relu' }),
  ...rows('initializer', 'kaiming_uniform', `kaiming_uniform_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu'): ${INIT}`, { a: 0, mode: 'fan_in', nonlinearity: 'leaky_relu' }),
  ...rows('initializer', 'glorot_normal', `xavier_normal_(tensor, gain=1.0): ${INIT}`, { gain: 1 }),
  ...rows('initializer', 'glorot_uniform', `xavier_uniform_(tensor, gain=1.0): ${INIT}`, { gain: 1 }),
  ...rows('initializer', 'uniform', `uniform_(tensor, a=0.0, b=1.0): ${INIT}`, { a: 0, b: 1 }),
  ...rows('initializer', 'normal', `normal_(tensor, mean=0.0, std=1.0): ${INIT} (mean only: std is a departure, below)`, { mean: 0 }),
  ...rows('initializer', 'orthogonal', `orthogonal_(tensor, gain=1): ${INIT}`, { gain: 1 }),
  ...rows('initializer', 'variance_scaling', 'keras.initializers.VarianceScaling(scale=1.0, mode="fan_in", distribution="truncated_normal"): https://keras.io/api/layers/initializers/#variancescaling-class',
    { scale: 1, mode: 'fan_in', distribution: 'truncated_normal' }),
]

/** Where nn-oracle's default is deliberately not the framework's: both values, and why. */
export const DEPARTURES: readonly (Documented & { readonly framework: unknown; readonly why: string })[] = [
  {
    where: 'op', name: 'softmax', attr: 'dim', value: -1, framework: null, cite: `softmax(input, dim=None): ${F('softmax')}`,
    why: 'PyTorch\'s dim=None picks an axis implicitly (deprecated); the case format fixes the last axis',
  },
  {
    where: 'op', name: 'log_softmax', attr: 'dim', value: -1, framework: null, cite: `log_softmax(input, dim=None): ${F('log_softmax')}`,
    why: 'as softmax',
  },
  {
    where: 'op', name: 'interpolate', attr: 'mode', value: 'bilinear', framework: 'nearest', cite: `interpolate(..., mode='nearest'): ${F('interpolate')}`,
    why: 'the case format\'s default (docs/case-format.md, data ops): resizing images, bilinear is the usual choice',
  },
  {
    where: 'op', name: 'adam_step', attr: 'weight_decay', value: 0, framework: 0.01, cite: `AdamW(..., weight_decay=0.01): ${OPTIM('AdamW')}`,
    why: 'one op serves Adam and AdamW (decoupled true); its single default is Adam\'s 0, as the case format says. The adamw optimizer of train cases takes 0.01',
  },
  {
    where: 'initializer', name: 'normal', attr: 'std', value: 0.01, framework: 1, cite: `normal_(tensor, mean=0.0, std=1.0): ${INIT}`,
    why: 'the lectures\' small-random initialization (src/initializers/normal.ts)',
  },
]
