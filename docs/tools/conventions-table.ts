/**
 * docs/conventions.md, generated: every convention the oracle follows (the
 * case format's, PyTorch's) and every alternative a profile can select, one
 * row each, with the test that pins it. Run:
 *   node --import tsx docs/tools/conventions-table.ts          (writes the page)
 *   node --import tsx docs/tools/conventions-table.ts --check  (exit 1 when stale)
 * spec/docs/conventions.spec.ts checks that the page is current and that every
 * named test exists in its spec file.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { CONVENTIONS } from '../../src/profiles/conventions.ts'
import { PROFILES } from '../../src/profiles/profiles.ts'

/** The oracle's own conventions: [topic, the rule, spec file, test name]. */
export const PYTORCH_ROWS: readonly (readonly [string, string, string, string])[] = [
  ['relu at 0', "relu'(0) = 0", 'spec/activations/relu.spec.ts', "relu'(0) = 0 (PyTorch's convention at the kink)"],
  ['relu at NaN', "relu(NaN) = NaN, relu'(NaN) = 1", 'spec/activations/relu.spec.ts', "relu passes NaN through, and relu'(NaN) = 1 as PyTorch's mask (not x <= 0) has it"],
  ['leaky_relu at 0', "leaky_relu'(0) = negative_slope (JAX: 1)", 'spec/activations/leaky-relu.spec.ts', "leaky_relu'(0) = negative_slope (PyTorch's convention at the kink; JAX takes 1)"],
  ['elu at 0', "elu'(0) = alpha", 'spec/activations/elu.spec.ts', "elu'(0) = alpha (the x <= 0 branch, PyTorch's convention)"],
  ['selu at 0', "selu'(0) = scale * alpha", 'spec/activations/selu.spec.ts', "selu'(0) = scale * alpha (the x <= 0 branch, as elu'(0) = alpha)"],
  ['prelu at 0', "the weight's slope; x = 0 adds nothing to dweight", 'spec/activations/prelu.spec.ts', "prelu at 0 takes the weight's slope: dx = w_c g, and x = 0 adds nothing to dweight"],
  ['softplus threshold', 'identity where beta x > threshold, strictly', 'spec/activations/softplus.spec.ts', 'softplus switches strictly: at beta x == threshold the log1p form applies (PyTorch)'],
  ['batch norm running statistics', 'new = (1 - momentum) old + momentum batch; the batch variance unbiased (n - 1); normalization by the biased one; eps inside the root', 'spec/normalization/batch-norm.spec.ts', 'batch_norm: training updates running_mean with (1 - momentum) old + momentum mean, running_var with the UNBIASED batch variance'],
  ['batch norm in training', 'one value per channel is an error', 'spec/normalization/batch-norm.spec.ts', 'batch_norm: training with one value per channel is an error, as in PyTorch'],
  ['batch norm in evaluation', 'needs both running statistics; returns them unchanged; a cotangent on them is ignored', 'spec/normalization/batch-norm.spec.ts', 'batch_norm: evaluation returns the running statistics unchanged; a cotangent on them is ignored'],
  ['layer norm axis', 'a negative axis counts from the end; exactly one of normalized_shape and axis', 'spec/normalization/layer-norm.spec.ts', 'layer_norm: a negative axis counts from the end (axis -2 of [2, 3, 4] normalizes over [3, 4])'],
  ['instance norm', 'a spatial extent of one element is refused, as in PyTorch', 'spec/normalization/instance-norm.spec.ts', 'instance_norm: x needs a spatial dimension with more than one element (PyTorch refuses one)'],
  ['group norm', "PyTorch's check N * C/G * prod(spatial) > 1", 'spec/normalization/group-norm.spec.ts', "group_norm: PyTorch's check N * C/G * prod(spatial) > 1; other one-value groups give y = beta"],
  ['max pool ties', 'the index and the whole gradient go to the first maximum in row-major window order', 'spec/pooling/max-pool2d.spec.ts', 'ties: the index and the whole gradient go to the first maximum in row-major window order'],
  ['max pool NaN', 'NaN propagates; the last NaN of the window takes the index and the gradient', 'spec/pooling/max-pool2d.spec.ts', 'NaN propagates and the last NaN of the window takes the index and the gradient (PyTorch)'],
  ['max pool padding', 'padding may exceed half the kernel (ONNX); a window wholly in padding gives -inf, index -1, no gradient', 'spec/pooling/max-pool2d.spec.ts', 'padding beyond half the kernel: windows wholly in padding give -inf, index -1 and no gradient'],
  ['ceil_mode', 'a last window that would start in the end padding is dropped', 'spec/pooling/max-pool2d.spec.ts', 'ceil_mode drops a last window that would start in the end padding: 5 x 5, kernel 2, stride 2, padding 1 gives 3 x 3 (PyTorch)'],
  ['average pool divisor', 'count_include_pad counts padding cells, never the ceil_mode overhang', 'spec/pooling/avg-pool2d.spec.ts', 'divisor with ceil_mode: padding cells count under count_include_pad, the overhang past the end padding never does'],
  ['average pool, window in padding', 'averages to 0 under both count_include_pad settings (ONNX gives NaN without it)', 'spec/pooling/avg-pool2d.spec.ts', 'padding beyond half the kernel: a window wholly in padding averages to 0 under both count_include_pad settings'],
  ['conv padding', '[top, left, bottom, right] pads each side by its own amount', 'spec/convolution/conv2d.spec.ts', 'conv2d: asymmetric padding [top, left, bottom, right] pads each side by its own amount'],
  ['conv_transpose2d output_padding', 'rows added by output_padding receive only the bias when no tap lands there', 'spec/convolution/conv-transpose2d.spec.ts', 'conv_transpose2d: output_padding rows receive only the bias when no tap lands there'],
  ['cross entropy, smoothing and weights', 'the nll and smoothing terms reduced separately, both divided by the sum of target weights (PyTorch 1.13)', 'spec/losses/cross-entropy.spec.ts', 'cross_entropy: label smoothing + class weights + ignore_index under mean, as PyTorch 1.13'],
  ['cross entropy, probability targets', 'the mean is over positions, not weights', 'spec/losses/cross-entropy.spec.ts', 'cross_entropy: probability targets with class weights and smoothing under mean, as PyTorch 1.13'],
  ['all targets ignored', 'a mean over no positions is NaN with zero gradient', 'spec/losses/cross-entropy.spec.ts', 'cross_entropy: a mean whose targets are all ignore_index is NaN with zero gradient'],
  ['multiclass hinge at z = 0', 'adds nothing and has zero gradient (z > 0 counts); the sum is divided by C', 'spec/losses/multi-margin-loss.spec.ts', 'multi_margin_loss: a hinge exactly at z = 0 adds nothing and has zero gradient (PyTorch tests z > 0)'],
  ['L1 at 0', 'the gradient of |w| at 0 is sign(0) = 0', 'spec/penalties/l1-penalty.spec.ts', "l1_penalty: sum |w| with gradient sign(w), sign(0) = 0 (PyTorch's abs')"],
  ['dropout p', 'p is the probability of dropping; inverted training scales kept units by 1/(1 - p)', 'spec/regularization/dropout.spec.ts', 'PyTorch: p = 0.2 keeps units at 1.25 x (values {0, 1.25} for x = 1)'],
  ['dropout p = 1', 'all zeros in training, whatever the mask, in both forms', 'spec/regularization/dropout.spec.ts', 'p = 1 in training gives all zeros (x * 0: NaN stays NaN, as PyTorch), whatever the mask, in both forms'],
  ['dropout in evaluation', 'identity (inverted), x (1 - p) (vanilla); the mask is ignored', 'spec/regularization/dropout.spec.ts', 'evaluation: identity (inverted) and x (1 - p) (vanilla); the mask is ignored'],
  ['stochastic depth', 'inverted (torchvision) divides survivors by the survival probability in training; original (Huang et al.) scales by it at test time', 'spec/regularization/stochastic-depth.spec.ts', 'conventions pinned: inverted test is x + r, original test is x + survival r, inverted training scales survivors by 1/survival'],
  ['SGD momentum 0', 'no momentum_buffer output; a given buffer is ignored', 'spec/optimizers/sgd.spec.ts', 'momentum 0: no momentum_buffer output, a given buffer is ignored and gets a zero gradient'],
  ['SGD Nesterov', 'needs momentum > 0 and dampening 0', 'spec/optimizers/sgd.spec.ts', 'attributes: lr is required; Nesterov needs momentum > 0 and dampening 0 (an error value, as PyTorch raises)'],
  ['Adam at v = 0', "the VJP is the true, finite derivative (PyTorch's autograd gives NaN there)", 'spec/optimizers/adam.spec.ts', "zero gradient, zero moments (v' = 0): the VJP is the true derivative, finite: dg = -lr (1 - beta1)/(bc1 eps) P, dv = 0"],
  ['RMSprop defaults', 'lr 1e-2, alpha 0.99, eps 1e-8 outside the root, no bias correction', 'spec/optimizers/rmsprop.spec.ts', "defaults are PyTorch's: lr 1e-2, alpha 0.99, eps 1e-8 outside the root, no bias correction"],
  ['Adagrad defaults', 'lr 1e-2, accumulator 0, eps 1e-10 outside the root', 'spec/optimizers/adagrad.spec.ts', "defaults are PyTorch's: lr 1e-2, accumulator 0, eps 1e-10 outside the root: the first step is lr g / (|g| + 1e-10)"],
  ['schedule values', "PyTorch's chainable (recursive) update replayed step by step, not the closed form, which differs in the last bits", 'spec/schedules/torch.spec.ts', "convention: chainable, not closed form. Without cos in the rule the replay is bitwise PyTorch's; the closed forms are not"],
  ['warm-up then cosine', 'SequentialLR: the second schedule restarts from the base rate at the milestone', 'spec/schedules/torch.spec.ts', 'SequentialLR(linear warm-up, cosine) replays PyTorch, including the restart at the milestone from the base rate'],
  ['cosine past T_max', 'keeps following the cosine (period 2 T_max), not held at eta_min', 'spec/schedules/laws.spec.ts', 'cosine past T_max keeps following the cosine (period 2 T_max), as PyTorch does'],
  ['one_cycle range', 'defined only up to total_steps calls; beyond is invalid', 'spec/schedules/laws.spec.ts', 'one_cycle past total_steps and negative steps are invalid; a huge step is unsupported, not a hang'],
  ['averaged model, first update', 'the first update copies the parameters (AveragedModel), later ones apply the EMA', 'spec/averaging/ema.spec.ts', "AveragedModel(avg_fn = EMA) around SGD with momentum: the oracle reproduces PyTorch's 8 steps (average = params after step 0)"],
]

const esc = (s: string) => s.replace(/\|/g, '\\|')

export const render = (): string => {
  const lines: string[] = []
  lines.push('# Conventions', '')
  lines.push('Frameworks disagree on defaults and formulas. nn-oracle computes in the case format\'s conventions, which are PyTorch\'s (`docs/case-format.md`), and can check or fuzz under another framework\'s with `--profile` (`check`, `vectors`, `fuzz`). When a case fails, the other conventions are tried and the ones that explain the numbers are named.', '')
  lines.push('_This page is generated by `docs/tools/conventions-table.ts`; a spec fails when it is stale or names a test that does not exist._', '')
  lines.push('## The oracle\'s conventions (PyTorch)', '')
  lines.push('| topic | rule | pinned by |', '| --- | --- | --- |')
  for (const [topic, rule, file, name] of PYTORCH_ROWS) lines.push(`| ${esc(topic)} | ${esc(rule)} | \`${file}\`: "${esc(name)}" |`)
  lines.push('', '## Alternatives, by profile', '')
  const profiles = Object.keys(PROFILES).filter((p) => p !== 'pytorch')
  lines.push(`| convention | op | matches if ... | frameworks | ${profiles.join(' | ')} | pinned by |`)
  lines.push(`| --- | --- | --- | --- | ${profiles.map(() => '---').join(' | ')} | --- |`)
  for (const c of CONVENTIONS) {
    const marks = profiles.map((p) => (PROFILES[p].includes(c.id) ? 'yes' : ''))
    lines.push(`| \`${c.id}\` | \`${c.op}\` | ${esc(c.says)} | ${esc(c.frameworks.join(', '))} | ${marks.join(' | ')} | \`spec/profiles/profiles.spec.ts\`: "convention ${c.id}" |`)
  }
  lines.push('', 'Each convention is also held to an independent statement of the other framework\'s formula or a value it was seen to produce, in `spec/profiles/pinned.spec.ts`. Sources: `spec/profiles/conventions-notes.md`, Part 1.', '')
  return lines.join('\n')
}

const PAGE = 'docs/conventions.md'
if (process.argv[1]?.endsWith('conventions-table.ts')) {
  const text = render()
  if (process.argv.includes('--check')) {
    const current = (() => { try { return readFileSync(PAGE, 'utf8') } catch { return '' } })()
    if (current !== text) { console.error(`${PAGE} is stale: run node --import tsx docs/tools/conventions-table.ts`); process.exit(1) }
  } else writeFileSync(PAGE, text)
}
